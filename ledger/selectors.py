"""Readers of the ledger, including the checks ``reconcile`` runs."""

from django.db import connection
from django.db.models import QuerySet, Sum

from .choices import NormalSide
from .models import LedgerAccount, LedgerEntry


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
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT account.id, account.balance_amount,
                   CASE WHEN account.normal_side = %s THEN COALESCE(sums.total, 0)
                        ELSE -COALESCE(sums.total, 0) END AS computed
            FROM ledger_ledgeraccount AS account
            LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_ledgerentry GROUP BY account_id) AS sums
                   ON sums.account_id = account.id
            """,
            [NormalSide.DEBIT],
        )
        return [
            (account_id, cached, computed) for account_id, cached, computed in cursor.fetchall() if cached != computed
        ]
