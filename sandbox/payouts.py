"""The sandbox payout provider: a ``PayoutProvider`` (``commissions.providers``).

A real provider (WeChat Pay's 商家转账到零钱, Alipay's 单笔转账) takes our
reference as an idempotency key: asking twice for one reference pays once
and answers the same. The sandbox behaves that way too: it keeps what it
was asked (``SandboxPayoutRecord``), answers a repeated reference with the
first answer, and fails a share of payouts (``PAYOUT_SANDBOX_FAILURE_RATE``,
picked by a hash of the reference so a retry gets the same outcome), with
reasons a real provider gives; an amount ending in 13 fen always fails (a
"test card" for demos and people trying it). ``PAYOUT_SANDBOX_OUTAGE`` makes it answer
nothing at all, as a provider does when it is down.
"""

import hashlib
import uuid
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction

from commissions.choices import PayoutAccountKind
from commissions.providers import (
    PayoutAccountInfo,
    PayoutNotice,
    PayoutNoticeInvalid,
    PayoutProviderUnavailable,
    PayoutResult,
)

from .models import SandboxPayoutRecord

SANDBOX_FAILING_CENTS = 13
# what WeChat Pay or Alipay answers, in their words: the reseller reads it on its money page
SANDBOX_FAILURE_REASONS = [
    "收款账户未完成实名认证",  # payee account not verified
    "收款账户已冻结",  # payee account frozen
    "超出单日转账限额",  # daily transfer limit reached
]


class SandboxPayoutProvider:
    needs_account = False  # it pays a pretend wallet; an account, when there is one, is ignored

    def account_kinds(self) -> list[str]:
        return list(PayoutAccountKind.values)

    def payout_send(
        self, *, reference: str, reseller_id: int, amount: int, account: PayoutAccountInfo | None = None
    ) -> PayoutResult:
        if settings.PAYOUT_SANDBOX_OUTAGE:
            raise PayoutProviderUnavailable("sandbox payout provider: outage (PAYOUT_SANDBOX_OUTAGE)")
        existing = SandboxPayoutRecord.objects.filter(reference=reference).first()
        if existing is None:
            digest = int(hashlib.sha256(reference.encode()).hexdigest()[:8], 16)
            # like a test card number: an amount ending in 13 fen always fails
            fails = amount % 100 == SANDBOX_FAILING_CENTS or digest / 0xFFFFFFFF < settings.PAYOUT_SANDBOX_FAILURE_RATE
            try:
                with transaction.atomic():
                    existing = SandboxPayoutRecord.objects.create(
                        reference=reference,
                        reseller_id=reseller_id,
                        amount=amount,
                        succeeded=not fails,
                        provider_reference=f"SBX{uuid.uuid4().hex[:20].upper()}",
                        failure_reason=SANDBOX_FAILURE_REASONS[digest % len(SANDBOX_FAILURE_REASONS)] if fails else "",
                    )
            except IntegrityError:  # asked twice at once: the first answer stands
                existing = SandboxPayoutRecord.objects.get(reference=reference)
        return PayoutResult(existing.succeeded, existing.provider_reference, existing.failure_reason)

    def payout_query(self, *, reference: str, account: PayoutAccountInfo | None = None) -> PayoutResult | None:
        record = SandboxPayoutRecord.objects.filter(reference=reference).first()
        if record is None:
            return None
        return PayoutResult(record.succeeded, record.provider_reference, record.failure_reason)

    def payout_cancel(self, *, reference: str, account: PayoutAccountInfo | None = None) -> None:
        """Nothing waits in the sandbox: every payout is answered at once."""

    def payout_notice_parse(self, *, channel: str, body: bytes, headers: Mapping[str, str]) -> PayoutNotice:
        raise PayoutNoticeInvalid("The sandbox sends no payout notifications.")

    def payouts_made(self) -> Iterable[str]:
        """Its own records of what it paid: read even during an outage, as
        the books a provider's statements are drawn from."""
        return SandboxPayoutRecord.objects.filter(succeeded=True).values_list("reference", flat=True)
