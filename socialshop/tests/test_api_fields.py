import re

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.test import APIClient

from socialshop.api.fields import OUTPUT_AMOUNT_PATTERN, MoneyField, StrictIntegerField
from socialshop.money import AMOUNT_PATTERN, SIGNED_AMOUNT_PATTERN


class _Input(serializers.Serializer):
    amount = MoneyField(required=False)
    balance_amount = MoneyField(signed=True, required=False)
    quantity = StrictIntegerField(min_value=1, required=False)


def _errors(data) -> dict:
    serializer = _Input(data=data)
    serializer.is_valid()
    return serializer.errors


@pytest.mark.parametrize("quantity", [2.0, 1.5, True, False, "2", "2.0", "２", None, [2], {"n": 2}])
def test_a_json_integer_is_the_only_integer_json_may_send(quantity):
    assert _errors({"quantity": quantity})["quantity"][0].code in ("not_an_integer", "null")


@pytest.mark.parametrize("typed, ok", [("2", True), ("-1", False), ("2.0", False), ("２", False), (" 2", False)])
def test_a_form_or_query_string_sends_an_integer_as_ascii_digits(typed, ok):
    errors = _errors(QueryDict(f"quantity={typed}"))

    assert ("quantity" not in errors) is ok


@given(quantity=st.integers(min_value=1))
def test_every_json_integer_in_range_is_taken(quantity):
    serializer = _Input(data={"quantity": quantity})

    assert serializer.is_valid() and serializer.validated_data["quantity"] == quantity


def test_a_sign_is_taken_only_by_a_field_that_says_so():
    serializer = _Input(data={"amount": "-1.00", "balance_amount": "-1.00"})

    assert not serializer.is_valid()
    assert serializer.errors == {"amount": [serializers.ErrorDetail("金额不能为负数。", code="amount_negative")]}


@pytest.mark.django_db
def test_the_schema_promises_the_grammar_on_input_and_two_decimals_on_output():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert schema["WithdrawalRequest"]["properties"]["amount"]["pattern"] == AMOUNT_PATTERN
    assert schema["RefundIn"]["properties"]["amount"]["pattern"] == AMOUNT_PATTERN
    assert schema["Withdrawal"]["properties"]["amount"]["pattern"] == OUTPUT_AMOUNT_PATTERN
    assert schema["LineIn"]["properties"]["quantity"]["type"] == "integer"
    assert re.fullmatch(OUTPUT_AMOUNT_PATTERN, "-12.00") and not re.fullmatch(OUTPUT_AMOUNT_PATTERN, "12")
    assert SIGNED_AMOUNT_PATTERN.startswith("^-?")
