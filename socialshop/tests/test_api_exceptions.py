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
