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
