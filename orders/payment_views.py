"""The buyer's side of paying: the cashier (收银台) that lists the ways to pay
that fit the browser, the pages a method needs (a QR to scan on a desktop,
WeChat's bridge inside WeChat), the return from the gateway (which proves
nothing: the gateway is asked), and the gateways' callbacks."""

import logging
import re

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialshop.api.exceptions import error_body
from socialshop.api.throttles import client_address
from socialshop.errors import DomainError, NotFound
from socialshop.json_input import JsonInputRefused

from .choices import OrderStatus, PaymentSessionStatus
from .exceptions import PaymentMethodUnknown, PaymentSignatureInvalid, PaymentUnknown
from .models import PaymentSession
from .providers import PayerClient, payment_method_provider, payment_methods, payment_provider, payment_providers
from .selectors import buyer_openid, order_expires_at, order_get_for_buyer
from .services.payments import MISMATCH, payment_confirm_by_query, payment_notice_apply, payment_start
from .services.refunds import refund_outcome_apply

logger = logging.getLogger(__name__)

MOBILE = re.compile(r"Mobile|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony", re.IGNORECASE)
# what each method is called on the cashier, and the mark beside it
METHOD_LABELS = {
    "wechat_jsapi": (gettext_lazy("WeChat Pay"), "wechat"),
    "wechat_h5": (gettext_lazy("WeChat Pay"), "wechat"),
    "wechat_native": (gettext_lazy("WeChat Pay (scan the QR code)"), "wechat"),
    "alipay_wap": (gettext_lazy("Alipay"), "alipay"),
    "alipay_page": (gettext_lazy("Alipay"), "alipay"),
    "sandbox": (gettext_lazy("Sandbox payment (test, no real money)"), "sandbox"),
}
NATIVE, JSAPI = "wechat_native", "wechat_jsapi"


def payer_client(request) -> PayerClient:
    """What the cashier reads of the browser: WeChat's own, a phone, or a desktop; the buyer's openid
    under the paying app (stored when the buyer logged in through WeChat; JSAPI needs it)."""
    agent = request.headers.get("User-Agent", "")
    return PayerClient(
        in_wechat="MicroMessenger" in agent,
        mobile=bool(MOBILE.search(agent)),
        openid=buyer_openid(request.user),
        ip=client_address(request),  # behind the proxies of NUM_PROXIES, the client's, not theirs
    )


def _notify_url(request, provider_name: str) -> str:
    return request.build_absolute_uri(reverse("orders:payment_notify", args=[provider_name]))


