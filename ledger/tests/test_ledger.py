import threading

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.choices import AccountKind
from ledger.exceptions import UnbalancedTransaction
from ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from ledger.selectors import ledger_balance_mismatches, ledger_unbalanced_transactions
from ledger.services import Posting, ledger_account, ledger_accounts, ledger_post, ledger_post_batch

pytestmark = pytest.mark.django_db


def _accrue(reseller_id: int, amount: int, key: str):
    """A commission accrues: the platform's expense, the reseller's frozen money."""
    return ledger_post(
        idempotency_key=key,
        description="commission",
        debits=[(ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE), amount)],
        credits=[(ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=reseller_id), amount)],
    )


def test_a_posting_moves_both_balances_on_their_normal_side():
    _accrue(7, 1234, "c-1")

    assert ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=7).balance_amount == 1234
    assert ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE).balance_amount == 1234
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == [-1234, 1234]


def test_the_same_event_posted_twice_is_recorded_once():
    created = _accrue(7, 500, "c-1")
    created_again = _accrue(7, 500, "c-1")

    assert created and not created_again
    assert LedgerTransaction.objects.filter(idempotency_key="c-1").count() == 1
    assert LedgerEntry.objects.count() == 2
    assert ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=7).balance_amount == 500


@pytest.mark.parametrize(
    "debit, credit",
    [(100, 99), (0, 0), (-5, -5)],
    ids=["unequal sides", "zero", "negative"],
)
def test_unbalanced_or_empty_postings_are_refused_and_write_nothing(debit, credit):
    with pytest.raises(UnbalancedTransaction):
        ledger_post(
            idempotency_key="bad",
            description="bad",
            debits=[(ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE), debit)],
            credits=[(ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=1), credit)],
        )

    assert not LedgerTransaction.objects.exists()


@pytest.mark.postgres
def test_the_database_refuses_an_unbalanced_transaction_even_past_the_service():
    account = ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=1)
    posted = LedgerTransaction.objects.create(idempotency_key="raw", description="raw")

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        LedgerEntry.objects.create(transaction=posted, account=account, amount=100)
        with connection.cursor() as cursor:  # what COMMIT would do: run the deferred check now
            cursor.execute("SET CONSTRAINTS ledger_entry_balanced IMMEDIATE")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_transaction_cannot_commit():
    account = ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=1)

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        posted = LedgerTransaction.objects.create(idempotency_key="raw", description="raw")
        LedgerEntry.objects.create(transaction=posted, account=account, amount=100)

    assert not LedgerTransaction.objects.filter(idempotency_key="raw").exists()


def test_entries_and_transactions_cannot_be_changed_or_deleted():
    _accrue(7, 500, "c-1")
    posted = LedgerTransaction.objects.get(idempotency_key="c-1")
    entry = posted.entries.first()

    for attempt in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=1),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
        lambda: LedgerTransaction.objects.filter(pk=posted.pk).update(description="edited"),
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()

    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_reconciliation_finds_a_cached_balance_that_lies():
    _accrue(7, 500, "c-1")
    assert ledger_balance_mismatches() == []

    LedgerAccount.objects.filter(kind=AccountKind.RESELLER_FROZEN).update(balance_amount=999)

    [(account_id, cached, computed)] = ledger_balance_mismatches()
    assert (cached, computed) == (999, 500)


KINDS = [
    (AccountKind.RESELLER_FROZEN, 1),
    (AccountKind.RESELLER_WITHDRAWABLE, 1),
    (AccountKind.RESELLER_WITHDRAWABLE, 2),
    (AccountKind.SUPPLIER_PAYABLE, 3),
    (AccountKind.PLATFORM_COMMISSION_EXPENSE, None),
    (AccountKind.PLATFORM_PAYMENT_CLEARING, None),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    postings=st.lists(
        st.tuples(
            st.sampled_from(range(len(KINDS))),
            st.sampled_from(range(len(KINDS))),
            st.integers(min_value=1, max_value=10**9),
            st.integers(min_value=0, max_value=5),  # keys repeat: a retried post
        ),
        max_size=25,
    )
)
def test_any_sequence_of_postings_keeps_the_books_balanced(postings):
    with transaction.atomic():
        for index, (debit, credit, amount, key) in enumerate(postings):
            ledger_post(
                idempotency_key=f"k-{key}-{index % 3}",
                description="random",
                debits=[(ledger_account(kind=KINDS[debit][0], owner_id=KINDS[debit][1]), amount)],
                credits=[(ledger_account(kind=KINDS[credit][0], owner_id=KINDS[credit][1]), amount)],
            )

        assert ledger_unbalanced_transactions() == []
        assert ledger_balance_mismatches() == []
        assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_posts_of_one_event_record_it_once():
    ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=7)
    ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE)
    barrier = threading.Barrier(5)
    created = []

    def post():
        try:
            barrier.wait()
            created.append(_accrue(7, 300, "same-event"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(created) == [False, False, False, False, True]
    assert ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=7).balance_amount == 300
    assert LedgerEntry.objects.count() == 2


def _settle(reseller_id: int, amount: int, key: str) -> Posting:
    return Posting(
        idempotency_key=key,
        description="settle",
        debits=((ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=reseller_id), amount),),
        credits=((ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller_id), amount),),
    )


def test_a_batch_posts_each_transaction_once_in_constant_queries(django_assert_max_num_queries):
    for reseller_id in range(1, 41):
        _accrue(reseller_id, 1_000, f"accrue-{reseller_id}")
    few = [_settle(reseller_id, 1_000, f"settle-{reseller_id}") for reseller_id in range(1, 4)]
    many = [_settle(reseller_id, 1_000, f"settle-{reseller_id}") for reseller_id in range(4, 41)]

    with django_assert_max_num_queries(6):
        assert ledger_post_batch(few) == {"settle-1", "settle-2", "settle-3"}
    with django_assert_max_num_queries(6):
        ledger_post_batch(many)
    assert ledger_post_batch(few + many) == set()  # all posted before: nothing again

    assert ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=7).balance_amount == 1_000
    assert ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=7).balance_amount == 0
    assert ledger_balance_mismatches() == []
    assert ledger_unbalanced_transactions() == []


def test_a_batch_naming_one_event_twice_is_refused_and_writes_nothing():
    _accrue(1, 1_000, "accrue-1")

    with pytest.raises(ValueError, match="settle-1"):
        ledger_post_batch([_settle(1, 300, "settle-1"), _settle(1, 500, "settle-1")])

    assert not LedgerTransaction.objects.filter(idempotency_key="settle-1").exists()
    assert ledger_account(kind=AccountKind.RESELLER_FROZEN, owner_id=1).balance_amount == 1_000


def test_accounts_for_many_owners_come_in_constant_queries(django_assert_max_num_queries):
    keys = [(AccountKind.RESELLER_FROZEN, owner) for owner in range(1, 30)] + [
        (AccountKind.PLATFORM_COMMISSION_EXPENSE, None)
    ]

    with django_assert_max_num_queries(3):
        accounts = ledger_accounts(keys=keys)
    with django_assert_max_num_queries(1):
        again = ledger_accounts(keys=keys)

    assert set(accounts) == set(keys) and {a.pk for a in accounts.values()} == {a.pk for a in again.values()}
