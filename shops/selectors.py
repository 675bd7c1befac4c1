from django.db.models import QuerySet

from distribution.choices import ResellerStatus

from .choices import ShopStatus
from .models import Shop


def shop_list_public() -> QuerySet[Shop]:
    """Shops a visitor can browse: open, and owned by an active reseller."""
    return Shop.objects.filter(status=ShopStatus.OPEN, owner__status=ResellerStatus.ACTIVE).order_by("-created_at")
