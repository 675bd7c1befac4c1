from django.urls import path

from . import views

# mounted at /api/v1/
urlpatterns = [
    path("orders/", views.OrderListCreate.as_view(), name="api-orders"),
    path("orders/<int:order_id>/", views.OrderDetail.as_view(), name="api-order"),
    path("orders/<int:order_id>/pay/", views.OrderPay.as_view(), name="api-order-pay"),
    path("orders/<int:order_id>/cancel/", views.OrderCancel.as_view(), name="api-order-cancel"),
    path("orders/<int:order_id>/confirm-receipt/", views.OrderConfirmReceipt.as_view(), name="api-order-confirm"),
    path("orders/<int:order_id>/refunds/", views.OrderRefundCreate.as_view(), name="api-order-refunds"),
    path("shop-orders/", views.ShopOrderList.as_view(), name="api-shop-orders"),
    path("shop-orders/<int:order_id>/", views.ShopOrderDetail.as_view(), name="api-shop-order"),
    path("fulfilments/", views.FulfilmentList.as_view(), name="api-fulfilments"),
    path("fulfilments/<int:fulfilment_id>/", views.FulfilmentDetail.as_view(), name="api-fulfilment"),
    path("fulfilments/<int:fulfilment_id>/ship/", views.FulfilmentShip.as_view(), name="api-fulfilment-ship"),
    path("regions/", views.RegionList.as_view(), name="api-regions"),
]
