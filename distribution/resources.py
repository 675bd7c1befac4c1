"""What the admin's reseller list exports (django-import-export, CSV and
Excel): the reseller, its shop, its team's size and its sales in yuan."""

from django.utils.translation import gettext_lazy as _

from socialshop.csvexport import SpreadsheetResource, text_column, time_column, yuan_column

from .models import Reseller


class ResellerResource(SpreadsheetResource):
    nickname = text_column("user__nickname", _("nickname"))
    phone = text_column("user__phone", _("mobile number"))
    invite_code = text_column("invite_code", _("invite code"))
    inviter = text_column("inviter__invite_code", _("inviter's invite code"))
    status = text_column("get_status_display", _("status"))
    shop = text_column("shop__name", _("shop"))
    team_size = text_column("totals__team_size", _("team size"))
    own_sales = yuan_column("totals__own_sales_amount", _("own sales"))
    team_sales = yuan_column("totals__team_sales_amount", _("team sales"))
    joined = time_column("joined_at", _("joined at"))

    def get_queryset(self):
        return Reseller.objects.select_related("user", "inviter", "shop", "totals").order_by("id")
