"""Readers of the ledger, including the checks ``reconcile`` runs."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat

from .choices import NormalSide
from .models import LedgerAccount, LedgerEntry, LedgerTransaction


def ledger_balances_for_owner(*, owner_id: int, kinds: list[str]) -> dict[str, int]:
    """Cached balances of one owner's accounts, by kind (0 where none yet)."""
    found = dict(LedgerAccount.objects.filter(owner_id=owner_id, kind__in=kinds).values_list("kind", "balance_amount"))
    return {kind: found.get(kind, 0) for kind in kinds}


def ledger_entries_for_account(*, account: LedgerAccount) -> QuerySet[LedgerEntry]:
    return account.entries.select_related("transaction").order_by("-id")


def ledger_unbalanced_transactions() -> list[tuple[int, int]]:
    """(transaction id, sum of its entries) for every transaction that does
    not sum to zero: always empty while the database trigger holds."""
    rows = (
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .values_list("transaction_id", "total")
    )
    return list(rows)


def ledger_balance_mismatches() -> list[tuple[int, int, int]]:
    """(account id, cached balance, balance from its entries) wherever they differ."""
    quote = connection.ops.quote_name
    accounts, entries = quote(LedgerAccount._meta.db_table), quote(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        # the table names come from the models, every value is a parameter
        cursor.execute(
            f"""
            SELECT account.id, account.balance_amount,
                   CASE WHEN account.normal_side = %s THEN COALESCE(sums.total, 0)
                        ELSE -COALESCE(sums.total, 0) END AS computed
            FROM {accounts} AS account
            LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM {entries} GROUP BY account_id) AS sums
                   ON sums.account_id = account.id
            """,  # noqa: S608
            [NormalSide.DEBIT],
        )
        return [
            (account_id, cached, computed) for account_id, cached, computed in cursor.fetchall() if cached != computed
        ]


def ledger_totals_by_kind(*, kinds: list[str]) -> dict[str, int]:
    """The sum of every owner's cached balance, per account kind (0 where
    none): what the platform owes resellers and suppliers."""
    found = dict(
        LedgerAccount.objects.filter(kind__in=kinds)
        .values("kind")
        .annotate(total=Sum("balance_amount"))
        .values_list("kind", "total")
    )
    return {kind: found.get(kind) or 0 for kind in kinds}


@dataclass(frozen=True)
class OwnerEntry:
    at: datetime
    account_kind: str
    description: str
    amount: int  # fen, on the account's normal side
    key: str = ""  # the posting's idempotency key (``commission-accrue:<id>`` …): what it is, for its reader


def ledger_entries_for_owner(*, owner_id: int, owner_kind: str) -> Iterator[OwnerEntry]:
    """Every entry on one owner's accounts, oldest first, each shown on its
    account's own side. An iterator: a statement can be long."""
    entries = (
        LedgerEntry.objects.filter(account__owner_id=owner_id, account__owner_kind=owner_kind)
        .select_related("transaction", "account")
        .order_by("id")
    )
    for entry in entries.iterator(chunk_size=2_000):
        yield OwnerEntry(
            at=entry.created_at,
            account_kind=entry.account.kind,
            description=entry.transaction.description,
            amount=shown_delta(entry.account.normal_side, entry.amount),
            key=entry.transaction.idempotency_key,
        )


def shown_delta(normal_side: str, signed_amount: int) -> int:
    """How a signed entry moves the balance shown for its account."""
    return signed_amount if normal_side == NormalSide.DEBIT else -signed_amount


def ledger_keys_with_prefix(prefix: str) -> set[int]:
    """The ids named by the keys ``<prefix><id>`` posted so far
    (``"withdrawal-paid:"`` → the withdrawals paid)."""
    keys = LedgerTransaction.objects.filter(idempotency_key__startswith=prefix).values_list(
        "idempotency_key", flat=True
    )
    return {int(key.rsplit(":", 1)[1]) for key in keys}


def ledger_entries_with_key_prefix(prefix: str) -> Iterator[tuple[str, str, int]]:
    """(transaction key, account kind, signed amount) of every entry whose
    transaction's key starts with ``prefix``, as an iterator."""
    entries = LedgerEntry.objects.filter(transaction__idempotency_key__startswith=prefix).values_list(
        "transaction__idempotency_key", "account__kind", "amount"
    )
    return entries.iterator(chunk_size=5_000)


def ledger_posted(prefix: str, id_field: str = "pk") -> Exists:
    """A condition for a queryset of other rows: the ledger holds the
    transaction keyed ``<prefix><the row's id_field>`` (reconcile's "was it
    posted?")."""
    return Exists(
        LedgerTransaction.objects.filter(
            idempotency_key=Concat(Value(prefix), Cast(OuterRef(id_field), CharField()), output_field=CharField())
        )
    )
