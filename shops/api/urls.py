from django.urls import path

from . import views

# mounted at /api/v1/shops/ ("mine" is a reserved shop address)
urlpatterns = [
    path("mine/", views.MyShop.as_view(), name="api-my-shop"),
    path("mine/picks/", views.MyPickList.as_view(), name="api-my-picks"),
    path("mine/picks/<int:pick_id>/", views.MyPickDetail.as_view(), name="api-my-pick"),
    path("<slug:slug>/", views.PublicShopDetail.as_view(), name="api-shop"),
    path("<slug:slug>/products/", views.PublicShopProductList.as_view(), name="api-shop-products"),
    path("<slug:slug>/products/<int:product_id>/", views.PublicShopProductDetail.as_view(), name="api-shop-product"),
]
