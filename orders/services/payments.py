"""Paying an order: opening a payment at the provider, and applying the
provider's callbacks exactly once.

Locks are always taken order first, then payment session, here and in every
other writer of an order, so two writers never wait on each other in a
circle.
"""

import logging
import secrets
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from distribution.selectors import reseller_upline_columns, reseller_upline_read
from distribution.services import reseller_sale_record
from socialshop.errors import DomainError, NotFound

from ..choices import REASON_PAID, Actor, OrderStatus, PaymentIssueKind, PaymentSessionStatus
from ..events import order_event_emit, order_paid, payment_close, payment_issue
from ..exceptions import InvalidTransition, OrderExpired, PaymentUnknown
from ..models import Order, OrderLine, Payment, PaymentIssue, PaymentSession
from ..providers import PayerClient, PaymentNotice, payment_method_provider, payment_provider
from ..selectors import order_expires_at, order_settings_get, payment_session_open
from .cash import order_paid_post
from .coupons import order_coupons_paid
from .states import status_set

logger = logging.getLogger(__name__)

# What the payment's snapshot records of each earner's terms beside who earns (the earners' grades and the
# rates they carry): the commission engine, above this app, registers its reader at start-up
# (``CommissionsConfig.ready``), as it registers the tier count with distribution. It gets the ids of every
# reseller in the snapshot and answers a JSON-ready dict (one query), recorded as the order.paid event's
# ``grades``; until one is registered, nothing is recorded and the plan's rates apply.
EarnerTermsSource = Callable[[set[int]], dict]
_earner_terms_source: EarnerTermsSource | None = None


def earner_terms_source_set(source: EarnerTermsSource | None) -> None:
    global _earner_terms_source
    _earner_terms_source = source


def payment_start(
    *,
    order_id: int,
    buyer: User,
    notify_url: str,
    return_url: str,
    method: str = "",
    client: PayerClient | None = None,
) -> PaymentSession:
    """Open a payment for the buyer's unpaid order by ``method`` (a method an
    enabled provider offers, ``orders.providers``; "" = the first provider's
    own way), or give back the one still open by that method, and return it;
    ``redirect_url`` is where to send the shopper. Refused with 409 when the
    order is not awaiting payment (``invalid_transition`` with its state) or
    was not paid in time (``order_expired``); 400 ``payment_method_unknown``
    for a method not enabled; 503 when the gateway does not answer (nothing
    is recorded). A session left open by another method stays open: if both
    get paid, the second payment goes back (``payment_notice_apply``), and
    both are closed at the gateway when the order ends unpaid."""
    provider = payment_method_provider(method)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, buyer=buyer).first()
        if order is None:
            raise NotFound()
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise InvalidTransition(current_state=order.status, requested_state=OrderStatus.PAID)
        now = timezone.now()
        expires_at = order_expires_at(order, order_settings_get())
        if expires_at <= now:
            raise OrderExpired(current_state=order.status)
        session = payment_session_open(order=order, now=now, provider=provider.name, method=method)
        if session is not None:
            return session
        reference = f"P{order.pk:08d}{secrets.token_hex(6).upper()}"
        extra = {"method": method, "client": client or PayerClient()} if method else {}
        redirect_url = provider.payment_create(
            reference=reference,
            amount=order.total_amount,
            currency=order.currency,
            subject=f"订单 {order.number}",
            notify_url=notify_url,
            return_url=return_url,
            expires_at=expires_at,
            **extra,
        )
        return PaymentSession.objects.create(
            order=order,
            provider=provider.name,
            method=method,
            reference=reference,
            amount=order.total_amount,
            currency=order.currency,
            redirect_url=redirect_url,
            notify_url=notify_url,
            expires_at=expires_at,
        )


def payment_confirm_by_query(*, order_id: int, buyer: User) -> Order:
    """The shopper is back from the gateway: its redirect proves nothing, so
    ask the gateway (a signed answer) about the order's unfinished sessions
    and apply a success exactly as its callback would be applied. Returns the
    order as it now stands. A gateway that does not answer changes nothing
    (its callback still comes)."""
    order = Order.objects.filter(pk=order_id, buyer=buyer).first()
    if order is None:
        raise NotFound()
    if order.status != OrderStatus.PENDING_PAYMENT:
        return order
    sessions = list(
        PaymentSession.objects.filter(order=order)
        .exclude(status=PaymentSessionStatus.SUCCEEDED)
        .order_by("-created_at")[:3]
    )
    for session in sessions:
        try:
            notice = payment_provider(session.provider).payment_query(reference=session.reference)
        except DomainError as error:
            logger.warning("payment %s: the gateway's query failed: %s", session.reference, error.code)
            continue
        if notice is not None and notice.reference == session.reference:
            payment_notice_apply(notice=notice)
    order.refresh_from_db()
    return order


