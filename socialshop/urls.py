from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve as serve_file
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import admin_log_in

from . import views
from .health import healthz

api_v1 = [
    # each app adds: path("<area>/", include("<app>.api.urls")); orders first, as the busiest
    path("", include("orders.api.urls")),
    path("flash/", include("flash.api.urls")),
    path("distribution/", include("distribution.api.urls")),
    path("catalog/", include("catalog.api.urls")),
    path("shops/", include("shops.api.urls")),
    path("coupons/", include("coupons.api.urls")),
    path("me/", include("accounts.api.urls")),
    path("auth/", include("accounts.api.auth_urls")),
    path("webhooks/", include("webhooks.api.urls")),
    path("notifications/", include("notifications.api.urls")),
    path("", include("commissions.api.urls")),
    path("groups/", include("groupbuy.api.urls")),
    path("growth/", include("growth.api.urls")),
    path("bargains/", include("bargain.api.urls")),
]

if settings.BENCH_ENDPOINTS:  # bench/orders.py's baseline (bench/baseline.py): only on a server the bench starts
    api_v1.append(path("bench/", include("bench.baseline")))

urlpatterns = [
    # the API first: every request walks this list until a pattern matches, and the API is the busiest
    path("api/v1/", include(api_v1)),
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", views.account, name="account"),
    path("accounts/", include("accounts.urls")),
    path("", include("distribution.urls")),
    path("supplier/", include("catalog.urls")),
    path("", include("shops.urls")),
    path("", include("orders.urls")),
    path("", include("coupons.urls")),
    path("", include("sandbox.urls")),  # the sandbox gateway's cashier page, while it is the provider
    path("", include("commissions.urls")),
    path("", include("groupbuy.urls")),
    path("flash/", include("flash.urls")),
    path("bargain/", include("bargain.urls")),
    path("", include("audit.urls")),
    path("", include("notifications.urls")),
    path("", include("growth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # the admin's log-in page behind the site log-in's throttle; before admin.site.urls, which would match it
    path("admin/login/", admin_log_in, name="admin_log_in"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves Swagger UI's set-up script as a file, so the page needs no inline script (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve_file, {"document_root": settings.MEDIA_ROOT}))

handler404 = "socialshop.views.page_not_found"
handler500 = "socialshop.views.server_error"

# the admin's header, its pages' titles and its front page, in the operator's language
admin.site.site_header = _("Social shop operations")
admin.site.site_title = _("Social shop operations")
admin.site.index_title = _("Operations")
