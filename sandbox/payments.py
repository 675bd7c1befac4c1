"""The sandbox payment gateway: a ``PaymentProvider`` (``orders.providers``)
that behaves like a real gateway, end to end, without the network.

Its cashier page (``/sandbox/pay/<reference>/``, ``sandbox/views.py``) lets
the shopper pay or fail; then a Celery task (``sandbox/tasks.py``) POSTs an
HMAC-signed JSON callback to the platform's webhook, **asynchronously**
(after the page redirected the shopper back), retrying with backoff until it
gets a 2xx, so callbacks can come late, twice, or after a later one. It
keeps its own books (``SandboxCharge``, ``SandboxRefund``) as a gateway
would, refuses to pay an expired payment, and never refunds more than was
charged.
"""

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from orders.exceptions import PaymentSignatureInvalid
from orders.models import Order
from orders.providers import BillLine, PayerClient, PaymentNotice, RefundNotice, RefundResult
from orders.services.payments import payment_notice_apply, payment_start
from socialshop.json_input import json_input_parse
from socialshop.signing import signature_header, signature_verify

from .models import SandboxCharge, SandboxRefund

SANDBOX_SIGNATURE_HEADER = "X-Sandbox-Signature"
# what a Chinese gateway answers, in its words: they reach buyers and operators as they are
SANDBOX_REFUND_FAILURE_REASONS = ["原路退回失败：银行卡已注销", "退款处理中断，请稍后重试"]


def payment_sandbox_configured() -> bool:
    """Is the sandbox one of the providers that collect payments? Its cashier
    page is routed only then (sandbox/urls.py); production settings refuse it
    unless ``PAYMENT_SANDBOX_IN_PRODUCTION`` is on. Read from the settings'
    names, as the settings do (they cannot import this module)."""
    path = f"{SandboxPaymentProvider.__module__}.{SandboxPaymentProvider.__qualname__}"
    return path in (getattr(settings, "PAYMENT_PROVIDERS", None) or [settings.PAYMENT_PROVIDER])


class SandboxPaymentProvider:
    name = "sandbox"
    notice_ack = None
    all_methods = ("sandbox",)

    def methods(self, *, client: PayerClient) -> list[str]:
        return ["sandbox"]

    def payment_create(
        self, *, reference, amount, currency, subject, notify_url, return_url, expires_at, method="", client=None
    ) -> str:
        charge = SandboxCharge.objects.filter(reference=reference).first()
        if charge is None:
            try:
                with transaction.atomic():
                    charge = SandboxCharge.objects.create(
                        reference=reference,
                        transaction_id="SBX" + secrets.token_hex(10).upper(),
                        amount=amount,
                        currency=currency,
                        subject=subject[:120],
                        notify_url=notify_url,
                        return_url=return_url,
                        expires_at=expires_at,
                    )
            except IntegrityError:  # asked twice at once: the first stands
                charge = SandboxCharge.objects.get(reference=reference)
        return _origin(notify_url) + reverse("sandbox:pay", args=[charge.reference])

    def notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        if not signature_verify(
            secret=settings.PAYMENT_SANDBOX_SECRET, header=headers.get(SANDBOX_SIGNATURE_HEADER, ""), body=body
        ):
            raise PaymentSignatureInvalid()
        try:
            data = json_input_parse(body)  # too large or too deep: JsonInputRefused, answered as itself
            return PaymentNotice(
                reference=str(data["reference"]),
                transaction_id=str(data["transaction_id"]),
                succeeded=data["status"] == "paid",
                amount=int(data["amount"]),
                currency=str(data["currency"]),
                paid_at=parse_datetime(data["paid_at"]) if data.get("paid_at") else None,
            )
        except (ValueError, KeyError, TypeError) as error:  # signed by us yet malformed: still refuse it
            raise PaymentSignatureInvalid("The callback's body is not what the provider sends.") from error

    def refund_create(self, *, payment_reference: str, refund_reference: str, amount: int) -> RefundResult:
        with transaction.atomic():
            existing = SandboxRefund.objects.filter(reference=refund_reference).first()
            if existing is None:
                existing = _sandbox_refund(payment_reference, refund_reference, amount)
        return RefundResult(existing.succeeded, existing.provider_reference, existing.failure_reason)

    def payment_query(self, *, reference: str) -> PaymentNotice | None:
        charge = SandboxCharge.objects.filter(reference=reference, status="paid").first()
        if charge is None:
            return None
        return PaymentNotice(
            reference=charge.reference,
            transaction_id=charge.transaction_id,
            succeeded=True,
            amount=charge.amount,
            currency=charge.currency,
            paid_at=charge.finished_at,
        )

    def payment_close(self, *, reference: str) -> bool:
        """The sandbox's cashier refuses a closed charge from then on."""
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(reference=reference).first()
            if charge is None:
                return True
            if charge.status == "paid":
                return False
            if charge.status == "pending":
                charge.status = "closed"
                charge.save(update_fields=["status"])
        return True

    def refund_query(self, *, payment_reference: str, refund_reference: str) -> RefundResult:
        refund = SandboxRefund.objects.filter(reference=refund_reference).first()
        if refund is None:
            return RefundResult(False, "", "退款不存在")
        return RefundResult(refund.succeeded, refund.provider_reference, refund.failure_reason)

    def refund_notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> RefundNotice:
        raise PaymentSignatureInvalid("The sandbox answers refunds at once.")

    def trade_bill(self, *, bill_date: date) -> list[BillLine]:
        """The sandbox's books of that Beijing day, as a gateway's bill would list them."""
        start = timezone.make_aware(datetime.combine(bill_date, time.min))
        end = start + timedelta(days=1)
        lines = [
            BillLine("payment", reference, transaction_id, amount)
            for reference, transaction_id, amount in SandboxCharge.objects.filter(
                status="paid", finished_at__gte=start, finished_at__lt=end
            ).values_list("reference", "transaction_id", "amount")
        ]
        lines += [
            BillLine("refund", reference, provider_reference, amount)
            for reference, provider_reference, amount in SandboxRefund.objects.filter(
                succeeded=True, created_at__gte=start, created_at__lt=end
            ).values_list("reference", "provider_reference", "amount")
        ]
        return lines


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _sandbox_refund(payment_reference: str, refund_reference: str, amount: int) -> SandboxRefund:
    charge = SandboxCharge.objects.select_for_update().filter(reference=payment_reference).first()
    reason = ""
    if charge is None or charge.status != "paid":
        reason = "原交易不存在或未支付"
    elif charge.refunded_amount + amount > charge.amount:
        reason = "退款金额超过可退金额"
    else:
        # a share of refunds fails, picked by the reference so a retry of one reference gets the same answer
        digest = int(hashlib.sha256(refund_reference.encode()).hexdigest()[:8], 16)
        if digest / 0xFFFFFFFF < settings.PAYMENT_SANDBOX_REFUND_FAILURE_RATE:
            reason = SANDBOX_REFUND_FAILURE_REASONS[digest % len(SANDBOX_REFUND_FAILURE_REASONS)]
    if not reason:
        charge.refunded_amount += amount
        charge.save(update_fields=["refunded_amount"])
    return SandboxRefund.objects.create(
        charge=charge,
        reference=refund_reference,
        amount=amount,
        succeeded=not reason,
        provider_reference="SBXR" + secrets.token_hex(8).upper(),
        failure_reason=reason,
    )


