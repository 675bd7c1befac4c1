import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import MAX_ACTIVE_TOKENS, api_token_create, api_token_digest, api_token_use

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_user_creates_a_token_on_its_page_and_sees_it_once(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:api_tokens"), {"name": "ERP sync"})

    token = response.context["created_token"]
    assert token.startswith("sst_") and token in response.content.decode()
    row = ApiToken.objects.get(user=user)
    assert row.name == "ERP sync"
    # only a digest is stored: the token itself is nowhere in the row
    assert row.digest == api_token_digest(token)
    assert token not in {str(value) for value in ApiToken.objects.filter(pk=row.pk).values().get().values()}
    # and it is not shown again
    assert token not in client.get(reverse("accounts:api_tokens")).content.decode()


def test_a_token_authenticates_api_calls_and_records_its_last_use():
    user = UserFactory()
    row, token = api_token_create(user=user, name="app")
    assert row.last_used_at is None

    response = _bearer(token).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["id"] == user.id
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_the_hand_written_token_read_finds_who_the_orm_query_finds():
    # api_token_use reads the token with one SELECT written by hand (docs/decisions.md lists it):
    # it must answer as ApiToken.objects.active().select_related("user") does, field for field
    active, revoked, inactive = UserFactory(), UserFactory(), UserFactory()
    tokens = {user: api_token_create(user=user, name="app") for user in (active, revoked, inactive)}
    ApiToken.objects.filter(pk=tokens[revoked][0].pk).update(revoked_at=timezone.now())
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    for token in [token for _row, token in tokens.values()] + ["sst_unknown"]:
        found = ApiToken.objects.active().select_related("user").filter(digest=api_token_digest(token)).first()
        expected = found.user if found is not None and found.user.is_active else None

        user = api_token_use(token=token)

        if expected is None:
            assert user is None
        else:
            fields = [field.attname for field in type(expected)._meta.concrete_fields]
            assert [getattr(user, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert api_token_use(token=tokens[active][1]).pk == active.pk


def test_a_revoked_token_is_refused(client):
    user = UserFactory()
    row, token = api_token_create(user=user, name="app")
    client.force_login(user)

    client.post(reverse("accounts:api_token_revoke", args=[row.id]))

    response = _bearer(token).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer sst_not-a-real-token", "Bearer \u00e9"])
def test_bad_credentials_get_401_with_the_error_body(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_no_credentials_get_401_not_authenticated():
    response = APIClient().get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_another_users_token_cannot_be_revoked_and_answers_404(client):
    owner_token, token = api_token_create(user=UserFactory(), name="theirs")
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:api_token_revoke", args=[owner_token.id]))

    assert response.status_code == 404
    assert _bearer(token).get("/api/v1/me/").status_code == 200


def test_a_user_cannot_pile_up_tokens(client):
    user = UserFactory()
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=user, name=f"t{number}")
    client.force_login(user)

    response = client.post(reverse("accounts:api_tokens"), {"name": "one too many"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert ApiToken.objects.filter(user=user).count() == MAX_ACTIVE_TOKENS
