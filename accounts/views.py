from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from socialshop.errors import DomainError

from .forms import ApiTokenForm, LogInForm, SignUpForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke, user_create
from .throttles import log_in_retry_after


def _next_page(request) -> str:
    """Where the visitor was going (``?next=``, carried from the log-in page
    through the sign-up form), if it is a page of this site; else ""."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@require_http_methods(["GET", "POST"])
def sign_up(request):
    next_page = _next_page(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password1"],
                nickname=form.cleaned_data["nickname"],
            )
        except DomainError as error:  # a sign-up with the same number won the race
            form.add_error("phone", error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(next_page or "home")
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_page})


class LogInView(auth_views.LoginView):
    """Log-in, throttled per account and per address: past the limit the
    page answers 429 with Retry-After and checks no password."""

    template_name = "accounts/log_in.html"
    authentication_form = LogInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        retry_after = log_in_retry_after(request)
        if retry_after:
            return log_in_refused(request, retry_after=retry_after, next_url=self.get_redirect_url())
        return super().post(request, *args, **kwargs)

    def get_default_redirect_url(self):
        """Where a log-in without ``next`` lands: a reseller in its shop
        (``RESELLER_LOGIN_REDIRECT_URL``), anyone else on the home page."""
        if self.request.user.is_authenticated and self.request.user.is_reseller:
            return resolve_url(settings.RESELLER_LOGIN_REDIRECT_URL)
        return super().get_default_redirect_url()


@never_cache
def admin_log_in(request):
    """The operators' log-in (``/admin/login/``): the admin's own page,
    behind the site log-in's throttle, so an operator's password is no
    easier to guess than anyone's."""
    if request.method == "POST":
        retry_after = log_in_retry_after(request)
        if retry_after:
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = reverse("admin:index")
            return log_in_refused(request, retry_after=retry_after, next_url=next_url)
    return admin.site.login(request)


def log_in_refused(request, *, retry_after: int, next_url: str):
    """The log-in page for an attempt over the limit: 429 with Retry-After,
    the typed number kept, the password not checked (an unbound form)."""
    form = LogInForm(request, initial={"username": request.POST.get("username", "")})
    response = render(
        request,
        "accounts/log_in.html",
        {"form": form, "throttled_for": retry_after, "next": next_url},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class LogOutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot log anyone out."""


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The account's API tokens: create (the token is shown once, on this
    response only), see when each was last used, revoke."""
    form = ApiTokenForm(request.POST or None)
    created_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, created_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "created_token": created_token})


@login_required
@require_http_methods(["POST"])
def api_token_revoke_view(request, token_id: int):
    token = api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
