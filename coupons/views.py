"""The coupon pages: 领券中心 (the centre), 我的优惠券 (tabs), claiming
(from the centre, a product page or a share link), a supplier's coupons
(its portal) and a reseller's own promo codes (优惠码, under /my-shop/)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.views import form_add_domain_error, supplier_staff_required
from distribution.decorators import reseller_required
from ledger.choices import AccountKind
from ledger.selectors import ledger_balances_for_owner
from socialshop.errors import DomainError

from .choices import ClaimSource, ClaimStatus
from .forms import IssueForm, ResellerCodeForm, SupplierCouponForm
from .models import Coupon
from .selectors import (
    claimed_coupons_of,
    coupon_settings_get,
    coupons_claimable,
    coupons_with_held,
    coupons_with_usage,
    reseller_codes_of,
)
from .services import (
    MAX_OWN_CODES,
    coupon_claim,
    coupons_issue,
    reseller_code_create,
    reseller_code_stop,
    supplier_coupon_create,
)

SHARE_SALT = "coupons.share"
PAGE_SIZE = 50

MINE_TABS = [
    (ClaimStatus.UNUSED, _lazy("Unused")),
    (ClaimStatus.USED, _lazy("Used")),
    (ClaimStatus.EXPIRED, _lazy("Expired")),
]


def coupon_share_token(coupon: Coupon) -> str:
    """The signed token of a coupon's share link (no id to guess or walk)."""
    return signing.dumps(coupon.pk, salt=SHARE_SALT)


def coupon_share_path(coupon: Coupon) -> str:
    return reverse("coupons:take", args=[coupon_share_token(coupon)])


@require_GET
def centre(request):
    """领券中心: the coupons anyone may claim, newest first."""
    return render(
        request,
        "coupons/centre.html",
        {"coupons": coupons_with_held(coupons_claimable()[:PAGE_SIZE], user=request.user)},
    )


@login_required
@require_GET
def mine(request):
    """我的优惠券: unused, used and expired, one tab each."""
    tab = request.GET.get("tab", ClaimStatus.UNUSED)
    if tab not in ClaimStatus.values:
        tab = ClaimStatus.UNUSED
    return render(
        request,
        "coupons/mine.html",
        {
            "tab": tab,
            "tabs": MINE_TABS,
            "dim": tab != ClaimStatus.UNUSED,
            "claims": list(claimed_coupons_of(user=request.user, status=tab)[:PAGE_SIZE]),
        },
    )


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def claim(request, coupon_id: int):
    """领取 from the centre or a product page; back where the buyer was."""
    source = ClaimSource.PRODUCT if request.POST.get("from") == "product" else ClaimSource.CENTRE
    try:
        coupon_claim(coupon_id=coupon_id, user=request.user, source=source)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Coupon claimed. It is applied at checkout."))
    return redirect(_back(request, reverse("coupons:centre")))


@require_http_methods(["GET", "POST"])
def take(request, token: str):
    """A share link: shows the coupon and hands one out to whoever signs in and takes it."""
    try:
        coupon_id = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature as error:
        raise Http404 from error
    coupon = Coupon.objects.filter(pk=coupon_id, is_active=True).first()
    if coupon is None:
        raise Http404
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            coupon_claim(coupon_id=coupon.pk, user=request.user, source=ClaimSource.SHARE)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Coupon claimed. It is applied at checkout."))
            return redirect("coupons:mine")
    return render(request, "coupons/take.html", {"coupon": coupon})


# --- the supplier portal -----------------------------------------------------------------


@dataclass(frozen=True)
class SupplierCouponMoney:
    to_deduct: int  # its coupons' discounts charged, not yet taken from its payable (lines still in after-sales)
    payable: int  # what the platform owes it for goods, its coupons already deducted


def supplier_coupon_money(*, supplier_id: int) -> SupplierCouponMoney:
    """The supplier portal's figures: from its ledger balances (one query; here, not in
    ``selectors``, which the apps below ``orders`` import and which must not reach the ledger)."""
    balances = ledger_balances_for_owner(
        owner_id=supplier_id, kinds=[AccountKind.SUPPLIER_COUPON_DISCOUNT, AccountKind.SUPPLIER_PAYABLE]
    )
    return SupplierCouponMoney(
        to_deduct=balances[AccountKind.SUPPLIER_COUPON_DISCOUNT], payable=balances[AccountKind.SUPPLIER_PAYABLE]
    )


@supplier_staff_required
@require_http_methods(["GET", "POST"])
def supplier_coupons(request):
    """The supplier's own coupons with their usage, and a form for a new one."""
    form = SupplierCouponForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supplier_coupon_create(
                supplier=request.supplier,
                name=data["name"],
                off_amount=data["off_amount"],
                threshold_amount=data["threshold_amount"] or 0,
                valid_days=data["valid_days"],
                total_limit=data["total_limit"],
                in_centre=data["in_centre"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Coupon created."))
            return redirect("coupons:supplier_coupons")
    coupons = coupons_with_usage(Coupon.objects.filter(funder_supplier=request.supplier)).order_by("-created_at")
    return render(
        request,
        "coupons/portal/coupons.html",
        {
            "coupons": list(coupons[:PAGE_SIZE]),
            "form": form,
            "issue_form": IssueForm(),
            "coupon_money": supplier_coupon_money(supplier_id=request.supplier.pk),
        },
        status=400 if request.method == "POST" else 200,
    )


@supplier_staff_required
@require_POST
def supplier_coupon_issue(request, coupon_id: int):
    """Bulk issue one of the supplier's coupons to chosen users (mobile numbers)."""
    coupon = Coupon.objects.filter(pk=coupon_id, funder_supplier=request.supplier).first()
    if coupon is None:
        raise Http404
    form = IssueForm(request.POST)
    if form.is_valid():
        result = coupons_issue(coupon_id=coupon.pk, users=form.cleaned_data["phones"])
        messages.success(
            request, _("Issued %(issued)d, skipped %(skipped)d.") % {"issued": result.issued, "skipped": result.skipped}
        )
    else:
        messages.error(request, " ".join(str(message) for message in form.errors.get("phones", [])))
    return redirect("coupons:supplier_coupons")


# --- a reseller's own promo codes --------------------------------------------------------


@reseller_required
@require_http_methods(["GET", "POST"])
def reseller_codes(request, reseller):
    """The reseller's personal code (its invite code: the platform's coupon
    for personal codes), its own codes with their usage, and a form for a
    new one it funds from its earnings."""
    form = ResellerCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reseller_code_create(
                reseller=reseller,
                code=data["code"],
                name=data["name"],
                off_amount=data["off_amount"],
                threshold_amount=data["threshold_amount"] or 0,
                valid_days=data["valid_days"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Promo code created."))
            return redirect("coupons:reseller_codes")
    codes = list(reseller_codes_of(reseller=reseller))
    return render(
        request,
        "coupons/reseller_codes.html",
        {
            "reseller": reseller,
            "personal_coupon": coupon_settings_get().reseller_code_coupon,
            "codes": codes,
            "can_create": sum(1 for code in codes if code.is_active) < MAX_OWN_CODES,
            "max_codes": MAX_OWN_CODES,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@reseller_required
@require_POST
def reseller_code_stop_view(request, reseller, coupon_id: int):
    """停用: the reseller stops one of its own codes (claims already made stay the buyers')."""
    try:
        coupon = reseller_code_stop(reseller=reseller, coupon_id=coupon_id)
    except DomainError as error:
        raise Http404(str(error.message)) from error
    messages.success(request, _("Promo code %(code)s stopped.") % {"code": coupon.code})
    return redirect("coupons:reseller_codes")
