from django.urls import path

from . import views

# mounted at /api/v1/flash/
urlpatterns = [
    path("campaigns/", views.FlashCampaignList.as_view(), name="api-flash-campaigns"),
    path("items/<int:item_id>/grab/", views.FlashGrab.as_view(), name="api-flash-grab"),
    path("orders/", views.FlashOrderCreate.as_view(), name="api-flash-orders"),
]
