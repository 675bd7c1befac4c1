"""The books proven: every check ``reconcile`` runs, as data.

Each check returns a list of breaks (strings a person can act on); an empty
list means the rule holds. The command prints them and exits non-zero on
any break; a periodic task runs them and alerts operators.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count

from ledger.models import LedgerTransaction
from ledger.selectors import ledger_balance_mismatches, ledger_unbalanced_transactions

from .choices import WithdrawalStatus
from .models import PayoutItem, SandboxPayoutRecord, Withdrawal


@dataclass(frozen=True)
class CheckResult:
    name: str
    breaks: list[str]

    @property
    def ok(self) -> bool:
        return not self.breaks


def check_transactions_balance() -> list[str]:
    return [f"ledger transaction {tid} sums to {total}" for tid, total in ledger_unbalanced_transactions()]


def check_cached_balances() -> list[str]:
    return [
        f"ledger account {account_id}: cached balance {cached} but its entries sum to {computed}"
        for account_id, cached, computed in ledger_balance_mismatches()
    ]


def _keys_with_prefix(prefix: str) -> set[int]:
    keys = LedgerTransaction.objects.filter(idempotency_key__startswith=prefix).values_list(
        "idempotency_key", flat=True
    )
    return {int(key.rsplit(":", 1)[1]) for key in keys}


def check_withdrawals_match_the_ledger() -> list[str]:
    """Each withdrawal's money moved exactly as its state says: reserved once
    when requested, then paid out or returned at most once, never both."""
    breaks = []
    requested = _keys_with_prefix("withdrawal-request:")
    paid = _keys_with_prefix("withdrawal-paid:")
    returned = _keys_with_prefix("withdrawal-reject:") | _keys_with_prefix("withdrawal-failed:")
    for withdrawal_id, status in Withdrawal.objects.values_list("pk", "status"):
        if withdrawal_id not in requested:
            breaks.append(f"withdrawal {withdrawal_id} has no reservation in the ledger")
        if (withdrawal_id in paid) != (status == WithdrawalStatus.PAID):
            breaks.append(f"withdrawal {withdrawal_id} is {status} but the ledger says paid={withdrawal_id in paid}")
        returns = status in (WithdrawalStatus.REJECTED, WithdrawalStatus.FAILED)
        if (withdrawal_id in returned) != returns:
            breaks.append(
                f"withdrawal {withdrawal_id} is {status} but the ledger says returned={withdrawal_id in returned}"
            )
    return breaks


def check_no_withdrawal_paid_twice() -> list[str]:
    """At most one payout item per withdrawal (a unique constraint too), and
    every payout the provider made is recorded against its item (one that is
    not yet recorded means a worker died mid-payout: the next run records it)."""
    breaks = [
        f"withdrawal {row['withdrawal_id']} has {row['n']} payout items"
        for row in PayoutItem.objects.values("withdrawal_id").annotate(n=Count("id")).filter(n__gt=1)
    ]
    recorded = set(PayoutItem.objects.filter(outcome="paid").values_list("reference", flat=True))
    for reference in SandboxPayoutRecord.objects.filter(succeeded=True).values_list("reference", flat=True):
        if reference not in recorded:
            breaks.append(f"the provider paid {reference}, but no payout item records it as paid")
    return breaks


CHECKS: list[tuple[str, Callable[[], list[str]]]] = [
    ("every ledger transaction balances", check_transactions_balance),
    ("every cached balance equals the sum of its entries", check_cached_balances),
    ("every withdrawal's state matches its ledger entries", check_withdrawals_match_the_ledger),
    ("no withdrawal is paid twice", check_no_withdrawal_paid_twice),
]


def reconcile() -> list[CheckResult]:
    return [CheckResult(name, check()) for name, check in CHECKS]
