"""The transition kernel (socialshop/states.py): a move happens exactly when
the declared table allows it for that actor, with its fields and audit row;
otherwise nothing changes and the machine's 409 says the current state."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialshop.events import RECEIPT_MACHINE
from socialshop.models import Event, EventReceipt, ReceiptStatus
from socialshop.states import InvalidTransition, state_set, state_set_many, state_set_query

pytestmark = pytest.mark.django_db

STATES = list(ReceiptStatus.values)
ACTORS = ["system", "operator", "buyer"]


def _receipt(status: str) -> EventReceipt:
    event = Event.objects.create(type="test.happened", aggregate_type="test", aggregate_id=1)
    return EventReceipt.objects.create(event=event, consumer="test", status=status)


@settings(max_examples=60, deadline=None)
@given(start=st.sampled_from(STATES), target=st.sampled_from(STATES), actor=st.sampled_from(ACTORS))
def test_a_move_happens_exactly_when_the_table_declares_it(start, target, actor):
    receipt = _receipt(start)
    audits = []

    def audit(row, old, new):
        audits.append((row.pk, old, new))

    allowed = actor in RECEIPT_MACHINE.transitions.get((start, target), frozenset())
    if allowed:
        state_set(receipt, target, machine=RECEIPT_MACHINE, actor_kind=actor, audit=audit, attempts=3)
    else:
        with pytest.raises(InvalidTransition) as refused:
            state_set(receipt, target, machine=RECEIPT_MACHINE, actor_kind=actor, audit=audit, attempts=3)
        assert refused.value.extra["current_state"] == start

    stored = EventReceipt.objects.get(pk=receipt.pk)
    assert (stored.status, stored.attempts) == ((target, 3) if allowed else (start, 0))
    assert audits == ([(receipt.pk, start, target)] if allowed else [])


@settings(max_examples=30, deadline=None)
@given(starts=st.lists(st.sampled_from(STATES), min_size=1, max_size=6))
def test_a_batch_moves_only_the_rows_whose_state_allows_it_and_a_second_run_moves_none(starts):
    rows = [_receipt(start) for start in starts]

    moved = state_set_many(EventReceipt, rows, ReceiptStatus.HANDLED, machine=RECEIPT_MACHINE, actor_kind="system")
    again = state_set_many(
        EventReceipt,
        list(EventReceipt.objects.filter(pk__in=[row.pk for row in rows])),
        ReceiptStatus.HANDLED,
        machine=RECEIPT_MACHINE,
        actor_kind="system",
    )

    movable = {ReceiptStatus.PENDING, ReceiptStatus.RETRYING}
    assert sorted(moved) == sorted(row.pk for row, start in zip(rows, starts, strict=True) if start in movable)
    assert again == []
    for row, start in zip(rows, starts, strict=True):
        expected = ReceiptStatus.HANDLED if start in movable or start == ReceiptStatus.HANDLED else start
        assert EventReceipt.objects.get(pk=row.pk).status == expected


@settings(max_examples=30, deadline=None)
@given(
    starts=st.lists(st.sampled_from(STATES), min_size=1, max_size=6),
    target=st.sampled_from(STATES),
    actor=st.sampled_from(ACTORS),
)
def test_a_set_based_move_takes_the_from_states_from_the_table(starts, target, actor):
    rows = [_receipt(start) for start in starts]
    chosen = EventReceipt.objects.filter(pk__in=[row.pk for row in rows])

    moved = state_set_query(chosen, target, machine=RECEIPT_MACHINE, actor_kind=actor, attempts=2)
    again = state_set_query(chosen, target, machine=RECEIPT_MACHINE, actor_kind=actor, attempts=2)

    movable = [RECEIPT_MACHINE.allows(start, target, actor) for start in starts]
    assert moved == sum(movable)
    assert again == (moved if RECEIPT_MACHINE.allows(target, target, actor) else 0)  # (retrying → retrying)
    for row, start, moves in zip(rows, starts, movable, strict=True):
        stored = EventReceipt.objects.get(pk=row.pk)
        assert (stored.status, stored.attempts) == ((target, 2) if moves else (start, 0))


def test_a_machine_names_who_may_make_a_move():
    assert RECEIPT_MACHINE.actors(ReceiptStatus.PARKED, ReceiptStatus.PENDING) == frozenset({"operator"})
    assert RECEIPT_MACHINE.actors(ReceiptStatus.HANDLED, ReceiptStatus.PENDING) == frozenset()
