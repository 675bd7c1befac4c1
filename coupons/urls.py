from django.urls import path

from . import views

app_name = "coupons"

# mounted at the site's root
urlpatterns = [
    path("coupons/", views.centre, name="centre"),
    path("coupons/mine/", views.mine, name="mine"),
    path("coupons/<int:coupon_id>/claim/", views.claim, name="claim"),
    path("coupons/take/<str:token>/", views.take, name="take"),
]
