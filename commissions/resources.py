"""What the admin's commission and withdrawal lists export
(django-import-export, CSV and Excel): Chinese headers, money in yuan,
Beijing time. Payout accounts (card numbers) are not exported."""

from django.utils.translation import gettext_lazy as _

from socialshop.csvexport import SpreadsheetResource, text_column, time_column, yuan_column

from .models import Commission, Withdrawal


class CommissionResource(SpreadsheetResource):
    id = text_column("id", _("commission number"))
    order = text_column("order__number", _("order number"))
    beneficiary = text_column("beneficiary__user__nickname", _("beneficiary"))
    beneficiary_phone = text_column("beneficiary__user__phone", _("mobile number"))
    kind = text_column("get_kind_display", _("kind"))
    tier = text_column("tier", _("tier"))
    base = yuan_column("base_amount", _("base"))
    earned = yuan_column("amount", _("earned"))
    reversed = yuan_column("reversed_amount", _("reversed before settlement"))
    clawed_back = yuan_column("clawed_back_amount", _("clawed back after settlement"))
    kept = yuan_column("net_amount", _("kept"))
    state = text_column("get_state_display", _("state"))
    created = time_column("created_at", _("created at"))
    matures = time_column("matures_at", _("matures at"))
    settled = time_column("settled_at", _("settled at"))

    def get_queryset(self):
        return Commission.objects.select_related("order", "beneficiary__user").order_by("-id")


class WithdrawalResource(SpreadsheetResource):
    id = text_column("id", _("withdrawal number"))
    reseller = text_column("reseller__user__nickname", _("reseller"))
    phone = text_column("reseller__user__phone", _("mobile number"))
    amount = yuan_column("amount", _("amount"))
    fee = yuan_column("fee_amount", _("fee"))
    tax = yuan_column("tax_amount", _("tax withheld"))
    status = text_column("get_status_display", _("status"))
    requested = time_column("requested_at", _("requested at"))
    decided = time_column("decided_at", _("decided at"))
    paid = time_column("paid_at", _("paid at"))
    failure = text_column("failure_reason", _("why it failed or was rejected"))

    def get_queryset(self):
        return Withdrawal.objects.select_related("reseller__user").order_by("-id")
