from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/read/", views.inbox_read, name="read"),
    path("messages/settings/", views.preferences, name="preferences"),
]
