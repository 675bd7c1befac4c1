from django.urls import path

from . import views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="api-customers"),
    path("customers/<int:customer_id>/", views.CustomerNoteView.as_view(), name="api-customer-note"),
    path("customers/<int:customer_id>/reminders/", views.ReminderCreateView.as_view(), name="api-customer-reminders"),
    path("funnel/", views.FunnelView.as_view(), name="api-funnel"),
]
