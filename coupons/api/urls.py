from django.urls import path

from . import views

# mounted at /api/v1/coupons/
urlpatterns = [
    path("", views.CouponList.as_view(), name="api-coupons"),
    path("promo-codes/", views.PromoCodeList.as_view(), name="api-promo-codes"),
    path("promo-codes/<int:coupon_id>/stop/", views.PromoCodeStop.as_view(), name="api-promo-code-stop"),
    path("mine/", views.MyCouponList.as_view(), name="api-my-coupons"),
    path("<int:coupon_id>/claim/", views.CouponClaim.as_view(), name="api-coupon-claim"),
]
