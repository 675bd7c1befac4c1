from django.urls import path

from . import views

app_name = "bargain"

# mounted at /bargain/
urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("mine/", views.my_bargains, name="mine"),
    path("<int:bargain_id>/", views.bargain_page, name="bargain"),
    path("<int:bargain_id>/help/", views.help_tap, name="help"),
    path("<int:bargain_id>/buy/", views.buy_page, name="buy"),
    path("<int:bargain_id>/qr.png", views.bargain_qr, name="qr"),
]
