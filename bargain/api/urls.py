from django.urls import path

from . import views

# mounted at /api/v1/bargains/
urlpatterns = [
    path("", views.BargainStart.as_view(), name="api-bargains-start"),
    path("mine/", views.MyBargains.as_view(), name="api-bargains-mine"),
    path("<int:bargain_id>/", views.BargainDetail.as_view(), name="api-bargain"),
    path("<int:bargain_id>/help/", views.BargainHelp.as_view(), name="api-bargain-help"),
    path("<int:bargain_id>/buy/", views.BargainBuy.as_view(), name="api-bargain-buy"),
]
