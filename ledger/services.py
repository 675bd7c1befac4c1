"""The only writer of the ledger: ``ledger_post_batch`` (``ledger_post`` is
a batch of one).

Callers speak in debits and credits of positive fen amounts; entries store
them signed (debit +, credit −). A transaction is posted once per
idempotency key: posting the same business event again writes nothing.
Cached balances move in the same database transaction as the entries, their
rows locked in id order (``ledger_balance_locked`` takes the same lock for a
caller that must read a balance before it posts).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .choices import ACCOUNT_KINDS
from .exceptions import UnbalancedTransaction
from .models import LedgerAccount, LedgerEntry, LedgerTransaction
from .selectors import shown_delta

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


@dataclass(frozen=True)
class Posting:
    """One transaction to post in a batch (see ledger_post_batch)."""

    idempotency_key: str
    description: str
    debits: tuple[Side, ...]
    credits: tuple[Side, ...]


def ledger_post(*, idempotency_key: str, description: str, debits: Iterable[Side], credits: Iterable[Side]) -> bool:
    """Post one balanced transaction, once: a batch of one. Returns whether
    it was posted now (False: the event was posted before). Concurrent posts
    of one key: the second waits on the unique index and posts nothing."""
    posting = Posting(
        idempotency_key=idempotency_key, description=description, debits=tuple(debits), credits=tuple(credits)
    )
    return bool(ledger_post_batch([posting]))


def ledger_balance_locked(*, kind: str, owner_id: int | None = None) -> int:
    """The balance of an account, its row locked until the caller's
    transaction ends (created if missing): what a withdrawal reads before
    it reserves money, so two requests cannot spend the same balance."""
    account = ledger_account(kind=kind, owner_id=owner_id)
    return LedgerAccount.objects.select_for_update().values_list("balance_amount", flat=True).get(pk=account.pk)


def _accounts_matching(keys: set[tuple[str, int | None]]) -> Q:
    """One condition per kind (``owner_id IN (...)``), not one per key: a
    batch asks for thousands of accounts and the unique (kind, owner) index
    answers each kind's list."""
    owners: dict[str, list[int]] = defaultdict(list)
    platform: list[str] = []
    for kind, owner_id in keys:
        if owner_id is None:
            platform.append(kind)
        else:
            owners[kind].append(owner_id)
    wanted = Q(kind__in=platform, owner_id__isnull=True) if platform else Q()
    for kind, owner_ids in owners.items():
        wanted |= Q(kind=kind, owner_id__in=owner_ids)
    return wanted


def ledger_accounts(*, keys: Iterable[tuple[str, int | None]]) -> dict[tuple[str, int | None], LedgerAccount]:
    """The accounts for many (kind, owner id) pairs, created where missing,
    in a constant number of queries."""
    keys = set(keys)
    if not keys:
        return {}
    found = {
        (account.kind, account.owner_id): account for account in LedgerAccount.objects.filter(_accounts_matching(keys))
    }
    missing = keys - set(found)
    if missing:
        LedgerAccount.objects.bulk_create(
            [
                LedgerAccount(
                    kind=kind,
                    owner_id=owner_id,
                    owner_kind=ACCOUNT_KINDS[kind][0],
                    normal_side=ACCOUNT_KINDS[kind][1],
                )
                for kind, owner_id in missing
            ],
            ignore_conflicts=True,  # another transaction created it meanwhile
        )
        found.update(
            {
                (account.kind, account.owner_id): account
                for account in LedgerAccount.objects.filter(_accounts_matching(missing))
            }
        )
    return found


