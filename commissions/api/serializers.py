from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commissions.choices import (
    CommissionKind,
    CommissionState,
    GradeConditionKind,
    PayoutAccountKind,
    PayoutItemOutcome,
    WithdrawalStatus,
)
from commissions.models import Commission, PayoutAccount, Withdrawal
from socialshop.api.fields import MoneyField


class WithdrawalRequestSerializer(serializers.Serializer):
    amount = MoneyField(help_text='Yuan, at most two decimals, e.g. "100.00".')
    payout_account = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="One of my payout accounts (its id); left out, the latest added.",
    )


class TransferToAcceptSerializer(serializers.Serializer):
    """What WeChat's ``requestMerchantTransfer`` needs to let the payee accept a transfer."""

    package = serializers.CharField(help_text="WeChat Pay's package_info.")
    accept_by = serializers.DateTimeField(help_text="Not accepted by then, the transfer is cancelled.")


class PayoutAccountSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PayoutAccountKind.choices)
    account_masked = serializers.CharField(source="masked", help_text="The account with its middle hidden.")

    class Meta:
        model = PayoutAccount
        fields = ["id", "kind", "account_masked", "real_name", "bank_name", "created_at"]
        read_only_fields = fields


class PayoutAccountCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PayoutAccountKind.choices)
    account = serializers.CharField(
        max_length=100, required=False, default="", help_text="Alipay log-in or card number; WeChat: left out."
    )
    real_name = serializers.CharField(max_length=50, required=False, default="")
    bank_name = serializers.CharField(max_length=50, required=False, default="")


class WithdrawalSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    fee_amount = MoneyField()
    tax_amount = MoneyField(help_text="Income tax withheld (预扣个税) under the deployment's rule; 0.00 when off.")
    net_amount = MoneyField(help_text="What the payout sends: amount − fee − tax.")
    status = serializers.ChoiceField(choices=WithdrawalStatus.choices)
    transfer_to_accept = serializers.SerializerMethodField(
        help_text="A WeChat transfer waiting for me to accept it in WeChat; otherwise null."
    )

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
            "payout_account",
            "transfer_to_accept",
            "requested_at",
            "decided_at",
            "paid_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TransferToAcceptSerializer(allow_null=True))
    def get_transfer_to_accept(self, withdrawal: Withdrawal) -> dict | None:
        item = getattr(withdrawal, "payout", None)
        if item is None or item.outcome != PayoutItemOutcome.PENDING or not item.package_info:
            return None
        return {"package": item.package_info, "accept_by": item.confirm_until}


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


# --- reseller grades (分销等级) -------------------------------------------------------------


class GradeRateSerializer(serializers.Serializer):
    tier = serializers.IntegerField()
    rate_bps = serializers.IntegerField(
        allow_null=True, help_text="Basis points of the commission base; null: the plan's rate."
    )


class GradeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    badge = serializers.CharField(help_text="A character or two shown in a circle of the colour, e.g. 金.")
    colour = serializers.CharField(help_text="The badge's colour, #rrggbb.")
    rank = serializers.IntegerField(help_text="Higher is better.")
    rates = GradeRateSerializer(many=True)


class GradeConditionProgressSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=GradeConditionKind.choices)
    unit = serializers.ChoiceField(choices=["yuan", "count"])
    window_days = serializers.IntegerField(help_text="Over the last this many days.")
    figure = serializers.CharField(help_text='My own figure: yuan ("1200.00") or a count ("3").')
    threshold = serializers.CharField(help_text="What the next grade asks, in the same unit.")
    percent = serializers.IntegerField(min_value=0, max_value=100)
    met = serializers.BooleanField()


class GradeProgressSerializer(serializers.Serializer):
    grade = GradeSerializer(allow_null=True, help_text="The grade I hold; null: none (the plan's rates).")
    since = serializers.DateTimeField(allow_null=True)
    set_by_hand = serializers.BooleanField(help_text="An operator set it; the automatic rule leaves it.")
    next_grade = GradeSerializer(allow_null=True)
    conditions = GradeConditionProgressSerializer(many=True, help_text="Toward the next grade: my own results only.")
