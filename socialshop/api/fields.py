import re

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from socialshop.money import InvalidAmount, amount_pattern, fen_to_yuan, yuan_to_fen

# what the API answers: always two decimals, negative where a balance or a markup can be
OUTPUT_AMOUNT_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"


class MoneyField(serializers.Field):
    """Money in the API, stored as integer fen. Answers a string of yuan with
    exactly two decimals (``"128.00"``); takes a string in the platform's one
    grammar (``socialshop.money.yuan_to_fen``: ``"128"``, ``"128.5"``,
    ``"128.50"``). ``signed`` accepts a leading ``-``, ``positive`` refuses 0.
    A refusal is a field error whose code (``amount_malformed`` …) says why."""

    def __init__(self, *, signed: bool = False, positive: bool = False, **kwargs):
        self.signed = signed
        self.positive = positive
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> str:
        return str(fen_to_yuan(value))

    def to_internal_value(self, data) -> int:
        try:
            return yuan_to_fen(data, signed=self.signed, positive=self.positive)
        except InvalidAmount as error:
            raise serializers.ValidationError(error.message, code=error.code) from error


class MoneyFieldSchema(OpenApiSerializerFieldExtension):
    """The schema says exactly what the field takes and what it answers
    (``[0-9]``, not ``\\d``: a Python-side fuzzer reads ``\\d`` as any
    Unicode digit, which the grammar refuses)."""

    target_class = MoneyField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            example = "-12.50" if self.target.signed else "128.50"
            return {"type": "string", "pattern": amount_pattern(signed=self.target.signed), "example": example}
        return {"type": "string", "pattern": OUTPUT_AMOUNT_PATTERN, "example": "128.00"}


_DIGITS = re.compile(r"-?[0-9]+")


class StrictIntegerField(serializers.IntegerField):
    """An integer that is an integer: DRF's ``IntegerField`` takes ``1.0``,
    ``"1.0"``, ``true`` and full-width ``"１"`` as 1. In JSON only a JSON
    integer is taken; where every value travels as text (a query string, a
    form, multipart) only plain ASCII digits with an optional ``-``."""

    default_error_messages = {"not_an_integer": _("Give a whole number, e.g. 2 (not 2.0, true or text).")}

    def to_internal_value(self, data) -> int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        if isinstance(data, str) and self._sent_as_text():
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            if _DIGITS.fullmatch(data):
                return int(data)
        self.fail("not_an_integer")

    def _sent_as_text(self) -> bool:
        return isinstance(getattr(self.root, "initial_data", None), QueryDict)
