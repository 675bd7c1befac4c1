from django.urls import path

from . import views

app_name = "distribution"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.team_invite, name="invite"),
    path("team/invite/qr.png", views.invite_qr, name="invite_qr"),
    path("team/invite/poster.png", views.invite_poster, name="invite_poster"),
    path("binding/", views.binding, name="binding"),
    path("binding/end/", views.binding_end, name="binding_end"),
]
