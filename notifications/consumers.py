"""Events → notices (who is told what), one reader per event type; the
consumer records them as inbox messages and deliveries in the event's
receipt transaction (socialshop/events.py: exactly once per consumer)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from accounts.choices import Role
from accounts.phone import mask_phone
from bargain import events as bargain_events
from bargain.models import Bargain
from catalog.models import SupplierMembership
from commissions import events as commission_events
from commissions.reconciliation import check_label
from distribution import events as distribution_events
from distribution.models import Reseller
from groupbuy import events as group_events
from groupbuy.models import Member
from groupbuy.selectors import masked_name
from orders import events as order_events
from orders.choices import Carrier
from orders.models import FulfilmentGroup, Order, OrderLine, Refund
from socialshop import events as platform_events
from socialshop.events import Event, event_consumer_register
from socialshop.money import format_yuan

from .events import BINDINGS_EXPIRING, SHIP_DIGEST
from .models import ShipmentToDigest
from .quiet_hours import BEIJING
from .services import Notice, notices_record


def _order_link(order_id: int) -> str:
    return reverse("orders:detail", args=[order_id])


def _operators() -> list[int]:
    return list(get_user_model().objects.filter(role=Role.OPERATOR, is_active=True).values_list("pk", flat=True))


def _supplier_staff(supplier_ids) -> dict[int, list[int]]:
    staff: dict[int, list[int]] = {}
    for supplier_id, user_id in SupplierMembership.objects.filter(supplier_id__in=supplier_ids).values_list(
        "supplier_id", "user_id"
    ):
        staff.setdefault(supplier_id, []).append(user_id)
    return staff


def _order_paid(event: Event) -> list[Notice]:
    order = Order.objects.get(pk=event.payload["order_id"])
    params = {"order": order.number, "amount": format_yuan(order.paid_amount or order.total_amount)}
    notices = [Notice(order.buyer_id, "order_paid", params, _order_link(order.pk))]
    owners = (
        OrderLine.objects.filter(order_id=order.pk, shop__isnull=False)
        .values_list("shop__owner__user_id", flat=True)
        .distinct()
    )
    notices += [
        Notice(user_id, "shop_order", params, reverse("commissions:shop_order", args=[order.pk])) for user_id in owners
    ]
    # the suppliers hear of it in their next digest (a beat task), not one message per order
    ShipmentToDigest.objects.bulk_create(
        [
            ShipmentToDigest(supplier_id=supplier_id, fulfilment_group_id=group_id, order_number=order.number)
            for group_id, supplier_id in FulfilmentGroup.objects.filter(order_id=order.pk).values_list(
                "pk", "supplier_id"
            )
        ],
        ignore_conflicts=True,
    )
    return notices


def _order_shipped(event: Event) -> list[Notice]:
    group = FulfilmentGroup.objects.select_related("order").get(pk=event.payload["fulfilment_group_id"])
    with override("zh-hans"):
        carrier = str(Carrier(group.carrier).label) if group.carrier in Carrier.values else group.carrier
    params = {"order": group.order.number, "carrier": carrier, "tracking": group.tracking_number}
    return [Notice(group.order.buyer_id, "order_shipped", params, _order_link(group.order_id))]


def _order_completed(event: Event) -> list[Notice]:
    order = Order.objects.get(pk=event.payload["order_id"])
    return [Notice(order.buyer_id, "order_completed", {"order": order.number}, _order_link(order.pk))]


def _refund(event: Event) -> tuple[Refund, dict]:
    refund = Refund.objects.select_related("order", "line").get(pk=event.payload["refund_id"])
    return refund, {"order": refund.order.number, "amount": format_yuan(refund.amount)}


def _refund_decided(event: Event) -> list[Notice]:
    refund, params = _refund(event)
    with override("zh-hans"):
        params["decision"] = _("approved") if event.type == order_events.refund_approved else _("rejected")
    return [Notice(refund.order.buyer_id, "refund_decided", params, _order_link(refund.order_id))]


def _refund_paid(event: Event) -> list[Notice]:
    refund, params = _refund(event)
    return [Notice(refund.order.buyer_id, "refund_paid", params, _order_link(refund.order_id))]


def _refund_requested(event: Event) -> list[Notice]:
    refund, params = _refund(event)
    params["reason"] = refund.reason
    staff = _supplier_staff([refund.line.supplier_id]).get(refund.line.supplier_id, [])
    link = reverse("orders:supplier_shipments")
    return [Notice(user_id, "refund_to_decide", params, link) for user_id in staff]


def _commissions_accrued(event: Event) -> list[Notice]:
    earned = {int(reseller_id): amount for reseller_id, amount in event.payload["earned"].items()}
    users = dict(Reseller.objects.filter(pk__in=earned).values_list("pk", "user_id"))
    order = Order.objects.get(pk=event.payload["order_id"])
    link = reverse("commissions:money")
    return [
        Notice(users[reseller_id], "commission_earned", {"order": order.number, "amount": format_yuan(amount)}, link)
        for reseller_id, amount in sorted(earned.items())
        if amount > 0 and reseller_id in users
    ]


def _commissions_settled(event: Event) -> list[Notice]:
    settled = {int(reseller_id): row for reseller_id, row in event.payload["settled"].items()}
    users = dict(Reseller.objects.filter(pk__in=settled).values_list("pk", "user_id"))
    link = reverse("commissions:money")
    return [
        Notice(users[reseller_id], "commissions_settled", {"count": count, "amount": format_yuan(amount)}, link)
        for reseller_id, (count, amount) in sorted(settled.items())
        if amount > 0 and reseller_id in users
    ]


WITHDRAWAL_OUTCOMES = {"paid": "withdrawal_paid", "failed": "withdrawal_failed", "rejected": "withdrawal_failed"}
DECISION_WORDS = {"failed": gettext_lazy("not paid by the payout provider"), "rejected": gettext_lazy("rejected")}


def _withdrawal_decided(event: Event) -> list[Notice]:
    kind = WITHDRAWAL_OUTCOMES.get(event.payload["status"])
    if kind is None:  # approved: the reseller hears when it is paid
        return []
    user_id = Reseller.objects.filter(pk=event.payload["reseller_id"]).values_list("user_id", flat=True).first()
    with override("zh-hans"):
        params = {
            "withdrawal": event.payload["withdrawal_id"],
            "amount": format_yuan(event.payload["amount"]),
            "decision": str(DECISION_WORDS.get(event.payload["status"], "")),
        }
    return [Notice(user_id, kind, params, reverse("commissions:money"))] if user_id else []


def _withdrawal_requested(event: Event) -> list[Notice]:
    params = {"withdrawal": event.payload["withdrawal_id"], "amount": format_yuan(event.payload["amount"])}
    link = reverse("admin:commissions_withdrawal_change", args=[event.payload["withdrawal_id"]])
    return [Notice(user_id, "withdrawal_waiting", params, link) for user_id in _operators()]


def _payment_issue(event: Event) -> list[Notice]:
    order = Order.objects.get(pk=event.payload["order_id"])
    return [Notice(user_id, "payment_issue", {"order": order.number}, "") for user_id in _operators()]


def _reseller_joined(event: Event) -> list[Notice]:
    member = Reseller.objects.select_related("user", "inviter").get(pk=event.payload["reseller_id"])
    if member.inviter is None:
        return []
    return [Notice(member.inviter.user_id, "team_member", {"member": str(member.user)}, reverse("distribution:team"))]


def _reconcile_broken(event: Event) -> list[Notice]:
    with override("zh-hans"):
        checks = "；".join(str(check_label(key)) for key in event.payload["checks"])
    params = {"count": len(event.payload["checks"]), "checks": checks}
    return [Notice(user_id, "reconcile_break", params, reverse("commissions:report")) for user_id in _operators()]


def _event_parked(event: Event) -> list[Notice]:
    params = {key: event.payload[key] for key in ("event", "type", "consumer", "attempts")}
    return [Notice(user_id, "event_parked", params, "") for user_id in _operators()]


def _ship_digest(event: Event) -> list[Notice]:
    numbers = event.payload["orders"]
    params = {"count": len(numbers), "orders": "、".join(numbers)}
    staff = _supplier_staff([event.payload["supplier_id"]]).get(event.payload["supplier_id"], [])
    return [Notice(user_id, "ship_digest", params, reverse("orders:supplier_shipments")) for user_id in staff]


def _bindings_expiring(event: Event) -> list[Notice]:
    user_id = Reseller.objects.filter(pk=event.payload["reseller_id"]).values_list("user_id", flat=True).first()
    until = datetime.fromisoformat(event.payload["until"]).astimezone(BEIJING)
    params = {"count": event.payload["count"], "until": f"{until:%Y-%m-%d %H:%M}"}
    return [Notice(user_id, "binding_expiring", params, reverse("commissions:workbench"))] if user_id else []


def _group_ended(event: Event) -> list[Notice]:
    kind = "group_succeeded" if event.type == group_events.group_succeeded else "group_failed"
    members = Member.objects.filter(group_id=event.payload["group_id"], order_id__in=event.payload["order_ids"])
    return [
        Notice(member.buyer_id, kind, {"order": member.order.number}, _order_link(member.order_id))
        for member in members.select_related("order").order_by("id")
    ]


def _bargain_helped(event: Event) -> list[Notice]:
    payload = event.payload
    bargain = Bargain.objects.select_related("campaign").filter(pk=payload["bargain_id"]).first()
    helper = get_user_model().objects.filter(pk=payload["helper_id"]).first()
    if bargain is None or helper is None:
        return []
    params = {
        "helper": masked_name(helper),
        "cut": format_yuan(payload["cut_amount"]),
        "price": format_yuan(payload["price_amount"]),
        "left": payload["helps_left"],
        "title": bargain.campaign.title,
    }
    return [Notice(payload["starter_id"], "bargain_helped", params, reverse("bargain:bargain", args=[bargain.pk]))]


# written by growth (above this app: read by its type and payload, never imported)
CUSTOMER_REMINDER_DUE = "customer.reminder_due"
ACCOUNT_PHONE_CHANGED = "account.phone_changed"


def _customer_reminder(event: Event) -> list[Notice]:
    payload = event.payload
    params = {"customer": payload["customer"], "text": payload["text"], "due": payload["due_on"]}
    return [Notice(payload["user_id"], "customer_reminder", params, reverse("commissions:workbench"))]


def _phone_changed(event: Event) -> list[Notice]:
    old, new = event.payload["old_phone"], event.payload["new_phone"]
    params = {"old": mask_phone(old), "new": mask_phone(new)}
    # the SMS goes to the old number: its owner is the one to warn if this was not them
    return [Notice(event.aggregate_id, "phone_changed", params, reverse("accounts:sessions"), sms_to=old)]


READERS = {
    order_events.order_paid: _order_paid,
    order_events.order_shipped: _order_shipped,
    order_events.order_completed: _order_completed,
    order_events.refund_approved: _refund_decided,
    order_events.refund_rejected: _refund_decided,
    order_events.order_refunded: _refund_paid,
    order_events.refund_requested: _refund_requested,
    order_events.payment_issue: _payment_issue,
    commission_events.commissions_accrued: _commissions_accrued,
    commission_events.commissions_settled: _commissions_settled,
    commission_events.withdrawal_decided: _withdrawal_decided,
    commission_events.withdrawal_requested: _withdrawal_requested,
    distribution_events.reseller_joined: _reseller_joined,
    platform_events.event_parked: _event_parked,
    commission_events.reconcile_broken: _reconcile_broken,
    SHIP_DIGEST: _ship_digest,
    BINDINGS_EXPIRING: _bindings_expiring,
    group_events.group_succeeded: _group_ended,
    group_events.group_failed: _group_ended,
    bargain_events.bargain_helped: _bargain_helped,
    CUSTOMER_REMINDER_DUE: _customer_reminder,
    ACCOUNT_PHONE_CHANGED: _phone_changed,
}


def notifications_handle(event: Event) -> str:
    messages, deliveries = notices_record(event_id=event.pk, notices=READERS[event.type](event))
    return f"{messages} inbox messages, {deliveries} deliveries"


def register() -> None:
    event_consumer_register(
        name="notifications",
        label=gettext_lazy("Notifications"),
        event_types=list(READERS),
        handle=notifications_handle,
    )
