import pytest
from rest_framework import exceptions

from socialshop.api.exceptions import api_exception_handler


def test_nested_field_errors_are_named_by_their_path():
    error = exceptions.ValidationError(
        {"name": ["Required."], "prices": [{}, {"sku_id": ["Required."], "price_amount": ["Bad."]}]}
    )

    body = api_exception_handler(error, {}).data

    assert body["code"] == "validation_error"
    assert body["fields"] == {
        "name": ["Required."],
        "prices.1.sku_id": ["Required."],
        "prices.1.price_amount": ["Bad."],
    }


def test_bad_items_of_a_list_of_plain_values_are_reported_on_the_list():
    error = exceptions.ValidationError({"events": {1: ["Not a choice."], 3: ["Not a choice."]}})

    assert api_exception_handler(error, {}).data["fields"] == {"events": ["Not a choice.", "Not a choice."]}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "-1", "abc", "999"])
def test_a_bad_page_number_is_a_400_on_the_page_parameter(page):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/catalog/products/", {"page": page})

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "page" in response.json()["fields"]


def test_a_validation_error_names_each_fields_reason_as_a_code():
    error = exceptions.ValidationError(
        {
            "amount": [exceptions.ErrorDetail("…", code="amount_malformed")],
            "prices": [{}, {"sku_id": [exceptions.ErrorDetail("…", code="not_an_integer")]}],
        }
    )

    body = api_exception_handler(error, {}).data

    assert body["field_codes"] == {"amount": ["amount_malformed"], "prices.1.sku_id": ["not_an_integer"]}
    assert body["fields"].keys() == body["field_codes"].keys()
