from django.urls import path

from . import payment_views, views

app_name = "orders"

# mounted at the site's root
urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/", views.cart_add_view, name="cart_add"),
    path("cart/update/", views.cart_update_view, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("regions/", views.regions_json, name="regions"),
    path("orders/", views.order_list, name="list"),
    path("orders/<int:order_id>/", views.order_detail, name="detail"),
    path("orders/<int:order_id>/pay/", payment_views.order_pay, name="pay"),
    path("orders/<int:order_id>/pay/qr/", payment_views.order_pay_qr, name="pay_qr"),
    path("orders/<int:order_id>/pay/wechat/", payment_views.order_pay_jsapi, name="pay_jsapi"),
    path("orders/<int:order_id>/pay/return/", payment_views.order_pay_return, name="pay_return"),
    path("orders/<int:order_id>/cancel/", views.order_cancel_view, name="cancel"),
    path("orders/<int:order_id>/confirm-receipt/", views.order_confirm_view, name="confirm_receipt"),
    path("orders/<int:order_id>/lines/<int:line_id>/refund/", views.refund_request_view, name="refund_request"),
    # every provider's callbacks: the views answer only an enabled provider's name (404 for any other)
    path("payments/<slug:provider>/notify/", payment_views.payment_notify, name="payment_notify"),
    path("payments/<slug:provider>/refund-notify/", payment_views.refund_notify, name="refund_notify"),
    # a reseller's shop orders are the commissions app's pages (they show what the reseller earns on each)
    # the supplier portal
    path("supplier/orders/", views.supplier_shipments, name="supplier_shipments"),
    path("supplier/orders/upload/", views.supplier_shipments_upload, name="supplier_shipments_upload"),
    path("supplier/orders/to-ship.csv", views.supplier_shipments_export, name="supplier_shipments_export"),
    path("supplier/orders/<int:fulfilment_id>/", views.supplier_shipment, name="supplier_shipment"),
    path("supplier/orders/<int:fulfilment_id>/ship/", views.supplier_ship, name="supplier_ship"),
    path("supplier/orders/<int:fulfilment_id>/deliver/", views.supplier_deliver, name="supplier_deliver"),
    path("supplier/refunds/", views.supplier_refunds, name="supplier_refunds"),
    path("supplier/refunds/<int:refund_id>/decide/", views.supplier_refund_decide, name="supplier_refund_decide"),
]
