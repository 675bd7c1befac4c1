from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext
from django.views import defaults

from accounts.views import wechat_link_url
from shops.selectors import shop_list_public

from .api.exceptions import error_body, server_error_body

HOME_SHOP_COUNT = 24


def home(request):
    return render(request, "home.html", {"shops": shop_list_public()[:HOME_SHOP_COUNT]})


@login_required
def account(request):
    """The account page: who is logged in, and every page of theirs (the top
    bar keeps one line on a phone by linking here)."""
    return render(request, "account.html", {"wechat_link_url": wechat_link_url(request)})


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links: the icon among the static files."""
    return redirect(static("favicon.ico"))


def page_not_found(request, exception):
    """404 for a URL no view matched: the API's error body under /api/ (a
    client sent a path like /api/v1/shops/mine/picks/abc/), the usual page
    elsewhere."""
    if request.path.startswith("/api/"):
        body = error_body("not_found", gettext("Not found."))
        return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 for an exception no view handled: the API's error body under
    /api/ (a client reads JSON, whatever went wrong), the usual page
    elsewhere. DRF's views answer their own 500s the same way
    (socialshop.api.exceptions)."""
    if request.path.startswith("/api/"):
        return JsonResponse(server_error_body(), status=500, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)
