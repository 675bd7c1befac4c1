from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from socialshop.money import InvalidAmount, fen_to_yuan, yuan_to_fen


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "128.00"})
class MoneyField(serializers.Field):
    """Money in the API: a string of yuan with exactly two decimals
    (``"128.00"``), stored as integer fen. Input accepts a string or integer
    of yuan with at most two decimals; floats, negatives and more decimals
    are refused with a field error."""

    default_error_messages = {"invalid": 'Enter an amount in yuan with at most two decimals, e.g. "12.50".'}

    def to_representation(self, value: int) -> str:
        return str(fen_to_yuan(value))

    def to_internal_value(self, data) -> int:
        if isinstance(data, (float, bool)) or not isinstance(data, (str, int, Decimal)):
            self.fail("invalid")
        try:
            return yuan_to_fen(data)
        except InvalidAmount:
            self.fail("invalid")
