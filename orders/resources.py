"""What the admin's order list exports (django-import-export, CSV and Excel):
Chinese headers, money in yuan, times in Beijing time (docs/growth.md, "Exports")."""

from django.utils.translation import gettext_lazy as _

from socialshop.csvexport import SpreadsheetResource, text_column, time_column, yuan_column

from .models import Order


def _label(name: str):
    return Order._meta.get_field(name).verbose_name


class OrderResource(SpreadsheetResource):
    number = text_column("number", _("order number"))
    buyer = text_column("buyer__nickname", _label("buyer"))
    buyer_phone = text_column("buyer__phone", _("buyer's mobile number"))
    status = text_column("get_status_display", _label("status"))
    total = yuan_column("total_amount", _("total"))
    discount = yuan_column("discount_amount", _("coupon discount"))
    paid = yuan_column("paid_amount", _("paid"))
    refunded = yuan_column("refunded_amount", _("refunded"))
    region = text_column("region_label", _("region"))
    created = time_column("created_at", _label("created_at"))
    paid_at = time_column("paid_at", _label("paid_at"))
    completed = time_column("completed_at", _label("completed_at"))

    def get_queryset(self):
        return Order.objects.select_related("buyer").order_by("-id")
