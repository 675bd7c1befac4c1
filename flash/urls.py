from django.urls import path

from . import views

app_name = "flash"

# mounted at /flash/
urlpatterns = [
    path("", views.hall, name="hall"),
    path("items/<int:item_id>/", views.item_page, name="item"),
    path("items/<int:item_id>/grab/", views.grab, name="grab"),
    path("checkout/<str:token>/", views.checkout, name="checkout"),
]
