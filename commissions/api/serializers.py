from rest_framework import serializers

from commissions.choices import WithdrawalStatus
from commissions.models import Withdrawal
from socialshop.api.fields import MoneyField


class WithdrawalRequestSerializer(serializers.Serializer):
    amount = MoneyField(help_text='Yuan, at most two decimals, e.g. "100.00".')


class WithdrawalSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    fee_amount = MoneyField()
    net_amount = MoneyField()
    status = serializers.ChoiceField(choices=WithdrawalStatus.choices)

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "amount",
            "fee_amount",
            "net_amount",
            "status",
            "failure_reason",
            "requested_at",
            "decided_at",
            "paid_at",
        ]
        read_only_fields = fields
