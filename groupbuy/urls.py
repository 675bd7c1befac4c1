from django.urls import path

from . import views

app_name = "groupbuy"

# mounted at the site's root
urlpatterns = [
    path("group-buying/campaigns/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("group-buying/<int:group_id>/", views.group_page, name="group"),
    path("group-buying/<int:group_id>/qr.png", views.group_qr, name="group_qr"),
    path("group-buying/<int:group_id>/poster.png", views.group_poster_png, name="group_poster"),
    path("group-buying/mine/", views.my_groups, name="mine"),
    # the supplier portal's
    path("supplier/group-buying/", views.supplier_campaigns, name="supplier_campaigns"),
]
