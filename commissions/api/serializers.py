from rest_framework import serializers

from commissions.choices import CommissionKind, CommissionState, WithdrawalStatus
from commissions.models import Commission, Withdrawal
from socialshop.api.fields import MoneyField


class WithdrawalRequestSerializer(serializers.Serializer):
    amount = MoneyField(help_text='Yuan, at most two decimals, e.g. "100.00".')


class WithdrawalSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    fee_amount = MoneyField()
    tax_amount = MoneyField(help_text="Income tax withheld (预扣个税) under the deployment's rule; 0.00 when off.")
    net_amount = MoneyField(help_text="What the payout sends: amount − fee − tax.")
    status = serializers.ChoiceField(choices=WithdrawalStatus.choices)

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "amount",
            "fee_amount",
            "tax_amount",
            "net_amount",
            "status",
            "failure_reason",
            "requested_at",
            "decided_at",
            "paid_at",
        ]
        read_only_fields = fields


class MoneySummarySerializer(serializers.Serializer):
    frozen_amount = MoneyField(help_text="Earned, not settled yet (冻结).")
    withdrawable_amount = MoneyField(help_text="May be withdrawn (可提现); negative after a large clawback.")
    withdrawal_pending_amount = MoneyField(help_text="Asked for, not paid yet (less the income tax withheld).")
    withdrawn_amount = MoneyField(help_text="Paid out, all time.")


class CommissionSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    product_title = serializers.CharField(source="order_line.title")
    kind = serializers.ChoiceField(choices=CommissionKind.choices)
    state = serializers.ChoiceField(choices=CommissionState.choices)
    base_amount = MoneyField()
    amount = MoneyField(help_text="Earned when the payment was confirmed.")
    reversed_amount = MoneyField(help_text="Taken back by refunds before settlement.")
    clawed_back_amount = MoneyField(help_text="Taken back by refunds after settlement (扣回).")
    net_amount = MoneyField()

    class Meta:
        model = Commission
        fields = [
            "id",
            "order_id",
            "order_number",
            "product_title",
            "kind",
            "tier",
            "rate_bps",
            "base_amount",
            "amount",
            "reversed_amount",
            "clawed_back_amount",
            "net_amount",
            "state",
            "created_at",
            "matures_at",
            "settled_at",
        ]
        read_only_fields = fields
