import math
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialshop.errors import DomainError

from . import wechat
from .choices import SmsPurpose, WechatApp
from .forms import ApiTokenForm, LogInForm, PhoneChangeForm, SecondFactorForm, SignUpForm, SmsSendForm, SmsVerifyForm
from .middleware import client_address, client_user_agent
from .models import ApiToken, WechatIdentity
from .phone import mask_phone
from .selectors import user_sessions_list
from .services import (
    ClientSeen,
    api_token_create,
    api_token_revoke,
    phone_change_check_new,
    sms_code_send,
    user_log_in_by_sms,
    user_log_in_by_wechat,
    user_password_set,
    user_phone_bind,
    user_phone_change,
    user_session_end,
    user_sessions_end_others,
    user_sign_up_by_password,
    wechat_identity_link,
)
from .throttles import log_in_retry_after, sms_send_retry_after
from .two_factor import second_factor_verify, totp_confirm, totp_confirmed, totp_pending, totp_qr_svg, totp_secret_text

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_page(request) -> str:
    """Where the visitor was going (``?next=``, carried from the log-in page
    through the sign-up form), if it is a page of this site; else ""."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def next_page_of(request) -> str:
    """Where the visitor was going (``?next=``), if a page of this site; else "" (other apps' forms)."""
    return _next_page(request)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    """Sign up with a number, an SMS code sent to it and a password (the
    code proves the number, as on every other way in)."""
    next_page = _next_page(request)
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return sign_up_code_send(request, SignUpForm).respond(request, "accounts/sign_up.html", {"next": next_page})
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_up_by_password(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                nickname=form.cleaned_data["nickname"],
            )
        except DomainError as error:  # a wrong code, or a sign-up with the same number won the race
            form.add_error("phone" if error.code == "phone_taken" else "code", error.message)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(next_page or "home")
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_page})


@dataclass
class CodeSent:
    """What the sign-up form's 获取验证码 answers: the form again (what was
    typed, the passwords aside), an error to show under the button, the HTTP
    status (429 past a limit, with ``retry_after``)."""

    form: object
    error: str = ""
    status: int = 200
    retry_after: int | None = None

    def respond(self, request, template: str, context: dict):
        context = {**context, "form": self.form, "code_error": self.error}
        response = render(request, template, context, status=self.status)
        if self.retry_after:
            response["Retry-After"] = str(self.retry_after)
        return response


def sign_up_code_send(request, form_class, **form_kwargs) -> CodeSent:
    """A sign-up form's 获取验证码: check the number (a mainland mobile, not
    registered) and the send limits, then send a log-in code to it."""
    kept = {name: value for name, value in request.POST.items() if not name.startswith(("password", "csrf"))}
    form = form_class(initial=kept, **form_kwargs)
    check = form_class(data={**kept, "code": "000000"}, **form_kwargs)
    if not check.is_valid() and "phone" in check.errors:
        return CodeSent(form, error=" ".join(check.errors["phone"]))
    phone = check.cleaned_data["phone"]
    refused = sms_send_retry_after(request, phone=phone)
    if refused is not None:
        return CodeSent(form, error=refused.message, status=429, retry_after=refused.retry_after)
    try:
        sms_code_send(phone=phone, purpose=SmsPurpose.LOG_IN)
    except DomainError as error:
        retry_after = error.extra.get("retry_after_seconds")
        return CodeSent(form, error=error.message, status=429 if retry_after else 200, retry_after=retry_after)
    messages.success(
        request,
        _("A code was sent to %(phone)s. It works for %(minutes)s minutes.")
        % {"phone": mask_phone(phone), "minutes": math.ceil(settings.SMS_CODE_TTL_SECONDS / 60)},
    )
    return CodeSent(form)


