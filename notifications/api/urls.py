from django.urls import path

from . import views

urlpatterns = [
    path("messages/", views.InboxList.as_view(), name="notification-messages"),
    path("messages/unread-count/", views.UnreadCount.as_view(), name="notification-unread-count"),
    path("messages/read/", views.MarkRead.as_view(), name="notification-mark-read"),
    path("preferences/", views.Preferences.as_view(), name="notification-preferences"),
]
