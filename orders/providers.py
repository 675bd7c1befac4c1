"""Collecting money: the interface every payment provider implements.

A provider does three things, as WeChat Pay, Alipay or Stripe do:

- ``payment_create``: open a payment for our ``reference`` and answer the
  URL the shopper is sent to (the gateway's cashier page);
- ``notice_parse``: read the gateway's asynchronous callback to our webhook,
  **verifying its signature** first (PaymentSignatureInvalid otherwise);
- ``refund_create``: send money back, idempotent by our refund reference.

The provider in use is the class ``PAYMENT_PROVIDER`` names (a dotted path):
the sandbox (``sandbox.payments.SandboxPaymentProvider``) by default, the
real gateways beside it later. ``orders`` never imports a provider: the
providers sit above it and implement this.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentNotice:
    """A verified callback: the payment ``reference`` (ours) succeeded or failed."""

    reference: str
    transaction_id: str
    succeeded: bool
    amount: int  # fen
    currency: str
    paid_at: datetime | None


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    provider_reference: str
    failure_reason: str = ""


class PaymentProvider(Protocol):
    name: str  # the callback's route: /payments/<name>/notify/

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
    ) -> str:
        """Open a payment; answer the URL to send the shopper to. Idempotent by ``reference``."""

    def notice_parse(self, *, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        """Verify and read a callback; PaymentSignatureInvalid when it is not the provider's. A JSON
        body is read with ``socialshop.json_input.json_input_parse`` (its limits' errors pass through)."""

    def refund_create(self, *, payment_reference: str, refund_reference: str, amount: int) -> RefundResult:
        """Send ``amount`` fen of that payment back; idempotent by ``refund_reference``."""


def payment_provider() -> PaymentProvider:
    return import_string(settings.PAYMENT_PROVIDER)()