@dataclass
class SmsStep:
    """Where a two-step SMS form stands: step one asks for the number, step
    two (once a code went out) for the code. ``http_status`` and ``retry_after``
    are the page's answer (429 and Retry-After past a limit)."""

    send_form: SmsSendForm = field(default_factory=SmsSendForm)
    verify_form: SmsVerifyForm | None = None
    http_status: int = 200
    retry_after: int | None = None

    def context(self) -> dict:
        sent_to = self.verify_form["phone"].value() if self.verify_form is not None else ""
        return {
            "send_form": self.send_form,
            "verify_form": self.verify_form,
            "sent_to": mask_phone(sent_to) if sent_to else "",
        }

    def respond(self, response):
        response.status_code = self.http_status
        if self.retry_after:
            response["Retry-After"] = str(self.retry_after)
        return response


def sms_send_step(request, *, purpose: str) -> SmsStep:
    """Step one posted: check the number, the send limits, then send a code.
    Past a limit the page answers 429 with Retry-After and sends nothing."""
    form = SmsSendForm(request.POST)
    if not form.is_valid():
        return SmsStep(send_form=form)
    phone = form.cleaned_data["phone"]
    refused = sms_send_retry_after(request, phone=phone)
    if refused is not None:
        form.add_error(None, refused.message)
        # a code sent less than a minute ago still works: step two stays open for it
        verify = SmsVerifyForm(initial={"phone": phone}) if refused.limit == "phone_interval" else None
        return SmsStep(send_form=form, verify_form=verify, http_status=429, retry_after=refused.retry_after)
    try:
        sms_code_send(phone=phone, purpose=purpose)
    except DomainError as error:  # the provider refused: its own limits (429), the number, or down
        form.add_error(None, error.message)
        retry_after = error.extra.get("retry_after_seconds")
        return SmsStep(send_form=form, http_status=429 if retry_after else 200, retry_after=retry_after)
    messages.success(
        request,
        _("A code was sent to %(phone)s. It works for %(minutes)s minutes.")
        % {"phone": mask_phone(phone), "minutes": math.ceil(settings.SMS_CODE_TTL_SECONDS / 60)},
    )
    return SmsStep(send_form=SmsSendForm(initial={"phone": phone}), verify_form=SmsVerifyForm(initial={"phone": phone}))


def sms_verify_step(request) -> tuple[SmsStep, dict | None]:
    """Step two posted: the form's data when it is well formed (the caller
    then uses the code), else the step to show again."""
    form = SmsVerifyForm(request.POST)
    step = SmsStep(send_form=SmsSendForm(initial={"phone": request.POST.get("phone", "")}), verify_form=form)
    if not form.is_valid():
        if "phone" in form.errors:  # a tampered hidden field: back to step one
            step.verify_form = None
        return step, None
    return step, form.cleaned_data


def _wechat_app_for(request) -> str | None:
    """Which WeChat log-in this browser can use: the official account's
    inside WeChat, the QR log-in elsewhere; None when it is not set up."""
    if wechat.in_wechat_browser(request):
        return WechatApp.OFFICIAL_ACCOUNT if wechat.wechat_app_config(WechatApp.OFFICIAL_ACCOUNT) else None
    return WechatApp.WEBSITE if wechat.wechat_app_config(WechatApp.WEBSITE) else None


def wechat_link_url(request) -> str:
    """Where the account page's "link WeChat" goes, or "" when WeChat log-in
    is not set up for this browser or the account already has it linked."""
    app = _wechat_app_for(request)
    if app is None:
        return ""
    config = wechat.wechat_app_config(app)
    if WechatIdentity.objects.filter(user_id=request.user.pk, app_id=config.app_id).exists():
        return ""
    return _with_next("accounts:wechat_start", reverse("account"))


def _with_next(url_name: str, next_page: str, **query) -> str:
    if next_page:
        query[REDIRECT_FIELD_NAME] = next_page
    return reverse(url_name) + (f"?{urlencode(query)}" if query else "")