def _methods(request) -> list[dict]:
    return [
        {"code": method, "provider": provider, "label": METHOD_LABELS.get(method, (method, ""))[0],
         "mark": METHOD_LABELS.get(method, ("", provider))[1]}
        for provider, method in payment_methods(client=payer_client(request))
    ]  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request, order_id: int):
    """The cashier. GET lists the methods that fit the browser; POST pays by
    one. The order page's button POSTs without one: it pays by the sandbox
    where that is the only way (its page is on this site), and otherwise
    comes here to choose."""
    order = order_get_for_buyer(buyer=request.user, order_id=order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return redirect("orders:detail", order_id=order.pk)
    methods = _methods(request)
    error = ""
    if request.method == "POST":
        offered = [method["code"] for method in methods]
        chosen = request.POST.get("method", "")
        if not chosen and offered == ["sandbox"]:  # the order page's button, where the only way is on this site
            chosen = "sandbox"
        if not chosen:  # the order page's button: the choice is made here
            return redirect("orders:pay", order_id=order.pk)
        if chosen not in offered:
            error = str(PaymentMethodUnknown.default_message)
        else:
            try:
                return _pay_by(request, order.pk, chosen)
            except NotFound:
                raise
            except DomainError as failure:
                error = str(failure.message)
    response = render(
        request,
        "orders/cashier.html",
        {"order": order, "methods": methods, "error": error, "expires_at": order_expires_at(order)},
        status=400 if error else 200,
    )
    # the cashier's forms end at the gateways' pages: the browser follows those redirects only where the
    # page's Content-Security-Policy lets its forms go (form-action)
    origins = sorted({origin for provider in payment_providers().values() for origin in _origins(provider)})
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def _origins(provider) -> list[str]:
    return list(getattr(provider, "redirect_origins", lambda: [])())


def _pay_by(request, order_id: int, method: str):
    provider = payment_method_provider(method)
    back = request.build_absolute_uri(reverse("orders:pay_return", args=[order_id]))
    session = payment_start(
        order_id=order_id,
        buyer=request.user,
        notify_url=_notify_url(request, provider.name),
        return_url=back,
        method=method,
        client=payer_client(request),
    )
    if method == NATIVE:
        return redirect("orders:pay_qr", order_id=order_id)
    if method == JSAPI:
        return redirect("orders:pay_jsapi", order_id=order_id)
    return redirect(session.redirect_url)


def _open_session(order, method: str) -> PaymentSession:
    session = (
        PaymentSession.objects.filter(order=order, method=method, status=PaymentSessionStatus.OPEN)
        .order_by("-created_at")
        .first()
    )
    if session is None:
        raise Http404
    return session


@login_required
@require_GET
def order_pay_qr(request, order_id: int):
    """A desktop: WeChat's ``code_url`` drawn as a QR for the buyer's phone to
    scan. The page looks again every few seconds (asking the gateway), and
    goes to the order once it is paid."""
    order = payment_confirm_by_query(order_id=order_id, buyer=request.user)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return redirect(reverse("orders:detail", args=[order.pk]) + "?from=pay")
    session = _open_session(order, NATIVE)
    qr = segno.make(session.redirect_url, error="m")
    return render(
        request,
        "orders/cashier_qr.html",
        {
            "order": order,
            # drawn here by segno from WeChat's code_url, no markup of anyone else's in it
            "qr": mark_safe(qr.svg_inline(scale=6, border=2, dark="#111", omitsize=True)),  # noqa: S308
            "expires_at": session.expires_at,
        },
    )


@login_required
@require_GET
def order_pay_jsapi(request, order_id: int):
    """Inside WeChat: the page hands the signed prepay to WeChat's bridge (orders/static/orders/jsapi.js)."""
    order = order_get_for_buyer(buyer=request.user, order_id=order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return redirect(reverse("orders:detail", args=[order.pk]) + "?from=pay")
    session = _open_session(order, JSAPI)
    invoke = payment_provider(session.provider).jsapi_invoke(prepay_id=session.redirect_url)
    return render(
        request,
        "orders/cashier_jsapi.html",
        {"order": order, "invoke": invoke, "back": reverse("orders:pay_return", args=[order.pk])},
    )


@login_required
@require_GET
def order_pay_return(request, order_id: int):
    """Back from the gateway. Its redirect's parameters prove nothing (anyone
    can type them): the gateway is asked (a signed answer) and a success is
    applied as its callback would be; then the order page, which waits for
    the callback while the order is still unpaid."""
    try:
        order = payment_confirm_by_query(order_id=order_id, buyer=request.user)
    except NotFound:
        raise Http404 from None
    return redirect(reverse("orders:detail", args=[order.pk]) + "?from=pay")


# --- the gateways' callbacks --------------------------------------------------------------------


def _gateway(name: str):
    try:
        return payment_provider(name)
    except PaymentMethodUnknown:
        raise Http404 from None


@csrf_exempt
@require_POST
def payment_notify(request, provider: str):
    """A gateway's asynchronous payment callback. 400 (and a log line) for a
    bad signature or a refused amount, 400/413 for a body beyond the JSON
    limits (socialshop.json_input); 200 for anything applied or already
    applied, so the gateway stops retrying (in its own words where it wants
    them: Alipay's ``success``)."""
    gateway = _gateway(provider)
    try:
        notice = gateway.notice_parse(body=request.body, headers=request.headers)
        outcome = payment_notice_apply(notice=notice)
    except PaymentSignatureInvalid as error:
        logger.warning("payment callback refused: bad signature from %s", request.META.get("REMOTE_ADDR"))
        return JsonResponse(error_body(error.code, str(error.message)), status=400)
    except (PaymentUnknown, JsonInputRefused) as error:
        return JsonResponse(error_body(error.code, str(error.message)), status=error.http_status)
    if outcome == MISMATCH:
        return JsonResponse(
            error_body("payment_mismatch", _("The paid amount or currency does not match the order.")), status=400
        )
    if getattr(gateway, "notice_ack", None):
        return HttpResponse(gateway.notice_ack, content_type="text/plain")
    return JsonResponse({"result": outcome})


@csrf_exempt
@require_POST
def refund_notify(request, provider: str):
    """A gateway's refund notification (WeChat Pay's): verified, then the
    refund it finished is recorded exactly once."""
    gateway = _gateway(provider)
    try:
        notice = gateway.refund_notice_parse(body=request.body, headers=request.headers)
    except PaymentSignatureInvalid as error:
        logger.warning("refund callback refused: bad signature from %s", request.META.get("REMOTE_ADDR"))
        return JsonResponse(error_body(error.code, str(error.message)), status=400)
    except JsonInputRefused as error:
        return JsonResponse(error_body(error.code, str(error.message)), status=error.http_status)
    if notice.result.pending:
        return JsonResponse({"result": "pending"})
    refund = refund_outcome_apply(refund_reference=notice.refund_reference, result=notice.result)
    if refund is None:
        error = PaymentUnknown()
        return JsonResponse(error_body(error.code, str(error.message)), status=404)
    return JsonResponse({"result": refund.status})
