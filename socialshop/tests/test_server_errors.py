"""A 500 under /api/ answers the API's error body (``server_error``, in the
request's language), never Django's HTML page: from a DRF view (the
exception handler) and from anything else (Django's handler500). Pages keep
their HTML 500.

This module is also the URLconf its tests run with: the project's URLs, the
project's error handlers, and views that fail."""

import logging

import pytest
from django.urls import path
from rest_framework.views import APIView

from socialshop import urls as project_urls

SERVER_ERROR_MESSAGE = "服务器出错了，请稍后再试。"


class Boom(RuntimeError):
    pass


class FailingApiView(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise Boom("a bug in an API view")


def failing_view(request):
    raise Boom("a bug in a plain view")


urlpatterns = [
    path("api/v1/test-failing/", FailingApiView.as_view()),
    path("api/v1/test-failing-plain/", failing_view),
    path("test-failing-page/", failing_view),
    *project_urls.urlpatterns,
]
handler404 = project_urls.handler404
# the project's handler, or Django's default where the project names none
handler500 = getattr(project_urls, "handler500", "django.views.defaults.server_error")


@pytest.fixture
def failing_client(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/test-failing/", "/api/v1/test-failing-plain/"], ids=["drf", "plain"])
def test_an_exception_under_api_answers_the_json_error_body(failing_client, url, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_client.get(url)

    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"code": "server_error", "message": SERVER_ERROR_MESSAGE, "fields": {}}
    # still logged with its traceback
    assert any(record.exc_info and record.exc_info[0] is Boom for record in caplog.records)


@pytest.mark.django_db
def test_an_api_views_exception_is_the_json_error_body_in_debug_mode_too(failing_client, settings):
    # Django's debug page replaces handler500 then; DRF's exception handler answers before it
    settings.DEBUG = True

    response = failing_client.get("/api/v1/test-failing/")

    assert response.status_code == 500 and response.json()["code"] == "server_error"


@pytest.mark.django_db
def test_the_test_client_still_raises_an_api_views_exception(client, settings):
    settings.ROOT_URLCONF = __name__

    with pytest.raises(Boom):
        client.get("/api/v1/test-failing/")


@pytest.mark.django_db
def test_an_exception_on_a_page_is_still_the_html_500(failing_client):
    response = failing_client.get("/test-failing-page/")

    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


def test_the_project_names_its_500_handler(rf):
    from socialshop.views import server_error

    response = server_error(rf.get("/api/v1/orders/"))

    assert project_urls.handler500 == "socialshop.views.server_error"
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
