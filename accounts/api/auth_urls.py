from django.urls import path

from .auth_views import SmsCodeView, SmsLogInView

urlpatterns = [
    path("sms-codes/", SmsCodeView.as_view(), name="api-sms-codes"),
    path("sms-log-in/", SmsLogInView.as_view(), name="api-sms-log-in"),
]
