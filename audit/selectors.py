"""The operators' audit log: one time-ordered list over the records each app
already keeps of who did what and why. Nothing is copied into a table of its
own, so nothing can drift: every app's own record is the source of truth.

Whether a record is an operator's action is read from the record itself
(what changed), never from what its actor is today: demoting an operator
hides none of its past actions, and promoting a reseller does not turn its
own withdrawal requests into operators' actions.

A page costs a constant number of queries whatever its size: one UNION of
(time, source, id, actor) over the sources, cut to the page (no count of
the whole history), then one query per source on the page to describe its
rows, and one for the actors."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from catalog.choices import ProductStatus
from catalog.models import ProductStatusChange, SupplierMembership
from commissions.choices import WithdrawalStatus
from commissions.models import CommissionPlan, GradeChange, PayoutBatch, WithdrawalStatusChange
from distribution.choices import ResellerEventKind
from distribution.models import ResellerEvent
from orders.choices import Actor
from orders.models import StatusChange
from shops.choices import ShopStatus
from shops.models import ShopStatusChange
from socialshop.money import format_yuan


class Area:
    TREE = "tree"
    MONEY = "money"
    CATALOGUE = "catalogue"
    ORDERS = "orders"
    ADMIN = "admin"

    choices = [
        (TREE, gettext_lazy("Invite tree")),
        (MONEY, gettext_lazy("Money")),
        (CATALOGUE, gettext_lazy("Shops and products")),
        (ORDERS, gettext_lazy("Orders and refunds")),
        (ADMIN, gettext_lazy("Admin changes")),
    ]


def _label(choices, value: str) -> str:
    """A status's name as people read it ("—" for none)."""
    if not value:
        return "—"
    return str(dict(choices.choices).get(value, value))


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    area: str
    actor: User | None
    action: str
    subject: str
    reason: str

    @property
    def area_label(self) -> str:
        return str(dict(Area.choices)[self.area])


# what only operators do, read from each record
OPERATOR_RESELLER_EVENTS = [
    ResellerEventKind.CREATED_ROOT,
    ResellerEventKind.APPROVED,
    ResellerEventKind.MOVED,
    ResellerEventKind.FROZEN,
    ResellerEventKind.UNFROZEN,
]
OPERATOR_WITHDRAWAL_STEPS = [WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED, WithdrawalStatus.PAYING]


def _product_changes_by_operators() -> QuerySet:
    """Operators put products on sale (and may take them off); a supplier's
    own staff taking its product off sale is the supplier's business."""
    by_the_supplier = SupplierMembership.objects.filter(
        user_id=OuterRef("changed_by_id"), supplier_id=OuterRef("product__supplier_id")
    )
    return ProductStatusChange.objects.filter(changed_by__isnull=False).filter(
        Q(to_status=ProductStatus.ON_SALE) | ~Exists(by_the_supplier)
    )


@dataclass(frozen=True)
class Source:
    area: str
    rows: Callable[[], QuerySet]  # the source's operator actions
    at: str  # its time field
    actor: str  # its actor field (a user id)
    describe: Callable[[list[int]], dict[int, tuple[str, str, str]]]  # id → (action, subject, reason)


def _reseller_events(ids):
    events = ResellerEvent.objects.filter(pk__in=ids)
    out = {}
    for event in events:
        subject = _("reseller #%(id)s") % {"id": event.reseller_id}
        if event.kind == "moved":
            subject += " · " + _("inviter %(before)s → %(after)s") % {
                "before": f"#{event.previous_inviter_id}" if event.previous_inviter_id else _("none"),
                "after": f"#{event.new_inviter_id}" if event.new_inviter_id else _("none"),
            }
        out[event.pk] = (event.get_kind_display(), subject, event.reason)
    return out


def _withdrawal_changes(ids):
    changes = WithdrawalStatusChange.objects.filter(pk__in=ids).select_related("withdrawal")
    return {
        change.pk: (
            _("Withdrawal %(from)s → %(to)s")
            % {"from": _label(WithdrawalStatus, change.from_status), "to": _label(WithdrawalStatus, change.to_status)},
            _("withdrawal #%(id)s, %(amount)s to reseller #%(reseller)s")
            % {
                "id": change.withdrawal_id,
                "amount": format_yuan(change.withdrawal.amount),
                "reseller": change.withdrawal.reseller_id,
            },
            change.reason_label,
        )
        for change in changes
    }


