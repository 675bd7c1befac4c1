from django.urls import path

from . import views

# mounted at /api/v1/groups/
urlpatterns = [
    path("", views.GroupOpen.as_view(), name="api-groups-open"),
    path("mine/", views.MyGroups.as_view(), name="api-groups-mine"),
    path("<int:group_id>/", views.GroupDetail.as_view(), name="api-group"),
    path("<int:group_id>/join/", views.GroupJoin.as_view(), name="api-group-join"),
    path("campaigns/<int:campaign_id>/", views.CampaignDetail.as_view(), name="api-groups-campaign"),
]
