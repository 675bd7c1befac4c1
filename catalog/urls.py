from django.urls import path

from . import views

app_name = "catalog"

# the supplier portal, mounted at /supplier/
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("products/<int:product_id>/images/", views.product_image_upload, name="product_image_upload"),
    path(
        "products/<int:product_id>/images/<int:image_id>/delete/",
        views.product_image_remove,
        name="product_image_remove",
    ),
    path("products/<int:product_id>/off-sale/", views.product_take_off_sale, name="product_take_off_sale"),
    path("products/<int:product_id>/skus/new/", views.sku_edit, name="sku_new"),
    path("products/<int:product_id>/skus/<int:sku_id>/", views.sku_edit, name="sku_edit"),
]
