from django.urls import path

from . import views
from .payments import payment_sandbox_configured

app_name = "sandbox"

# mounted at the site's root. The gateway's cashier page (a real gateway's lives on its own site) is
# routed only while the sandbox is the provider that collects payments.
urlpatterns = (
    [path("sandbox/pay/<str:reference>/", views.sandbox_pay, name="pay")] if payment_sandbox_configured() else []
)
