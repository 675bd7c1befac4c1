"""The one writer of every status in this app: orders, fulfilment groups,
refunds and payment sessions, through the project's transition kernel
(``socialshop/states.py``) with this app's tables (``orders.choices``) and
its audit row (``StatusChange``: who, when, why) for orders, parcels and
refunds. Payment sessions keep no audit row: the provider's callbacks move
them, and the payment and its issues record what arrived. Nothing else
assigns ``.status``.

Two shapes: ``status_set`` for one row the caller has locked
(``select_for_update``), ``status_set_many`` for the periodic tasks' batches,
whose rows the caller has locked too; it moves only the rows whose current
status allows the move, so running it twice changes nothing the second time.
"""

from functools import partial

from django.db import models

from accounts.models import User
from socialshop.errors import NotFound
from socialshop.states import StateMachine, state_set, state_set_many

from ..choices import FULFILMENT_TRANSITIONS, ORDER_TRANSITIONS, PAYMENT_SESSION_TRANSITIONS, REFUND_TRANSITIONS
from ..exceptions import InvalidTransition
from ..models import FulfilmentGroup, Order, PaymentSession, Refund, StatusChange

MACHINES: dict[type[models.Model], StateMachine] = {
    model: StateMachine(transitions=table, error=InvalidTransition)
    for model, table in (
        (Order, ORDER_TRANSITIONS),
        (FulfilmentGroup, FULFILMENT_TRANSITIONS),
        (Refund, REFUND_TRANSITIONS),
        (PaymentSession, PAYMENT_SESSION_TRANSITIONS),
    )
}
AUDITED = (Order, FulfilmentGroup, Refund)  # the subjects of StatusChange rows


def row_locked_with_order(rows: models.QuerySet) -> tuple[Order, models.Model]:
    """The one row of ``rows`` (a parcel or a refund, already narrowed to
    what the caller may touch) and its order, both locked: the order first,
    as every writer of an order and its parts does, so two writers never
    wait on each other in a circle. NotFound when ``rows`` is empty."""
    found = rows.values_list("pk", "order_id").first()
    if found is None:
        raise NotFound()
    order = Order.objects.select_for_update().get(pk=found[1])
    return order, rows.model.objects.select_for_update().get(pk=found[0])


def transition_allowed(model: type[models.Model], from_status: str, to_status: str, actor_kind: str) -> bool:
    return MACHINES[model].allows(from_status, to_status, actor_kind)


def sources_of(model: type[models.Model], to_status: str, actor_kind: str) -> list[str]:
    """The statuses from which ``actor_kind`` may move a row to ``to_status``."""
    return MACHINES[model].sources(to_status, actor_kind)


def _audit(obj, from_status: str, to_status: str, actor_kind: str, actor: User | None, reason: str) -> StatusChange:
    order_id = obj.pk if isinstance(obj, Order) else obj.order_id
    return StatusChange(
        order_id=order_id,
        fulfilment_id=obj.pk if isinstance(obj, FulfilmentGroup) else None,
        refund_id=obj.pk if isinstance(obj, Refund) else None,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor_kind,
        actor=actor,
        reason=reason[:200],
    )


def status_created(objs: list, *, actor_kind: str, actor: User | None, reason: str = "") -> None:
    """The audit rows of rows just created in their first status, in one insert."""
    StatusChange.objects.bulk_create(_audit(obj, "", obj.status, actor_kind, actor, reason) for obj in objs)


def _audited(actor_kind: str, actor: User | None, reason: str, obj, from_status: str, to_status: str):
    return _audit(obj, from_status, to_status, actor_kind, actor, reason)


def status_set(obj, to_status: str, *, actor_kind: str, actor: User | None = None, reason: str = "", **fields) -> None:
    """Move one locked row to ``to_status`` (and set ``fields`` with it), or
    raise InvalidTransition (409, with ``current_state``)."""
    state_set(
        obj,
        to_status,
        machine=MACHINES[type(obj)],
        actor_kind=actor_kind,
        audit=partial(_audited, actor_kind, actor, reason) if isinstance(obj, AUDITED) else None,
        **fields,
    )


def status_set_many(
    model: type[models.Model],
    rows: list,
    to_status: str,
    *,
    actor_kind: str,
    actor: User | None = None,
    reason: str = "",
    **fields,
) -> list[int]:
    """Move many locked rows at once: one conditional UPDATE (only rows whose
    status allows the move) and one insert of audit rows. ``rows`` are model
    instances loaded under lock (id, order_id, status are read). Returns the
    ids moved."""
    return state_set_many(
        model,
        rows,
        to_status,
        machine=MACHINES[model],
        actor_kind=actor_kind,
        audit=partial(_audited, actor_kind, actor, reason) if issubclass(model, AUDITED) else None,
        **fields,
    )
