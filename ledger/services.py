"""The only writer of the ledger.

Callers speak in debits and credits of positive fen amounts; entries store
them signed (debit +, credit −). A transaction is posted once per
idempotency key: posting the same business event again returns the first
transaction and writes nothing. Cached balances move in the same database
transaction as the entries.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from .choices import ACCOUNT_KINDS, NormalSide
from .exceptions import UnbalancedTransaction
from .models import LedgerAccount, LedgerEntry, LedgerTransaction

Side = tuple[LedgerAccount, int]  # (account, positive amount in fen)


def ledger_account(*, kind: str, owner_id: int | None = None) -> LedgerAccount:
    """The account of ``kind`` for ``owner_id`` (None: the platform's),
    created on first use."""
    owner_kind, normal_side = ACCOUNT_KINDS[kind]
    account, _ = LedgerAccount.objects.get_or_create(
        kind=kind, owner_id=owner_id, defaults={"owner_kind": owner_kind, "normal_side": normal_side}
    )
    return account


def signed_entries(*, debits: Iterable[Side], credits: Iterable[Side]) -> list[tuple[LedgerAccount, int]]:
    """Debits and credits → signed entries; refuses zero or negative sides
    and sides that do not balance."""
    debits, credits = list(debits), list(credits)
    if not debits or not credits or any(amount <= 0 for _, amount in debits + credits):
        raise UnbalancedTransaction("every side of a ledger transaction is a positive amount")
    if sum(amount for _, amount in debits) != sum(amount for _, amount in credits):
        raise UnbalancedTransaction()
    return [(account, amount) for account, amount in debits] + [(account, -amount) for account, amount in credits]


def shown_delta(normal_side: str, signed_amount: int) -> int:
    """How a signed entry moves the balance shown for its account."""
    return signed_amount if normal_side == NormalSide.DEBIT else -signed_amount


@transaction.atomic
def ledger_post(
    *, idempotency_key: str, description: str, debits: Iterable[Side], credits: Iterable[Side]
) -> tuple[LedgerTransaction, bool]:
    """Post one balanced transaction, once. Returns (transaction, created).

    Concurrent posts of one key: the second waits on the unique index and
    then returns the first's transaction. Account rows are updated in id
    order, so two posts never deadlock on balances."""
    entries = signed_entries(debits=debits, credits=credits)
    posted, created = LedgerTransaction.objects.get_or_create(
        idempotency_key=idempotency_key, defaults={"description": description[:200]}
    )
    if not created:
        return posted, False
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=posted, account=account, amount=amount) for account, amount in entries
    )
    deltas: dict[int, int] = defaultdict(int)
    sides: dict[int, str] = {}
    for account, amount in entries:
        deltas[account.pk] += amount
        sides[account.pk] = account.normal_side
    for account_id in sorted(deltas):
        delta = shown_delta(sides[account_id], deltas[account_id])
        if delta:
            LedgerAccount.objects.filter(pk=account_id).update(balance_amount=F("balance_amount") + delta)
    return posted, True
