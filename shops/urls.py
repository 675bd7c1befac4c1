from django.urls import path

from . import views

app_name = "shops"

# mounted at the site's root: the storefront under /s/, the owner's pages under /my-shop/
urlpatterns = [
    path("s/<slug:slug>/", views.storefront, name="storefront"),
    path("s/<slug:slug>/categories/", views.shop_categories_page, name="categories"),
    path("s/<slug:slug>/share/", views.shop_share, name="share"),
    path("s/<slug:slug>/poster.png", views.shop_poster, name="poster"),
    path("s/<slug:slug>/p/<int:product_id>/", views.product_page, name="product"),
    path("s/<slug:slug>/p/<int:product_id>/share/", views.product_share, name="product_share"),
    path("s/<slug:slug>/p/<int:product_id>/poster.png", views.product_poster, name="product_poster"),
    # /my-shop/ itself is the workbench, /my-shop/catalogue/ 选品 (commissions: they show its figures)
    path("my-shop/products/", views.manage, name="manage"),
    path("my-shop/open/", views.open_shop, name="open"),
    path("my-shop/edit/", views.edit_shop, name="edit"),
    path("my-shop/status/", views.set_open, name="set_open"),
    path("my-shop/catalogue/<int:product_id>/pick/", views.pick_add, name="pick_add"),
    path("my-shop/picks/<int:pick_id>/", views.pick_edit, name="pick_edit"),
    path("my-shop/picks/<int:pick_id>/move/", views.pick_move, name="pick_move"),
    path("my-shop/picks/<int:pick_id>/hide/", views.pick_toggle_hidden, name="pick_toggle_hidden"),
    path("my-shop/picks/<int:pick_id>/remove/", views.pick_remove, name="pick_remove"),
]
