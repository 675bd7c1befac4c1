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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PayoutResult:
    """The provider's answer. ``pending``: sent, not finished (WeChat's
    transfer waits for the payee to accept it: ``package_info`` is what the
    payee's page hands to WeChat, ``confirm_until`` when we give up; a bank
    card waits for an operator); neither paid nor failed yet."""

    succeeded: bool
    provider_reference: str
    failure_reason: str = ""
    pending: bool = False
    package_info: str = ""
    confirm_until: datetime | None = None


@dataclass(frozen=True)
class PayoutAccountInfo:
    """Where to pay (a ``PayoutAccount``, as the provider needs it)."""

    kind: str  # PayoutAccountKind
    account: str
    real_name: str = ""


@dataclass(frozen=True)
class PayoutNotice:
    """A provider's verified notification: which payout, and its outcome."""

    reference: str
    result: PayoutResult


class PayoutProvider(Protocol):
    # True: a withdrawal needs a payout account (the sandbox pays without one)
    needs_account: bool

    def account_kinds(self) -> list[str]:
        """The PayoutAccountKind values it can pay to."""

    def payout_send(
        self, *, reference: str, reseller_id: int, amount: int, account: PayoutAccountInfo | None = None
    ) -> PayoutResult:
        """Send ``amount`` fen to the reseller; idempotent by ``reference``.
        PayoutProviderUnavailable when the provider did not answer."""

    def payout_query(self, *, reference: str, account: PayoutAccountInfo | None = None) -> PayoutResult | None:
        """What became of a sent payout; None when the provider knows nothing
        of it. PayoutProviderUnavailable when it did not answer."""

    def payout_cancel(self, *, reference: str, account: PayoutAccountInfo | None = None) -> None:
        """Withdraw a payout the payee has not accepted in time; its query
        then says failed. PayoutProviderUnavailable when it did not answer."""

    def payout_notice_parse(self, *, channel: str, body: bytes, headers: Mapping[str, str]) -> PayoutNotice:
        """A notification to ``/payouts/<channel>/notify/``, verified.
        PayoutNoticeInvalid (or JsonInputRefused) when it is not the
        provider's, before anything is read from it."""

    def payouts_made(self) -> Iterable[str]:
        """The references of every payout the provider made (succeeded), as
        its own records or statements say. PayoutProviderUnavailable when it
        cannot be asked."""


class PayoutProviderUnavailable(ConnectionError):
    """The provider could not be reached or did not answer: nothing is known
    of the payout; ask again later with the same reference."""


class PayoutNoticeInvalid(ValueError):
    """A payout notification that is not the provider's: refused, nothing applied."""


def payout_provider() -> PayoutProvider:
    return import_string(settings.PAYOUT_PROVIDER)()