def _payout_batches(ids):
    return {
        batch.pk: (_("Payout batch created"), _("payout batch #%(id)s") % {"id": batch.pk}, "")
        for batch in PayoutBatch.objects.filter(pk__in=ids)
    }


def _plans(ids):
    out = {}
    for plan in CommissionPlan.objects.filter(pk__in=ids):
        shares = " / ".join(f"{share / 100:g}%" for share in plan.tier_shares())
        out[plan.pk] = (
            _("Commission plan published"),
            _("plan #%(id)s: %(tiers)s tiers (%(shares)s), effective %(when)s")
            % {
                "id": plan.pk,
                "tiers": plan.tier_count,
                "shares": shares,
                "when": timezone.localdate(plan.effective_from),
            },
            plan.note,
        )
    return out


def _grade_changes(ids):
    """Grades (分销等级) operators set by hand, with their reasons."""
    changes = GradeChange.objects.filter(pk__in=ids).select_related("reseller__user", "from_grade", "to_grade")
    return {
        change.pk: (
            _("Grade set by hand"),
            _("%(reseller)s: %(from)s → %(to)s")
            % {
                "reseller": change.reseller,
                "from": change.from_grade.name if change.from_grade else _("No grade"),
                "to": change.to_grade.name if change.to_grade else _("No grade"),
            },
            change.reason,
        )
        for change in changes
    }


def _shop_changes(ids):
    return {
        change.pk: (
            _("Shop %(from)s → %(to)s")
            % {"from": change.get_from_status_display(), "to": change.get_to_status_display()},
            _("shop %(slug)s") % {"slug": change.shop.slug},
            change.reason_label,
        )
        for change in ShopStatusChange.objects.filter(pk__in=ids).select_related("shop")
    }


def _product_changes(ids):
    return {
        change.pk: (
            _("Product %(from)s → %(to)s")
            % {"from": change.get_from_status_display(), "to": change.get_to_status_display()},
            _("product #%(id)s %(title)s") % {"id": change.product_id, "title": change.product.title},
            "",
        )
        for change in ProductStatusChange.objects.filter(pk__in=ids).select_related("product")
    }


def _order_changes(ids):
    out = {}
    for change in StatusChange.objects.filter(pk__in=ids):
        if change.refund_id:
            subject = _("refund #%(refund)s of order #%(order)s") % {
                "refund": change.refund_id,
                "order": change.order_id,
            }
        elif change.fulfilment_id:
            subject = _("parcel #%(parcel)s of order #%(order)s") % {
                "parcel": change.fulfilment_id,
                "order": change.order_id,
            }
        else:
            subject = _("order #%(order)s") % {"order": change.order_id}
        out[change.pk] = (
            f"{change.from_status_label or '—'} → {change.to_status_label}",
            subject,
            change.reason_label,
        )
    return out


ADMIN_ACTIONS = {
    ADDITION: gettext_lazy("Added in the admin"),
    CHANGE: gettext_lazy("Changed in the admin"),
    DELETION: gettext_lazy("Deleted in the admin"),
}


def _admin_entries(ids):
    return {
        entry.pk: (
            str(ADMIN_ACTIONS.get(entry.action_flag, "")),
            f"{entry.content_type.name if entry.content_type else ''}: {entry.object_repr}",
            entry.get_change_message(),
        )
        for entry in LogEntry.objects.filter(pk__in=ids).select_related("content_type")
    }


