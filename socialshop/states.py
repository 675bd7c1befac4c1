"""The one transition kernel: every status in the project changes here.

A model declares its state machine as data (``StateMachine``: which moves
exist and which kinds of actor may make each); its app's writer locks the
row and calls ``state_set`` (one row) or ``state_set_many`` (a locked
batch). The kernel checks the move against the table, writes the status
(and any fields that change with it) with ``update_fields``, writes the
app's own audit row through the ``audit`` callable the app passes, and,
where the caller names one, the outbox event (``socialshop.events``), all
in the caller's transaction. A move the table does not declare raises
``InvalidTransition`` (409, with the current state).

Sweeps that move rows they never load (settlement, claims) use
``state_set_query``: one conditional UPDATE whose from-states come from the
table, so the table stays the only definition of the moves.

Nothing outside this module assigns a status (``socialshop/tests/
test_states_only_here.py`` scans the project for it).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models

from .errors import Conflict, DomainError

SYSTEM = "system"  # the actor kind of workers and sweeps


class InvalidTransition(Conflict):
    """A move the table does not declare; carries ``current_state``."""

    code = "invalid_transition"
    default_message = "The request is not allowed in the current state."


@dataclass(frozen=True)
class StateMachine:
    """(from, to) → the actor kinds that may make the move."""

    transitions: Mapping[tuple[str, str], frozenset[str]]
    field: str = "status"
    # moves the kernel refuses with this error class instead of the generic one (an app's own 409)
    error: type[DomainError] = InvalidTransition

    def allows(self, from_state: str, to_state: str, actor_kind: str) -> bool:
        return actor_kind in self.transitions.get((from_state, to_state), frozenset())

    def sources(self, to_state: str, actor_kind: str) -> list[str]:
        """The states from which ``actor_kind`` may move a row to ``to_state``."""
        return [
            source
            for (source, target), actors in self.transitions.items()
            if target == to_state and actor_kind in actors
        ]

    def actors(self, from_state: str, to_state: str) -> frozenset[str]:
        """Who may make the move; empty when the table does not declare it."""
        return self.transitions.get((from_state, to_state), frozenset())

    def refuse(self, current: str, requested: str) -> DomainError:
        return self.error(current_state=current, requested_state=requested)


# audit(row, from_state, to_state) → an unsaved audit row, or None when the app keeps none for this move
Audit = Callable[[models.Model, str, str], models.Model | None]
# event(row) → (type, aggregate_type, aggregate_id, payload) written with the move
EventFor = Callable[[models.Model], tuple[str, str, int, dict]]


def state_set(
    obj: models.Model,
    to_state: str,
    *,
    machine: StateMachine,
    actor_kind: str,
    audit: Audit | None = None,
    event: EventFor | None = None,
    **fields,
) -> None:
    """Move one row the caller has locked (``select_for_update``) to
    ``to_state`` and set ``fields`` with it; or raise the machine's 409."""
    from_state = getattr(obj, machine.field)
    if not machine.allows(from_state, to_state, actor_kind):
        raise machine.refuse(from_state, to_state)
    setattr(obj, machine.field, to_state)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=[machine.field, *fields])
    if audit is not None and (row := audit(obj, from_state, to_state)) is not None:
        row.save()
    if event is not None:
        from .events import event_emit  # the outbox's own receipts move through this kernel

        event_type, aggregate_type, aggregate_id, payload = event(obj)
        event_emit(type=event_type, aggregate_type=aggregate_type, aggregate_id=aggregate_id, payload=payload)


def state_set_many(
    model: type[models.Model],
    rows: Iterable[models.Model],
    to_state: str,
    *,
    machine: StateMachine,
    actor_kind: str,
    audit: Audit | None = None,
    **fields,
) -> list[int]:
    """Move a batch of rows the caller has locked: one conditional UPDATE
    (only rows whose state allows the move, so a second run changes
    nothing) and one insert of audit rows. Returns the ids moved."""
    movable = [row for row in rows if machine.allows(getattr(row, machine.field), to_state, actor_kind)]
    if not movable:
        return []
    ids = [row.pk for row in movable]
    state_set_query(model.objects.filter(pk__in=ids), to_state, machine=machine, actor_kind=actor_kind, **fields)
    audit_rows = []
    for row in movable:
        from_state = getattr(row, machine.field)
        setattr(row, machine.field, to_state)
        for name, value in fields.items():
            setattr(row, name, value)
        if audit is not None and (audit_row := audit(row, from_state, to_state)) is not None:
            audit_rows.append(audit_row)
    if audit_rows:
        type(audit_rows[0]).objects.bulk_create(audit_rows)
    return ids


def state_set_query(rows: models.QuerySet, to_state: str, *, machine: StateMachine, actor_kind: str, **fields) -> int:
    """Move, in one conditional UPDATE, every row of ``rows`` (a queryset the
    caller narrowed: ids, a due time …) whose state the table lets
    ``actor_kind`` move to ``to_state``, setting ``fields`` with it. For
    sweeps and claims that must stay set-based and write no audit row (the
    rows are never loaded); a second run moves nothing. Returns how many
    rows moved."""
    sources = machine.sources(to_state, actor_kind)
    if not sources:
        return 0
    return rows.filter(**{f"{machine.field}__in": sources}).update(**{machine.field: to_state}, **fields)