def payment_sessions_close(*, order_id: int) -> int:
    """Close at the gateway every session still open of an order that ended
    unpaid (cancelled, or expired), so it can no longer be paid there; each
    closed session is marked closed. A gateway that answers the session was
    paid meanwhile leaves it open: its callback brings the money, which goes
    back (paid after cancel). Safe to run twice. Returns how many closed."""
    closed = 0
    references = PaymentSession.objects.filter(order_id=order_id, status=PaymentSessionStatus.OPEN).values_list(
        "reference", "provider"
    )
    for reference, provider_name in list(references):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order_id)
            session = PaymentSession.objects.select_for_update().get(reference=reference)
            if order.status != OrderStatus.CANCELLED or session.status != PaymentSessionStatus.OPEN:
                continue
            if not payment_provider(provider_name).payment_close(reference=reference):
                continue
            status_set(session, PaymentSessionStatus.CLOSED, actor_kind=Actor.SYSTEM, finished_at=timezone.now())
            closed += 1
    return closed


def payment_close_queue(order_ids: list[int]) -> None:
    """In the transaction that cancels these unpaid orders: the ones that
    opened a payment get a ``payment.close`` event, so their sessions are
    closed at the gateway once this commits, whatever happens to a worker."""
    for order_id in (
        PaymentSession.objects.filter(order_id__in=order_ids, status=PaymentSessionStatus.OPEN)
        .values_list("order_id", flat=True)
        .distinct()
    ):
        order_event_emit(payment_close, order_id=order_id)


# what a callback came to, for the webhook's answer
APPLIED, DUPLICATE, FAILED, MISMATCH, NOT_APPLICABLE = "applied", "duplicate", "failed", "mismatch", "refunded"


def payment_notice_apply(*, notice: PaymentNotice) -> str:
    """Apply a verified callback, exactly once:

    - a success for an unpaid order: the payment is recorded (one per order,
      a unique constraint backs it), the order moves to paid, each line's
      paid amount is fixed, team sales are reported, and the ``order.paid``
      event is written with who earns (``orders/events.py``);
    - the same success again, late or concurrently: nothing (``duplicate``);
    - a failure: the session is marked failed unless it already succeeded
      (a late failure after a success changes nothing);
    - an amount or currency that is not the session's: refused
      (``mismatch``), flagged for an operator, nothing else changes;
    - a success for an order already cancelled, or already paid through
      another session: the money is sent back automatically and the case
      flagged (``refunded``).

    PaymentUnknown for a reference we never issued."""
    order_id = PaymentSession.objects.filter(reference=notice.reference).values_list("order_id", flat=True).first()
    if order_id is None:
        raise PaymentUnknown()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        session = PaymentSession.objects.select_for_update().get(reference=notice.reference)
        if notice.amount != session.amount or notice.currency != session.currency:
            kind = (
                PaymentIssueKind.AMOUNT_MISMATCH
                if notice.amount != session.amount
                else PaymentIssueKind.CURRENCY_MISMATCH
            )
            _issue(session, kind, notice)
            logger.warning("payment %s refused: %s", session.reference, kind)
            return MISMATCH
        if not notice.succeeded:
            if session.status == PaymentSessionStatus.OPEN:
                status_set(session, PaymentSessionStatus.FAILED, actor_kind=Actor.SYSTEM, finished_at=timezone.now())
                return FAILED
            return DUPLICATE
        if session.status == PaymentSessionStatus.SUCCEEDED:
            return DUPLICATE
        status_set(
            session,
            PaymentSessionStatus.SUCCEEDED,
            actor_kind=Actor.SYSTEM,
            provider_transaction_id=notice.transaction_id,
            finished_at=timezone.now(),
        )
        if order.status != OrderStatus.PENDING_PAYMENT:
            kind = (
                PaymentIssueKind.PAID_AFTER_CANCEL
                if order.status == OrderStatus.CANCELLED
                else PaymentIssueKind.PAID_TWICE
            )
            issue = _issue(session, kind, notice)
            order_event_emit(payment_issue, order_id=order.pk, issue_id=issue.pk)
            return NOT_APPLICABLE
        _order_paid(order, session, notice)
        return APPLIED


