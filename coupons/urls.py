from django.urls import path

from . import views

app_name = "coupons"

# mounted at the site's root
urlpatterns = [
    path("coupons/", views.centre, name="centre"),
    path("coupons/mine/", views.mine, name="mine"),
    path("coupons/<int:coupon_id>/claim/", views.claim, name="claim"),
    path("coupons/take/<str:token>/", views.take, name="take"),
    # the supplier portal's
    path("supplier/coupons/", views.supplier_coupons, name="supplier_coupons"),
    path("supplier/coupons/<int:coupon_id>/issue/", views.supplier_coupon_issue, name="supplier_coupon_issue"),
    # the reseller's own (under its shop's pages)
    path("my-shop/promo-codes/", views.reseller_codes, name="reseller_codes"),
    path("my-shop/promo-codes/<int:coupon_id>/stop/", views.reseller_code_stop_view, name="reseller_code_stop"),
]
