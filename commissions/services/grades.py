"""Reseller grades (分销等级): the one writer of ``ResellerGrade`` and
``GradeChange`` (docs/growth.md, "Grades").

A reseller's grade follows its OWN results (``selectors.grade_figures``):
evaluated when an order attributed to it is paid, completed or refunded (the
``grades`` outbox consumer) and every night (``grades_sweep_task``). Each
change is recorded with the figures that justified it and emits
``grade.changed``. An operator may set a grade by hand, with a reason; the
automatic rule then leaves that reseller alone until an operator gives it
back. Grades are not a state machine (any grade may follow any other), so
they do not go through the transition kernel; the row lock and the audit row
play its part.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from distribution.models import Reseller
from orders.models import OrderLine

from ..calculations import GradeDecision, GradeRule, grade_decide
from ..choices import GradeChangeKind, GradeConditionKind
from ..events import grade_changed_emit
from ..exceptions import GradeConditionForbidden, GradeReasonRequired, GradeUnknown
from ..models import Grade, GradeChange, ResellerGrade
from ..selectors import grade_figures, grade_rules, grade_windows

SWEEP_BATCH = 500


def grade_condition_kind_check(kind: str) -> str:
    """Refuse, with the anti-pyramid explanation, a promotion condition that
    is not one of the reseller's own results (people recruited, a team's or
    a downline's sales …), wherever it is typed or posted. Returns the kind."""
    value = str(kind or "").strip().lower()
    if value in GradeConditionKind.values:
        return value
    # recruiting or team figures (FORBIDDEN_CONDITION_KINDS, or any name about invites, teams, downlines) and
    # anything else alike: only the three own-results kinds exist, and the explanation says which they are
    raise GradeConditionForbidden()


def _figures_json(figures: dict) -> dict:
    return {str(window): dict(values) for window, values in figures.items()}


def _held_locked(reseller_id: int) -> ResellerGrade:
    """The reseller's grade row, created if missing, locked for this transaction."""
    ResellerGrade.objects.bulk_create([ResellerGrade(reseller_id=reseller_id)], ignore_conflicts=True)
    return ResellerGrade.objects.select_for_update().get(reseller_id=reseller_id)


def _record(
    held: ResellerGrade,
    *,
    to_grade_id: int | None,
    kind: str,
    figures: dict,
    now: datetime,
    rules: list[GradeRule],
    actor: User | None = None,
    reason: str = "",
) -> GradeChange:
    """Move the locked row to ``to_grade_id``, with its audit row and event."""
    hold_days = next((rule.hold_days for rule in rules if rule.grade_id == to_grade_id), 0)
    change = GradeChange.objects.create(
        reseller_id=held.reseller_id,
        from_grade_id=held.grade_id,
        to_grade_id=to_grade_id,
        kind=kind,
        figures=_figures_json(figures),
        reason=reason,
        actor=actor,
        changed_at=now,
    )
    held.grade_id = to_grade_id
    held.since = now
    held.held_until = now + timedelta(days=hold_days) if to_grade_id and hold_days else None
    held.evaluated_at = now
    held.save(update_fields=["grade", "manual", "since", "held_until", "evaluated_at"])
    grade_changed_emit(change)
    return change


def _decide(held: ResellerGrade, rules: list[GradeRule], figures: dict, now: datetime) -> GradeDecision:
    return grade_decide(
        rules=rules, figures=figures, current_grade_id=held.grade_id, held_until=held.held_until, now=now
    )


@transaction.atomic
def reseller_grade_evaluate(*, reseller_id: int, now: datetime | None = None) -> GradeChange | None:
    """Apply the automatic rule to one reseller: lock its grade row, read its
    own figures, and move it if the rule says so (a promotion at once, a
    demotion once the hold period has passed), recording the change with the
    figures. Idempotent: run twice, or twice at once, it records one change
    (the second run waits for the lock and finds the grade already moved).
    A grade an operator set by hand is left alone. Returns the change, if any."""
    now = now or timezone.now()
    held = _held_locked(reseller_id)
    if held.manual:
        return None
    rules = grade_rules()
    figures = grade_figures(reseller_ids=[reseller_id], windows=grade_windows(rules), now=now)[reseller_id]
    decision = _decide(held, rules, figures, now)
    if not decision.changed:
        held.evaluated_at = now
        held.save(update_fields=["evaluated_at"])
        return None
    kind = GradeChangeKind.PROMOTED if decision.promoted else GradeChangeKind.DEMOTED
    return _record(held, to_grade_id=decision.grade_id, kind=kind, figures=figures, now=now, rules=rules)


def grades_evaluate_for_order(*, order_id: int) -> int:
    """On an order's payment, completion or refund: evaluate each reseller its
    lines are attributed to. Returns how many changed grade."""
    reseller_ids = set(
        OrderLine.objects.filter(order_id=order_id, attributed_reseller__isnull=False).values_list(
            "attributed_reseller_id", flat=True
        )
    )
    return sum(reseller_grade_evaluate(reseller_id=reseller_id) is not None for reseller_id in sorted(reseller_ids))


def grades_sweep(*, now: datetime | None = None, batch_size: int = SWEEP_BATCH) -> int:
    """Nightly: every reseller, in batches by id; each batch's figures in one
    query, and only those whose grade the rule would move are evaluated again
    under their lock (windows roll: a demotion is due without any new order).
    Returns how many changed grade."""
    now = now or timezone.now()
    rules = grade_rules()
    windows = grade_windows(rules)
    changed, after = 0, 0
    while True:
        ids = list(Reseller.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return changed
        after = ids[-1]
        held = ResellerGrade.objects.in_bulk(ids)
        figures = grade_figures(reseller_ids=ids, windows=windows, now=now)
        for reseller_id in ids:
            row = held.get(reseller_id) or ResellerGrade(reseller_id=reseller_id)
            if row.manual or not _decide(row, rules, figures[reseller_id], now).changed:
                continue
            changed += reseller_grade_evaluate(reseller_id=reseller_id, now=now) is not None


@transaction.atomic
def reseller_grade_set(
    *, operator: User, reseller_id: int, grade_id: int | None, reason: str, automatic: bool = False
) -> GradeChange:
    """An operator sets a reseller's grade by hand (``grade_id``; None: no
    grade), with a reason, recorded with the reseller's figures of the
    moment; the automatic rule leaves the reseller alone from then on. With
    ``automatic``, the operator gives the reseller back to the automatic
    rule instead, which applies at once (``grade_id`` is ignored). Always
    records a change (the operator's decision is audited even when the
    grade stays)."""
    reason = (reason or "").strip()
    if not reason:
        raise GradeReasonRequired()
    now = timezone.now()
    held = _held_locked(reseller_id)
    rules = grade_rules()
    figures = grade_figures(reseller_ids=[reseller_id], windows=grade_windows(rules), now=now)[reseller_id]
    if automatic:
        held.manual = False
        held.held_until = None  # the hand-set grade is not held against the rule
        grade_id = _decide(held, rules, figures, now).grade_id
    else:
        if grade_id is not None and not Grade.objects.filter(pk=grade_id, is_active=True).exists():
            raise GradeUnknown()
        held.manual = True
    return _record(
        held,
        to_grade_id=grade_id,
        kind=GradeChangeKind.MANUAL,
        figures=figures,
        now=now,
        rules=rules,
        actor=operator,
        reason=reason[:200],
    )