def _issue(session: PaymentSession, kind: str, notice: PaymentNotice) -> PaymentIssue:
    detail = {"amount": notice.amount, "currency": notice.currency, "transaction_id": notice.transaction_id}
    issue, _created = PaymentIssue.objects.get_or_create(session=session, kind=kind, defaults={"detail": detail})
    return issue


def _order_paid(order: Order, session: PaymentSession, notice: PaymentNotice) -> None:
    paid_at = notice.paid_at or timezone.now()
    try:
        with transaction.atomic():
            Payment.objects.create(
                order=order,
                session=session,
                provider=session.provider,
                provider_transaction_id=notice.transaction_id,
                amount=notice.amount,
                currency=notice.currency,
                paid_at=paid_at,
            )
    except IntegrityError as error:  # only reachable without the order lock (SQLite); the constraint decides
        raise InvalidTransition(current_state=OrderStatus.PAID) from error
    status_set(
        order,
        OrderStatus.PAID,
        actor_kind=Actor.SYSTEM,
        reason=f"{REASON_PAID}{session.provider} {notice.transaction_id}",
        paid_at=paid_at,
        paid_amount=order.total_amount,
    )
    OrderLine.objects.filter(order=order).update(paid_amount=F("line_total_amount"))
    order_paid_post(order_id=order.pk, amount=order.total_amount)
    # who earns is decided here, as the payment commits: each attributed seller's upline as it is now
    # (read with the lines, no extra query); the commission engine computes from this snapshot only
    earners, flash_shares = {}, {}
    for line_id, amount, flash_share, *upline in OrderLine.objects.filter(
        order=order, attributed_reseller__isnull=False
    ).values_list(
        "pk", "line_total_amount", "flash_commission_share_bps", *reseller_upline_columns("attributed_reseller__")
    ):
        chain = reseller_upline_read(upline)
        earners[str(chain[0].reseller_id)] = [[member.reseller_id, member.is_active] for member in chain]
        reseller_sale_record(reseller_id=chain[0].reseller_id, amount=amount, key=f"order-line:{line_id}:paid")
        if flash_share is not None:  # flash sales: the line's share of the commission, in the snapshot
            flash_shares[str(line_id)] = flash_share
    coupons = order_coupons_paid(order=order)  # the funders charged; the snapshot of each line's share
    extra = {"coupons": coupons} if coupons else {}
    if flash_shares:
        extra["flash_commission_shares"] = flash_shares
    # group buying (拼团): who earns is still fixed now, but commissions wait for the group's outcome
    if order.awaiting_group:
        extra["awaiting_group"] = True
    if earners and _earner_terms_source is not None:  # grades: the rates in force as the payment commits
        members = {member for chain in earners.values() for member, _active in chain}
        if terms := _earner_terms_source(members):
            extra["grades"] = terms
    order_event_emit(order_paid, order_id=order.pk, earners=earners, **extra)


def payment_issue_refund(*, issue_id: int) -> PaymentIssue:
    """Send back money that arrived for an order that could not take it
    (cancelled, or paid already). Idempotent: the provider is asked with the
    same reference every time."""
    with transaction.atomic():
        issue = PaymentIssue.objects.select_for_update().select_related("session").get(pk=issue_id)
        if issue.refund_reference:
            return issue
        reference = f"R{issue.session.reference}"[:40]
        result = payment_provider(issue.session.provider).refund_create(
            payment_reference=issue.session.reference, refund_reference=reference, amount=issue.session.amount
        )
        if result.succeeded or result.pending:  # pending: accepted by the gateway, which finishes it
            issue.refund_reference = reference
            issue.detail = {**issue.detail, "refunded": result.provider_reference}
        else:
            issue.detail = {**issue.detail, "refund_failed": result.failure_reason}
        issue.save(update_fields=["refund_reference", "detail"])
    return issue
