from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CommissionViewSet, GradeView, MoneySummaryView, PayoutAccountViewSet, WithdrawalViewSet

router = SimpleRouter()
router.register("withdrawals", WithdrawalViewSet, basename="withdrawal")
router.register("payout-accounts", PayoutAccountViewSet, basename="payout-account")
router.register("commissions", CommissionViewSet, basename="commission")
urlpatterns = [
    path("money/", MoneySummaryView.as_view(), name="api-money"),
    path("grade/", GradeView.as_view(), name="api-grade"),
    *router.urls,
]
