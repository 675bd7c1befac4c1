"""Paying resellers: the interface every payout provider implements.

A real provider (WeChat Pay's 商家转账到零钱, Alipay's 单笔转账) takes our
reference as an idempotency key: asking twice for one reference pays once
and answers the same. It also says what it paid, which ``reconcile`` holds
against our payout items (every payout the provider made is recorded).

The provider in use is the class ``PAYOUT_PROVIDER`` names (a dotted path):
the sandbox (``sandbox.payouts.SandboxPayoutProvider``) by default.
``commissions`` never imports a provider: the providers sit above it and
implement this.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PayoutResult:
    succeeded: bool
    provider_reference: str
    failure_reason: str = ""


class PayoutProvider(Protocol):
    def payout_send(self, *, reference: str, reseller_id: int, amount: int) -> PayoutResult:
        """Send ``amount`` fen to the reseller; idempotent by ``reference``.
        PayoutProviderUnavailable when the provider did not answer."""

    def payouts_made(self) -> Iterable[str]:
        """The references of every payout the provider made (succeeded), as
        its own records or statements say. PayoutProviderUnavailable when it
        cannot be asked."""


class PayoutProviderUnavailable(ConnectionError):
    """The provider could not be reached or did not answer: nothing is known
    of the payout; ask again later with the same reference."""


def payout_provider() -> PayoutProvider:
    return import_string(settings.PAYOUT_PROVIDER)()
