from django.urls import path

from .views import MeView, PhoneChangeView, PhoneCodeView, SessionEndView, SessionListView, SessionsEndAllView

urlpatterns = [
    path("", MeView.as_view(), name="api-me"),
    path("sessions/", SessionListView.as_view(), name="api-me-sessions"),
    path("sessions/end-all/", SessionsEndAllView.as_view(), name="api-me-sessions-end-all"),
    path("sessions/<int:id>/", SessionEndView.as_view(), name="api-me-session"),
    path("phone/codes/", PhoneCodeView.as_view(), name="api-me-phone-codes"),
    path("phone/", PhoneChangeView.as_view(), name="api-me-phone"),
]
