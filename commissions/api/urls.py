from rest_framework.routers import SimpleRouter

from .views import WithdrawalViewSet

router = SimpleRouter()
router.register("withdrawals", WithdrawalViewSet, basename="withdrawal")
urlpatterns = router.urls
