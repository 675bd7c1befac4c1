from django.urls import path

from . import views

# mounted at /api/v1/catalog/
urlpatterns = [
    path("products/", views.CatalogueProductList.as_view(), name="api-catalogue-products"),
    path("products/<int:pk>/", views.CatalogueProductDetail.as_view(), name="api-catalogue-product"),
    path(
        "supplier/products/<int:product_id>/images/",
        views.SupplierProductImageUpload.as_view(),
        name="api-supplier-product-images",
    ),
]