SOURCES = {
    "reseller_event": Source(
        Area.TREE,
        lambda: ResellerEvent.objects.filter(kind__in=OPERATOR_RESELLER_EVENTS, actor__isnull=False),
        "created_at",
        "actor_id",
        _reseller_events,
    ),
    "withdrawal": Source(
        Area.MONEY,
        lambda: WithdrawalStatusChange.objects.filter(to_status__in=OPERATOR_WITHDRAWAL_STEPS, actor__isnull=False),
        "changed_at",
        "actor_id",
        _withdrawal_changes,
    ),
    "payout_batch": Source(
        Area.MONEY,
        lambda: PayoutBatch.objects.filter(created_by__isnull=False),
        "created_at",
        "created_by_id",
        _payout_batches,
    ),
    "plan": Source(
        Area.MONEY,
        lambda: CommissionPlan.objects.filter(created_by__isnull=False),
        "created_at",
        "created_by_id",
        _plans,
    ),
    "grade": Source(
        Area.MONEY,
        lambda: GradeChange.objects.filter(actor__isnull=False),
        "changed_at",
        "actor_id",
        _grade_changes,
    ),
    "shop": Source(
        Area.CATALOGUE,
        # only operators suspend a shop or lift a suspension; owners open and close
        lambda: ShopStatusChange.objects.filter(
            Q(to_status=ShopStatus.SUSPENDED) | Q(from_status=ShopStatus.SUSPENDED), changed_by__isnull=False
        ),
        "changed_at",
        "changed_by_id",
        _shop_changes,
    ),
    "product": Source(
        Area.CATALOGUE,
        _product_changes_by_operators,
        "changed_at",
        "changed_by_id",
        _product_changes,
    ),
    "order": Source(
        Area.ORDERS,
        lambda: StatusChange.objects.filter(actor_kind=Actor.OPERATOR),
        "changed_at",
        "actor_id",
        _order_changes,
    ),
    "admin": Source(Area.ADMIN, lambda: LogEntry.objects.all(), "action_time", "user_id", _admin_entries),
}


def audit_rows(*, area: str | None = None, actor_id: int | None = None, first: int = 0, count: int = 50) -> list:
    """(at, source, id, actor id) of operators' actions ``first`` to
    ``first + count``, newest first (ties: by source, then newest id), as one
    UNION ALL; ``area`` and ``actor_id`` narrow it. Where the database allows
    (PostgreSQL), each source is cut to what the page needs before the union."""
    parts = []
    cut = connection.features.supports_slicing_ordering_in_compound
    for name, source in SOURCES.items():
        if area and source.area != area:
            continue
        rows = source.rows()
        if actor_id is not None:
            rows = rows.filter(**{source.actor: actor_id})
        rows = rows.annotate(
            entry_at=F(source.at),
            entry_source=Value(name, output_field=CharField()),
            entry_id=F("pk"),
            entry_actor=F(source.actor),
        ).values_list("entry_at", "entry_source", "entry_id", "entry_actor")
        parts.append(rows)
    if not parts:
        return []
    newest_first = ("-entry_at", "entry_source", "-entry_id")
    if len(parts) == 1:
        return list(parts[0].order_by(*newest_first)[first : first + count])
    if cut:
        parts = [part.order_by("-entry_at", "-entry_id")[: first + count] for part in parts]
    else:  # SQLite takes no ORDER BY or LIMIT inside a compound statement
        parts = [part.order_by() for part in parts]
    head, *rest = parts
    return list(head.union(*rest, all=True).order_by(*newest_first)[first : first + count])


def audit_entries_describe(rows) -> list[AuditEntry]:
    """The page's rows as entries people read: one query per source present
    and one for the actors."""
    wanted: dict[str, list[int]] = {}
    for _at, source, pk, _actor in rows:
        wanted.setdefault(source, []).append(pk)
    described = {name: SOURCES[name].describe(ids) for name, ids in wanted.items()}
    actors = User.objects.in_bulk({actor for *_rest, actor in rows if actor is not None})
    entries = []
    for at, source, pk, actor in rows:
        action, subject, reason = described[source].get(pk, ("", "", ""))
        entries.append(AuditEntry(at, SOURCES[source].area, actors.get(actor), action, subject, reason))
    return entries


def audit_operators() -> QuerySet:
    """Who the page can be filtered by: today's operators (a former one's
    actions stay in the log, and ``?actor=<id>`` still narrows to them)."""
    return User.objects.filter(Q(role=Role.OPERATOR) | Q(is_staff=True)).order_by("phone")
