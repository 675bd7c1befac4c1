"""Collecting money: the interface every payment provider implements.

A provider does what WeChat Pay, Alipay or Stripe do:

- ``methods``: the ways of paying it offers a buyer's browser (WeChat's H5,
  JSAPI and Native QR; Alipay's wap and page cashiers; the sandbox's page);
- ``payment_create``: open a payment for our ``reference`` and answer where
  the shopper goes (a cashier URL; for a QR, the ``code_url`` to draw; for
  WeChat's JSAPI, the prepay id the page hands to WeChat's bridge);
- ``notice_parse``: read the gateway's asynchronous callback to our webhook,
  **verifying its signature** first (PaymentSignatureInvalid otherwise);
- ``payment_query`` / ``payment_close``: ask the gateway what became of a
  payment (the return page never trusts the redirect), and close an unpaid
  one when its order is cancelled or expires;
- ``refund_create`` (idempotent by our refund reference), ``refund_query``
  and, where the gateway reports refunds asynchronously (WeChat),
  ``refund_notice_parse``;
- ``trade_bill``: the gateway's statement of one day's payments and refunds
  (``orders/services/bills.py`` reconciles it line by line).

The providers in use are the classes ``PAYMENT_PROVIDERS`` names (dotted
paths; the older single ``PAYMENT_PROVIDER`` still works when it is unset):
the sandbox (``sandbox.payments.SandboxPaymentProvider``) by default, WeChat
Pay and Alipay (``payments/``) beside it. ``orders`` never imports a
provider: the providers sit above it and implement this.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .exceptions import PaymentMethodUnknown, PaymentProviderUnavailable  # noqa: F401  (what providers raise)


@dataclass(frozen=True)
class PaymentNotice:
    """A verified callback (or trade query): the payment ``reference`` (ours) succeeded or failed."""

    reference: str
    transaction_id: str
    succeeded: bool
    amount: int  # fen
    currency: str
    paid_at: datetime | None


@dataclass(frozen=True)
class RefundResult:
    """What the gateway answered for a refund: done, refused, or still being
    processed (``pending``: WeChat Pay tells the outcome later, by notify or
    query)."""

    succeeded: bool
    provider_reference: str
    failure_reason: str = ""
    pending: bool = False


@dataclass(frozen=True)
class RefundNotice:
    """A verified refund notification: our ``refund_reference`` finished."""

    refund_reference: str
    result: RefundResult


@dataclass(frozen=True)
class BillLine:
    """One line of a gateway's daily trade bill."""

    kind: str  # "payment" or "refund"
    reference: str  # ours: the payment session's or the refund's reference
    provider_reference: str  # the gateway's transaction or refund id
    amount: int  # fen, positive


@dataclass(frozen=True)
class PayerClient:
    """What the cashier knows of the buyer's browser."""

    in_wechat: bool = False  # WeChat's own browser (MicroMessenger)
    mobile: bool = False
    openid: str = ""  # the buyer's WeChat openid for our app id, when known (JSAPI needs it)
    ip: str = ""


class PaymentProvider(Protocol):
    name: str  # the callback's route: /payments/<name>/notify/
    # what the webhook answers once a callback is applied, when the gateway wants its own words
    # (Alipay: the bytes ``success``); None answers JSON
    notice_ack: bytes | None

    def methods(self, *, client: PayerClient) -> list[str]:
        """The methods (e.g. ``wechat_h5``) this provider offers that browser, best first."""

    def payment_create(
        self,
        *,
        reference: str,
        amount: int,
        currency: str,
        subject: str,
        notify_url: str,
        return_url: str,
        expires_at: datetime,
        method: str = "",
        client: PayerClient | None = None,
    ) -> str:
        """Open a payment; answer where the shopper goes (see the module). Idempotent by ``reference``.
        PaymentProviderUnavailable when the gateway does not open it."""

    def notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        """Verify and read a callback; PaymentSignatureInvalid when it is not the provider's. A JSON
        body is read with ``socialshop.json_input.json_input_parse`` (its limits' errors pass through)."""

    def payment_query(self, *, reference: str) -> PaymentNotice | None:
        """The gateway's (signed) answer about a payment: a notice once it succeeded, else None."""

    def payment_close(self, *, reference: str) -> bool:
        """Close an unpaid payment so it can no longer be paid; True once closed (or never opened),
        False when it was paid meanwhile (its callback brings the money)."""

    def refund_create(self, *, payment_reference: str, refund_reference: str, amount: int) -> RefundResult:
        """Send ``amount`` fen of that payment back; idempotent by ``refund_reference``."""

    def refund_query(self, *, payment_reference: str, refund_reference: str) -> RefundResult:
        """What became of a refund."""

    def refund_notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> RefundNotice:
        """Verify and read a refund notification (PaymentSignatureInvalid otherwise)."""

    def trade_bill(self, *, bill_date: date) -> list[BillLine]:
        """The gateway's bill of that (Beijing) day's successful payments and refunds."""


def _paths() -> list[str]:
    return list(getattr(settings, "PAYMENT_PROVIDERS", None) or [settings.PAYMENT_PROVIDER])


def payment_providers() -> dict[str, PaymentProvider]:
    """The enabled providers by name, in the order configured."""
    providers = [import_string(path)() for path in _paths()]
    return {provider.name: provider for provider in providers}


def payment_provider(name: str | None = None) -> PaymentProvider:
    """The provider of that name (a payment or refund goes back to the one that took it), or the first
    configured one. PaymentMethodUnknown for a name not enabled."""
    providers = payment_providers()
    if name is None:
        return next(iter(providers.values()))
    if name not in providers:
        raise PaymentMethodUnknown()
    return providers[name]


def payment_provider_configured(name: str) -> bool:
    return any(import_string(path).name == name for path in _paths())


def payment_methods(*, client: PayerClient) -> list[tuple[str, str]]:
    """(provider name, method) pairs the cashier offers this browser, in the configured order."""
    return [
        (name, method) for name, provider in payment_providers().items() for method in provider.methods(client=client)
    ]


def payment_method_provider(method: str) -> PaymentProvider:
    """The enabled provider offering ``method`` ("" = the first provider's own way)."""
    providers = payment_providers()
    if not method:
        return next(iter(providers.values()))
    for provider in providers.values():
        if method in getattr(provider, "all_methods", ()):
            return provider
    raise PaymentMethodUnknown()
