"""The one writer of statuses: every declared move is allowed to the actors
the table names and recorded (who, when, why); everything else is refused
with the current state and changes nothing."""

import pytest

from accounts.tests.factories import UserFactory
from orders.choices import (
    FULFILMENT_TRANSITIONS,
    ORDER_TRANSITIONS,
    PAYMENT_SESSION_TRANSITIONS,
    REFUND_TRANSITIONS,
    Actor,
    FulfilmentStatus,
    OrderStatus,
    PaymentSessionStatus,
    RefundStatus,
)
from orders.exceptions import InvalidTransition
from orders.models import FulfilmentGroup, Order, PaymentSession, Refund, StatusChange
from orders.services.payments import payment_start
from orders.services.states import status_set, status_set_many

from .factories import NOTIFY_URL, RETURN_URL, place, shop_selling

pytestmark = pytest.mark.django_db

SUBJECTS = [
    (Order, ORDER_TRANSITIONS, OrderStatus),
    (FulfilmentGroup, FULFILMENT_TRANSITIONS, FulfilmentStatus),
    (Refund, REFUND_TRANSITIONS, RefundStatus),
]


def _subject(model):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    if model is Order:
        return order
    if model is FulfilmentGroup:  # a parcel with its tracking, so any status is possible (a CHECK wants it)
        FulfilmentGroup.objects.filter(order=order).update(
            carrier="SF", tracking_number="SF123456", shipped_at=order.created_at
        )
        return order.fulfilments.get()
    line = order.lines.get()
    return Refund.objects.create(order=order, line=line, amount=1, reason="test", reference=f"T{order.pk}")


@pytest.mark.parametrize(("model", "table", "statuses"), SUBJECTS, ids=["order", "fulfilment", "refund"])
def test_only_declared_moves_by_their_actors_are_allowed(model, table, statuses):
    subject = _subject(model)
    user = UserFactory()
    for source in statuses.values:
        for target in statuses.values:
            for actor in Actor.values:
                model.objects.filter(pk=subject.pk).update(status=source)
                subject.refresh_from_db()
                before = StatusChange.objects.count()
                allowed = actor in table.get((source, target), ())
                if allowed:
                    status_set(subject, target, actor_kind=actor, actor=user, reason="because")
                    subject.refresh_from_db()
                    assert subject.status == target
                    change = StatusChange.objects.latest("id")
                    assert (change.from_status, change.to_status, change.actor_kind, change.actor, change.reason) == (
                        source,
                        target,
                        actor,
                        user,
                        "because",
                    )
                    assert change.changed_at is not None
                else:
                    with pytest.raises(InvalidTransition) as refused:
                        status_set(subject, target, actor_kind=actor, actor=user)
                    assert refused.value.extra["current_state"] == source
                    assert refused.value.http_status == 409
                    subject.refresh_from_db()
                    assert subject.status == source and StatusChange.objects.count() == before


def test_a_batch_moves_only_the_rows_whose_status_allows_it():
    shop, sku = shop_selling()
    waiting = [place(shop=shop, sku=sku) for _ in range(3)]
    Order.objects.filter(pk=waiting[0].pk).update(status=OrderStatus.PAID)
    rows = list(Order.objects.filter(pk__in=[order.pk for order in waiting]).order_by("pk"))

    moved = status_set_many(Order, rows, OrderStatus.CANCELLED, actor_kind=Actor.SYSTEM, reason="late")
    again = status_set_many(Order, rows, OrderStatus.CANCELLED, actor_kind=Actor.SYSTEM, reason="late")

    assert moved == [waiting[1].pk, waiting[2].pk] and again == []
    assert Order.objects.get(pk=waiting[0].pk).status == OrderStatus.PAID
    assert StatusChange.objects.filter(to_status=OrderStatus.CANCELLED).count() == 2


def test_payment_sessions_move_only_along_their_table_and_keep_no_audit_row():
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    session = payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)
    before = StatusChange.objects.count()
    for source in PaymentSessionStatus.values:
        for target in PaymentSessionStatus.values:
            for actor in Actor.values:
                PaymentSession.objects.filter(pk=session.pk).update(status=source)
                session.refresh_from_db()
                allowed = actor in PAYMENT_SESSION_TRANSITIONS.get((source, target), ())
                if allowed:
                    status_set(session, target, actor_kind=actor)
                else:
                    with pytest.raises(InvalidTransition) as refused:
                        status_set(session, target, actor_kind=actor)
                    assert refused.value.extra["current_state"] == source
                assert PaymentSession.objects.get(pk=session.pk).status == (target if allowed else source)
    assert StatusChange.objects.count() == before  # the payment and its issues record what arrived