# --- the sandbox's cashier page and its callbacks ------------------------------------


class SandboxChargeClosed(Exception):
    """The cashier page was used on a payment that is finished or expired."""


def sandbox_charge_get(reference: str) -> SandboxCharge | None:
    return SandboxCharge.objects.filter(reference=reference).first()


def sandbox_charge_finish(*, reference: str, pay: bool, notify: bool = True) -> SandboxCharge:
    """The shopper pressed *pay* or *fail* on the cashier page: the gateway
    records it and will tell the platform through a signed callback, later
    (unless ``notify`` is off: the demo data delivers the callback itself)."""
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().filter(reference=reference).first()
        if charge is None or charge.status != "pending" or charge.expires_at <= timezone.now():
            raise SandboxChargeClosed()
        charge.status = "paid" if pay else "failed"
        charge.finished_at = timezone.now()
        charge.save(update_fields=["status", "finished_at"])
        if notify and settings.PAYMENT_SANDBOX_SEND_CALLBACKS:
            from .tasks import sandbox_callback_send_task  # tasks import this module

            transaction.on_commit(
                lambda: sandbox_callback_send_task.apply_async(
                    args=[charge.pk], countdown=settings.PAYMENT_SANDBOX_CALLBACK_DELAY_SECONDS
                )
            )
    return charge


def sandbox_callback(charge: SandboxCharge, *, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers the sandbox POSTs to the platform's webhook."""
    body = json.dumps(
        {
            "reference": charge.reference,
            "transaction_id": charge.transaction_id,
            "status": charge.status,
            "amount": charge.amount,
            "currency": charge.currency,
            "paid_at": charge.finished_at.isoformat() if charge.status == "paid" and charge.finished_at else None,
        },
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        SANDBOX_SIGNATURE_HEADER: signature_header(
            secret=settings.PAYMENT_SANDBOX_SECRET, body=body, timestamp=timestamp
        ),
    }
    return body, headers


def payment_sandbox_complete(*, order: Order, pay: bool = True) -> str:
    """Pay (or fail) the order end to end in the sandbox and apply the
    gateway's callback at once, as if it had just arrived: what the demo
    data and the tests use instead of a browser and a live server. Returns
    the callback's outcome."""
    site = "http://127.0.0.1:8000"
    session = payment_start(
        order_id=order.pk,
        buyer=order.buyer,
        notify_url=f"{site}/payments/sandbox/notify/",
        return_url=f"{site}/orders/{order.pk}/",
    )
    charge = sandbox_charge_finish(reference=session.reference, pay=pay, notify=False)
    body, headers = sandbox_callback(charge)
    return payment_notice_apply(notice=SandboxPaymentProvider().notice_parse(body=body, headers=headers))
