"""Pages never answer 500 for a refused action: a domain error becomes a
page with its status and message."""

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_domain_error_on_a_page_answers_its_status_with_the_message(client):
    token, _ = api_token_create(user=UserFactory(), name="someone else's")
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:api_token_revoke", args=[token.id]))

    assert response.status_code == 404
    assert "error.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("path, json_body", [("/api/v1/withdrawals/", True), ("/accounts/log-in/", False)])
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings, path, json_body):
    settings.MAX_REQUEST_BYTES = 1000

    response = client.post(path, data=b"x" * 2000, content_type="application/octet-stream")

    assert response.status_code == 413
    if json_body:
        assert response.json()["code"] == "request_too_large"
