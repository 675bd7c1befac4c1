"""JSON from outside is read within limits: too deep answers 400
``json_too_deep`` (not a RecursionError and a 500), too large 413
``json_too_large``, through every API view's parser."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import parsers
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from distribution.tests.factories import ResellerFactory
from socialshop.api.parsers import JSONParser
from socialshop.json_input import JsonTooDeep, JsonTooLarge, json_input_parse

DEEP_ARRAYS = b"[" * 2000 + b"]" * 2000
DEEP_OBJECTS = b'{"a":' * 2000 + b"1" + b"}" * 2000


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_within_the_limits_reads_as_json_does():
    body = json.dumps({"name": "小店", "prices": [{"sku_id": 1, "note": "[[{{ not nesting"}]}).encode()

    assert json_input_parse(body) == json.loads(body)
    assert json_input_parse(_nested(64)) == json.loads(_nested(64))


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS, _nested(65)], ids=["arrays", "objects", "65 levels"])
def test_json_nested_past_the_limit_is_refused_before_it_is_parsed(body):
    with pytest.raises(JsonTooDeep) as refused:
        json_input_parse(body)

    assert refused.value.code == "json_too_deep" and refused.value.http_status == 400


def test_brackets_inside_strings_do_not_count_as_nesting():
    body = json.dumps(["[" * 100, "{" * 100, '\\"[[['], ensure_ascii=False).encode()

    assert json_input_parse(body) == json.loads(body)


def test_json_over_the_size_limit_is_refused(settings):
    settings.JSON_BODY_MAX_BYTES = 1024

    with pytest.raises(JsonTooLarge) as refused:
        json_input_parse(json.dumps({"intro": "x" * 1024}).encode())

    assert refused.value.code == "json_too_large" and refused.value.http_status == 413


@pytest.mark.parametrize("body", [b"{", b"NaN", b'{"a": Infinity}', b"\xff"])
def test_what_is_not_json_is_a_value_error(body):
    with pytest.raises(ValueError):
        json_input_parse(body)


# --- through the API --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_an_api_body_nested_too_deep_answers_400_json_too_deep(body):
    client = APIClient()
    client.force_authenticate(UserFactory())

    response = client.post("/api/v1/webhooks/endpoints/", data=body, content_type="application/json")

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "json_too_deep" and response.json()["fields"] == {}
    assert "64" in response.json()["message"]


@pytest.mark.django_db
def test_an_api_body_over_the_json_size_limit_answers_413(settings):
    settings.JSON_BODY_MAX_BYTES = 1024
    client = APIClient()
    client.force_authenticate(UserFactory())

    response = client.post(
        "/api/v1/webhooks/endpoints/", data={"url": "https://x.example.com/" + "a" * 2000}, format="json"
    )

    assert response.status_code == 413 and response.json()["code"] == "json_too_large"


@pytest.mark.django_db
def test_a_view_that_names_its_parsers_reads_json_within_the_limits_too():
    client = APIClient()
    client.force_authenticate(ResellerFactory().user)

    response = client.post("/api/v1/shops/mine/", data=DEEP_ARRAYS, content_type="application/json")

    assert response.status_code == 400 and response.json()["code"] == "json_too_deep"


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield pattern.callback


def test_every_api_view_parses_json_with_the_projects_parser():
    views = list(_views(get_resolver().url_patterns))
    assert len(views) > 20

    strays = {
        view.cls.__qualname__: parser.__module__ + "." + parser.__qualname__
        for view in views
        for parser in view.initkwargs.get("parser_classes", view.cls.parser_classes)
        if issubclass(parser, parsers.JSONParser) and not issubclass(parser, JSONParser)
    }

    assert strays == {}
