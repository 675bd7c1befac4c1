"""Pages of distribution: joining, a reseller's team and invite poster, a
customer's binding. Each view calls selectors to read and one service to
write."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.choices import Role
from accounts.phone import mask_name, mask_phone
from accounts.services import user_sign_up_by_password
from accounts.views import next_page_of, sign_up_code_send
from socialshop.errors import DomainError
from socialshop.forms import query_text

from .choices import BindingSource, ResellerStatus
from .codes import invite_code_normalize
from .decorators import reseller_required
from .exceptions import NotAReseller
from .forms import JoinForm, JoinSignUpForm
from .invites import invite_poster_png, invite_qr_png, invite_url
from .models import Reseller
from .referrals import referral_from_request
from .selectors import binding_state, distribution_settings_get, reseller_for_user, team_members, team_summary
from .services import binding_release, binding_touch, reseller_join

TEAM_PAGE_SIZE = 20


@dataclass(frozen=True)
class MemberRow:
    """A member of someone's team as that someone may see it: masked."""

    name: str
    phone: str
    joined_at: datetime
    own_sales_amount: int
    team_size: int
    status: str
    is_active: bool


def member_row(member: Reseller) -> MemberRow:
    totals = getattr(member, "totals", None)
    return MemberRow(
        name=mask_name(member.user.nickname),
        phone=mask_phone(member.user.phone),
        joined_at=member.joined_at,
        own_sales_amount=totals.own_sales_amount if totals else 0,
        team_size=totals.team_size if totals else 0,
        status=member.get_status_display(),
        is_active=member.is_active,
    )


def reseller_page(view):
    """A reseller's read-only page (GET)."""
    return reseller_required(require_GET(view))


@reseller_page
def team(request, reseller: Reseller):
    summary = team_summary(reseller=reseller)
    page = Paginator(team_members(reseller=reseller, level=1), TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    inviter = summary.inviter
    return render(
        request,
        "distribution/team.html",
        {
            "reseller": reseller,
            "summary": summary,
            "inviter_name": (inviter.user.nickname or mask_phone(inviter.user.phone)) if inviter else "",
            "inviter_phone": mask_phone(inviter.user.phone) if inviter else "",
            "page": page,
            "members": [member_row(member) for member in page],
        },
    )


@reseller_page
def team_invite(request, reseller: Reseller):
    return render(
        request, "distribution/invite.html", {"reseller": reseller, "invite_url": invite_url(request, reseller)}
    )


def _reseller_or_404(request) -> Reseller:
    try:
        return reseller_for_user(request.user)
    except NotAReseller:
        raise Http404() from None


def _png(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def invite_qr(request):
    reseller = _reseller_or_404(request)
    return _png(invite_qr_png(invite_url(request, reseller)), f"invite-{reseller.invite_code}.png")


@login_required
@require_GET
def invite_poster(request):
    reseller = _reseller_or_404(request)
    data = invite_poster_png(
        url=invite_url(request, reseller),
        inviter_name=reseller.user.nickname or mask_phone(reseller.user.phone),
        invite_code=reseller.invite_code,
    )
    return _png(data, f"invite-poster-{reseller.invite_code}.png")


@require_http_methods(["GET", "POST"])
def join(request):
    """Join as a reseller with an invite code (裂变), or sign up with one.

    A visitor signs up here with the code of whoever invited it: it is bound
    to that reseller, and becomes its downline reseller if it ticks the box.
    A logged-in customer just types (or finds filled in) the code."""
    user = request.user
    if user.is_authenticated and Reseller.objects.filter(user_id=user.pk).exists():
        return redirect("distribution:team")
    referral = referral_from_request(request)
    code = invite_code_normalize(query_text(request, "code", max_length=20)) or (referral.code if referral else "")
    inviter = Reseller.objects.active().select_related("user").filter(invite_code=code).first() if code else None
    can_join = not user.is_authenticated or user.role == Role.CUSTOMER
    form_class = JoinForm if user.is_authenticated else JoinSignUpForm
    next_page = next_page_of(request)
    context = {
        "inviter": inviter,
        "inviter_name": (inviter.user.nickname or mask_phone(inviter.user.phone)) if inviter else "",
        "can_join": can_join,
        "approval_required": distribution_settings_get().reseller_approval_required,
        "next": next_page,
        # the log-in link comes back here with the code (and where the visitor was going)
        "join_path": request.get_full_path(),
    }
    if request.method == "POST" and not user.is_authenticated and request.POST.get("action") == "send_code":
        return sign_up_code_send(request, JoinSignUpForm).respond(request, "distribution/join.html", context)
    form = form_class(request.POST or None, initial={"invite_code": code if inviter else ""})
    if request.method == "POST" and can_join and form.is_valid():
        try:
            reseller = _join_or_sign_up(request, form)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if reseller is None:
                messages.success(request, _("Welcome! Your account is ready."))
                return redirect(next_page or "home")
            if reseller.status == ResellerStatus.PENDING:
                messages.info(request, _("Thanks for joining! An operator will approve your account soon."))
            else:
                messages.success(request, _("Welcome to the team! Share your invite link to grow your own."))
            return redirect(next_page or "distribution:team")
    return render(request, "distribution/join.html", {**context, "form": form})


def _join_or_sign_up(request, form) -> Reseller | None:
    data = form.cleaned_data
    if request.user.is_authenticated:
        return reseller_join(user=request.user, invite_code=data["invite_code"])
    # the code proves the number first (it commits its own tries), then the rest is one transaction
    user = user_sign_up_by_password(
        phone=data["phone"], code=data["code"], password=data["password1"], nickname=data["nickname"]
    )
    with transaction.atomic():
        binding_touch(customer=user, reseller=form.inviter, source=BindingSource.INVITE_CODE)
        reseller = reseller_join(user=user, invite_code=data["invite_code"]) if data["become_reseller"] else None
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return reseller


@login_required
@require_GET
def binding(request):
    """A customer's own binding: which reseller it is tied to, since when,
    how, and until when."""
    state = binding_state(customer=request.user)
    reseller = state.binding.reseller if state else None
    return render(
        request,
        "distribution/binding.html",
        {
            "state": state,
            "reseller_name": (reseller.user.nickname or mask_phone(reseller.user.phone)) if reseller else "",
            "settings": distribution_settings_get(),
        },
    )


@login_required
@require_POST
def binding_end(request):
    """The customer asks to be unbound (``binding_release``): done when the
    platform's rule allows it, otherwise the page says until when it holds."""
    try:
        binding_release(customer=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You are no longer bound to this reseller."))
    return redirect("distribution:binding")
