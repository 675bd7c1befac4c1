from django.urls import path

from . import views

urlpatterns = [
    path("team/", views.TeamView.as_view(), name="api-team"),
    path("team/members/", views.TeamMemberListView.as_view(), name="api-team-members"),
    path("binding/", views.BindingView.as_view(), name="api-binding"),
    path("join/", views.JoinView.as_view(), name="api-join"),
]