def ledger_post_batch(postings: list[Posting]) -> set[str]:
    """Post many transactions at once, each once, in a constant number of
    queries (set-based settlement posts thousands this way). Returns the
    keys it posted now; keys posted before are skipped. Account rows are
    locked in id order before their balances move. A key twice in one
    batch is a caller's bug (which of the two would be the event?): refused,
    nothing written."""
    keys = [posting.idempotency_key for posting in postings]
    if len(set(keys)) != len(keys):
        raise ValueError(
            f"one idempotency key twice in a ledger batch: {sorted({k for k in keys if keys.count(k) > 1})}"
        )
    signed = {
        posting.idempotency_key: signed_entries(debits=posting.debits, credits=posting.credits) for posting in postings
    }
    if not signed:
        return set()
    descriptions = {posting.idempotency_key: posting.description[:200] for posting in postings}
    # checked before any statement: a refused batch leaves the caller's transaction usable; inside one,
    # no savepoint (no SAVEPOINT and RELEASE to send): a failure of the statements rolls the caller back anyway
    with transaction.atomic(savepoint=False):
        return _post(signed, descriptions)


def _post(signed: dict, descriptions: dict) -> set[str]:
    """The statements of a checked batch."""
    now = timezone.now()
    postgresql = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    transactions, entries_table, accounts_table = (
        quote(model._meta.db_table) for model in (LedgerTransaction, LedgerEntry, LedgerAccount)
    )
    with connection.cursor() as cursor:
        # PostgreSQL takes whole columns as arrays (unnest): one short
        # statement whatever the batch; SQLite (the quick start) a VALUES list.
        if postgresql:
            cursor.execute(
                f"INSERT INTO {transactions} (idempotency_key, description, created_at) "
                "SELECT key, description, %s FROM unnest(%s::text[], %s::text[]) AS posted(key, description) "
                "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
                [now, list(signed), [descriptions[key] for key in signed]],
            )
        else:
            cursor.execute(
                f"INSERT INTO {transactions} (idempotency_key, description, created_at) "
                f"VALUES {', '.join(['(%s, %s, %s)'] * len(signed))} "
                "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
                [item for key in signed for item in (key, descriptions[key], now)],
            )
        created = {key: transaction_id for transaction_id, key in cursor.fetchall()}
        if not created:
            return set()
        entries = [
            (transaction_id, account, amount)
            for key, transaction_id in created.items()
            for account, amount in signed[key]
        ]
        if postgresql:
            cursor.execute(
                f"INSERT INTO {entries_table} (transaction_id, account_id, amount, created_at) "
                "SELECT transaction_id, account_id, amount, %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS entry(transaction_id, account_id, amount)",
                [
                    now,
                    [transaction_id for transaction_id, _account, _amount in entries],
                    [account.pk for _transaction_id, account, _amount in entries],
                    [amount for _transaction_id, _account, amount in entries],
                ],
            )
        else:
            LedgerEntry.objects.bulk_create(
                LedgerEntry(transaction_id=transaction_id, account=account, amount=amount)
                for transaction_id, account, amount in entries
            )
    deltas: dict[int, int] = defaultdict(int)
    for _transaction_id, account, amount in entries:
        deltas[account.pk] += shown_delta(account.normal_side, amount)
    moving = sorted(account_id for account_id, delta in deltas.items() if delta)
    if moving:
        list(LedgerAccount.objects.select_for_update().filter(pk__in=moving).order_by("pk").values_list("pk"))
        with connection.cursor() as cursor:
            if postgresql:  # a join: fast for thousands of accounts
                cursor.execute(
                    f"UPDATE {accounts_table} AS account SET balance_amount = account.balance_amount + moved.delta "
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS moved(id, delta) WHERE account.id = moved.id",
                    [moving, [deltas[account_id] for account_id in moving]],
                )
            else:  # SQLite names no columns of VALUES
                cases = " ".join(["WHEN %s THEN %s"] * len(moving))
                cursor.execute(
                    f"UPDATE {accounts_table} SET balance_amount = balance_amount + CASE id {cases} END "
                    f"WHERE id IN ({', '.join(['%s'] * len(moving))})",
                    [item for account_id in moving for item in (account_id, deltas[account_id])] + moving,
                )
    return set(created)