class LogInView(auth_views.LoginView):
    """Log-in by SMS code (the default: a new number signs up) or by
    password, and the WeChat button where WeChat log-in is set up. Both
    are throttled per account and per address: past the limit the page
    answers 429 with Retry-After and checks no password or code."""

    template_name = "accounts/log_in.html"
    authentication_form = LogInForm
    redirect_authenticated_user = True

    def log_in_method(self) -> str:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        if self.request.method == "POST" and "method" not in data:
            return "password" if "password" in data else "sms"
        return "password" if data.get("method") == "password" else "sms"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_page = self.get_redirect_url()
        step = kwargs.get("sms_step") or SmsStep()
        context.update(step.context())
        context.update(
            method=self.log_in_method(),
            sms_url=_with_next("accounts:login", next_page),
            password_url=_with_next("accounts:login", next_page, method="password"),
            wechat_url=_with_next("accounts:wechat_start", next_page) if _wechat_app_for(self.request) else "",
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.log_in_method() == "sms":
            return self.sms_post(request)
        retry_after = log_in_retry_after(request)
        if retry_after:
            return log_in_refused(request, retry_after=retry_after, next_url=self.get_redirect_url())
        return super().post(request, *args, **kwargs)

    def sms_post(self, request):
        if request.POST.get("action") == "send":
            step = sms_send_step(request, purpose=SmsPurpose.LOG_IN)
            return step.respond(self.render_to_response(self.get_context_data(sms_step=step)))
        step, data = sms_verify_step(request)
        if data is not None:
            retry_after = log_in_retry_after(request, account=data["phone"])
            if retry_after:
                step.verify_form.add_error(
                    None, _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": retry_after}
                )
                step.http_status, step.retry_after = 429, retry_after
            else:
                try:
                    user, created = user_log_in_by_sms(phone=data["phone"], code=data["code"])
                except DomainError as error:
                    step.verify_form.add_error("code", error.message)
                else:
                    login(request, user, backend=MODEL_BACKEND)
                    if created:
                        messages.success(request, _("Welcome! Your account is ready."))
                    return redirect(self.get_success_url())
        return step.respond(self.render_to_response(self.get_context_data(sms_step=step)))

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
        {
            "form": form,
            "throttled_for": retry_after,
            "next": next_url,
            "method": "password",
            "sms_url": _with_next("accounts:login", next_url),
            "password_url": _with_next("accounts:login", next_url, method="password"),
        },
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


@login_required
@require_http_methods(["GET", "POST"])
def bind_phone(request):
    """Add a mobile number by SMS code: what someone who came in through
    WeChat must do before its first order (``accounts.decorators.phone_required``
    sends it here with ``?next=``). A number that already is an account
    makes this person that account (its WeChat moves there)."""
    next_page = _next_page(request)
    if request.user.phone:
        return redirect(next_page or "account")
    step = SmsStep()
    if request.method == "POST":
        if request.POST.get("action") == "send":
            step = sms_send_step(request, purpose=SmsPurpose.BIND_PHONE)
        else:
            step, data = sms_verify_step(request)
            if data is not None:
                try:
                    user = user_phone_bind(user=request.user, phone=data["phone"], code=data["code"])
                except DomainError as error:
                    step.verify_form.add_error("code", error.message)
                else:
                    if user.pk != request.user.pk:
                        login(request, user, backend=MODEL_BACKEND)
                        messages.success(request, _("Welcome back! Your WeChat is now linked to this account."))
                    else:
                        messages.success(request, _("Your mobile number is saved."))
                    return redirect(next_page or "account")
    response = render(request, "accounts/bind_phone.html", {**step.context(), "next": next_page})
    return step.respond(response)


@login_required
@require_http_methods(["GET", "POST"])
def password(request):
    """Set a password (an account made by SMS code or WeChat has none) or
    change it; either way the SMS code keeps working too."""
    has_password = request.user.has_usable_password()
    form_class = PasswordChangeForm if has_password else SetPasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is saved. You can log in with it or with an SMS code."))
        return redirect("account")
    return render(request, "accounts/password.html", {"form": form, "has_password": has_password})


# --- WeChat ------------------------------------------------------------------------------------------

WECHAT_SESSION_KEY = "wechat_oauth"


def _wechat_redirect(request, *, app: str, scope: str, next_page: str, link: bool):
    """Send the browser to WeChat with a fresh ``state`` kept in this
    session: the callback accepts only that state, so nobody can log a
    victim into the attacker's account with a callback URL of their own."""
    config = wechat.wechat_app_config(app)
    state = secrets.token_urlsafe(24)
    request.session[WECHAT_SESSION_KEY] = {
        "state": state,
        "app": app,
        "scope": scope,
        "next": next_page,
        "link": link,
    }
    callback = request.build_absolute_uri(reverse("accounts:wechat_callback"))
    return redirect(wechat.authorize_url(config, redirect_uri=callback, state=state, scope=scope))


@require_GET
def wechat_start(request):
    """Log in (or, logged in, link) with WeChat: inside WeChat the official
    account's silent ``snsapi_base`` (``?profile=1``: ``snsapi_userinfo``, for
    name and avatar); on a desktop the QR log-in."""
    next_page = _next_page(request)
    app = _wechat_app_for(request)
    if app is None:
        messages.error(request, _("WeChat log-in is not available here. Log in with your mobile number."))
        return redirect(_with_next("accounts:login", next_page))
    if app == WechatApp.WEBSITE:
        scope = wechat.SCOPE_QR
    else:
        scope = wechat.SCOPE_USERINFO if request.GET.get("profile") == "1" else wechat.SCOPE_BASE
    return _wechat_redirect(request, app=app, scope=scope, next_page=next_page, link=request.user.is_authenticated)


@require_GET
def wechat_callback(request):
    """WeChat sends the browser back here with ``code`` and ``state``. The
    state must be the one this session was given (else 400, nothing done);
    the code is exchanged server to server. A new person seen with the
    silent scope is asked once more with ``snsapi_userinfo`` (its WeChat name
    and avatar become its profile); a new user without a number is asked
    for one next."""
    pending = request.session.pop(WECHAT_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not pending or not state or not constant_time_compare(state, pending["state"]):
        return render(request, "accounts/wechat_failed.html", {"state_mismatch": True}, status=400)
    next_page = pending["next"]
    code = request.GET.get("code", "")
    if not code:  # the person declined
        messages.info(request, _("WeChat log-in was cancelled."))
        return redirect(_with_next("accounts:login", next_page))
    config = wechat.wechat_app_config(pending["app"])
    if config is None:
        return render(request, "accounts/wechat_failed.html", {}, status=400)
    try:
        profile = wechat.profile_fetch(config, token=wechat.code_exchange(config, code=code))
        if pending["link"] and request.user.is_authenticated:
            wechat_identity_link(user=request.user, profile=profile)
            messages.success(request, _("WeChat is linked: you can log in with it too."))
            return redirect(next_page or "account")
        known = WechatIdentity.objects.filter(app_id=config.app_id, openid=profile.openid).exists()
        if not known and pending["scope"] == wechat.SCOPE_BASE:
            return _wechat_redirect(
                request, app=config.app, scope=wechat.SCOPE_USERINFO, next_page=next_page, link=False
            )
        user, created = user_log_in_by_wechat(profile=profile)
    except DomainError as error:
        return render(request, "accounts/wechat_failed.html", {"message": error.message}, status=error.http_status)
    login(request, user, backend=MODEL_BACKEND)
    if not user.phone:
        if created:
            messages.success(request, _("Welcome! Add your mobile number to order and hear about your parcels."))
        return redirect(_with_next("accounts:bind_phone", next_page))
    return redirect(next_page or ("shops:manage" if user.is_reseller else "home"))


# --- changing the number, sessions, operators' second factor ----------------------------------------


def client_seen(request) -> ClientSeen:
    return ClientSeen(ip_address=client_address(request), user_agent=client_user_agent(request))


@login_required
@require_http_methods(["GET", "POST"])
def change_phone(request):
    """Change the mobile number: a code to the current number, a code to
    the new one (which must be nobody's), then both codes. Every other
    session of the account ends; this one stays logged in."""
    if not request.user.phone:
        return redirect("accounts:bind_phone")
    action = request.POST.get("action", "")
    form = PhoneChangeForm(request.POST or None, action=action)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "send_old":
                phone, purpose = request.user.phone, SmsPurpose.CHANGE_PHONE_OLD
            elif action == "send_new":
                phone = phone_change_check_new(user=request.user, phone=data["new_phone"])
                purpose = SmsPurpose.CHANGE_PHONE_NEW
            else:
                phone = purpose = None
            if phone is not None:
                refused = sms_send_retry_after(request, phone=phone)
                if refused is not None:
                    form.add_error(None, refused.message)
                    status, retry_after = 429, refused.retry_after
                else:
                    sms_code_send(phone=phone, purpose=purpose)
                    messages.success(request, _("A code was sent to %(phone)s.") % {"phone": mask_phone(phone)})
            elif action == "change":
                user_phone_change(
                    user=request.user,
                    old_code=data["old_code"],
                    new_phone=data["new_phone"],
                    new_code=data["new_code"],
                    keep_session_key=request.session.session_key,
                    client=client_seen(request),
                )
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your mobile number is changed. Other devices were logged out."))
                return redirect("account")
        except DomainError as error:
            field_name = next(iter(error.fields), None)
            form.add_error(field_name if field_name in form.fields else None, error.message)
            if error.http_status == 429:
                status, retry_after = 429, error.extra.get("retry_after_seconds")
    response = render(request, "accounts/change_phone.html", {"form": form, "current": mask_phone(request.user.phone)})
    response.status_code = status
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_GET
def sessions(request):
    """The account's logged-in browsers: device and browser, address, last
    seen, which one is this; end one, or all but this one."""
    rows = user_sessions_list(user=request.user)
    current = request.session.session_key
    return render(request, "accounts/sessions.html", {"rows": rows, "current_key": current})


@login_required
@require_POST
def session_end(request, session_id: int):
    row = user_session_end(user=request.user, session_id=session_id, client=client_seen(request))
    if row.session_key == request.session.session_key:
        return redirect("accounts:login")
    messages.success(request, _("That device is logged out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request):
    user_sessions_end_others(
        user=request.user, keep_session_key=request.session.session_key, client=client_seen(request)
    )
    update_session_auth_hash(request, request.user)
    messages.success(request, _("All other devices are logged out."))
    return redirect("accounts:sessions")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Add an authenticator app: scan the QR code (or type the secret), type
    the code it shows; the recovery codes are shown once, on that answer.
    Operators' (staff's) only: nobody else is asked for a second factor."""
    if not request.user.is_staff:
        raise Http404()
    device = totp_pending(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retry_after = log_in_retry_after(request, account=f"otp:{request.user.pk}")
        if retry_after:
            form.add_error(None, _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": retry_after})
            response = render(request, "accounts/two_factor_enrol.html", _enrol_context(request, device, form))
            response.status_code, response["Retry-After"] = 429, str(retry_after)
            return response
        codes = totp_confirm(
            request, device_id=device.pk, token=form.cleaned_data["token"], client=client_seen(request)
        )
        if codes is not None:
            return render(
                request, "accounts/two_factor_done.html", {"codes": codes, "next": _next_page(request) or "/admin/"}
            )
        form.add_error("token", _("That code is not right. Check the time on your phone and try the newest code."))
    return render(request, "accounts/two_factor_enrol.html", _enrol_context(request, device, form))


def _enrol_context(request, device, form) -> dict:
    return {
        "form": form,
        "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - segno's own SVG, no user input
        "secret": totp_secret_text(device),
        "replacing": totp_confirmed(request.user) is not None,
        "next": _next_page(request),
    }


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Type the authenticator's code (or a recovery code) before the admin.
    Without an authenticator yet, the operator enrols one first. Attempts
    are limited like log-ins (429 with Retry-After)."""
    next_page = _next_page(request) or reverse("admin:index")
    if totp_confirmed(request.user) is None:
        return redirect(_with_next("accounts:two_factor_enrol", next_page))
    if request.user.is_verified():
        return redirect(next_page)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        retry_after = log_in_retry_after(request, account=f"otp:{request.user.pk}")
        if retry_after:
            form.add_error(None, _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": retry_after})
            response = render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_page}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if second_factor_verify(request, token=form.cleaned_data["token"], client=client_seen(request)):
            return redirect(next_page)
        form.add_error("token", _("That code is not right."))
        status = 400
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_page}, status=status)
