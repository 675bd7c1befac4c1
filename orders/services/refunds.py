"""Refunds, per line, partial allowed: asked for by the buyer within the
after-sales window, approved or rejected by an operator or the line's
supplier, executed through the payment provider. Cancelling a paid order
refunds every line in full the same way.

What the database holds (``OrderLine``): ``refunded_amount +
refund_pending_amount ≤ paid_amount``. A request takes its amount into
``refund_pending_amount`` with a conditional UPDATE, so two requests at
once can never promise more than was paid; success moves it to
``refunded_amount``, rejection gives it back, and so does a cancellation
that supersedes the request (it refunds the amount itself).
"""

import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.images import ProcessedImage, image_process
from catalog.models import Supplier
from distribution.services import reseller_sale_record
from socialshop.errors import DomainError, NotFound
from socialshop.money import format_yuan

from ..choices import (
    MAX_REFUND_PHOTOS,
    REASON_REFUNDED,
    REFUND_SUPERSEDABLE,
    Actor,
    Reason,
    RefundKind,
    RefundReason,
    RefundResolution,
    RefundStatus,
)
from ..events import order_event_emit, order_refunded, refund_approved, refund_rejected, refund_requested
from ..exceptions import RefundNotAllowed, RefundNotPositive, RefundRequestInvalid, RefundTooLarge
from ..models import Order, OrderLine, Refund, RefundPhoto
from ..providers import RefundResult, payment_provider
from .cash import refund_paid_post
from .coupons import order_coupons_follow_refund
from .states import row_locked_with_order, status_created, status_set


def _reference() -> str:
    return "RF" + secrets.token_hex(10).upper()


def _hold(line: OrderLine, amount: int) -> bool:
    """Move ``amount`` of the line into pending refunds if it is still free."""
    return bool(
        OrderLine.objects.filter(
            pk=line.pk, paid_amount__gte=F("refunded_amount") + F("refund_pending_amount") + amount
        ).update(refund_pending_amount=F("refund_pending_amount") + amount)
    )


def refund_open(
    *,
    order: Order,
    line: OrderLine,
    amount: int,
    reason: str,
    kind: str,
    actor_kind: str,
    actor: User | None,
    **details,
) -> Refund:
    """Create a refund of ``amount`` on a line of a locked order: held on the
    line, requested (after-sales) or approved at once (cancellation, whose
    execution is queued). RefundNotPositive for 0 (nothing to refund),
    RefundTooLarge when the line has less left."""
    if amount <= 0:
        raise RefundNotPositive(fields={"amount": [RefundNotPositive.default_message]})
    if not _hold(line, amount):
        raise RefundTooLarge(
            fields={"amount": [_("At most %(left)s.") % {"left": format_yuan(line.refundable_amount)}]}
        )
    approved = kind == RefundKind.CANCELLATION
    refund = Refund.objects.create(
        order=order,
        line=line,
        kind=kind,
        amount=amount,
        reason=reason[:200],
        status=RefundStatus.APPROVED if approved else RefundStatus.REQUESTED,
        reference=_reference(),
        requested_by=actor,
        **details,  # the buyer's choices on an after-sales request (resolution, reason_code, description)
    )
    status_created([refund], actor_kind=actor_kind, actor=actor, reason=reason)
    if approved:
        _queue_execution(refund)
    return refund


def refund_photos_process(uploads: list[bytes]) -> list[ProcessedImage]:
    """The buyer's pictures checked and re-encoded as product pictures are
    (``catalog.images.image_process``), at most ``MAX_REFUND_PHOTOS``.
    ValidationError (the image's own code, or ``too_many_photos``) before
    anything is stored."""
    if len(uploads) > MAX_REFUND_PHOTOS:
        raise ValidationError(_("At most %(count)d photos.") % {"count": MAX_REFUND_PHOTOS}, code="too_many_photos")
    return [image_process(data) for data in uploads]


def refund_request(
    *,
    order_id: int,
    line_id: int,
    buyer: User,
    amount: int,
    reason: str,
    resolution: str = RefundResolution.REFUND_ONLY,
    reason_code: str = "",
    description: str = "",
    photos: list[ProcessedImage] = (),
) -> Refund:
    """The buyer asks for ``amount`` back on one line: only the money
    (仅退款) or returning the goods (退货退款), with a reason from the list,
    words and up to three pictures already checked by
    ``refund_photos_process``. Allowed once the order is paid and, after
    completion, until ``after_sales_ends_at``; refused with 409
    ``refund_not_allowed`` (carrying the order's state) otherwise."""
    if resolution not in RefundResolution.values or (reason_code and reason_code not in RefundReason.values):
        raise RefundRequestInvalid(fields={"resolution": [RefundRequestInvalid.default_message]})
    if len(photos) > MAX_REFUND_PHOTOS:
        raise RefundRequestInvalid(
            _("At most %(count)d photos.") % {"count": MAX_REFUND_PHOTOS},
            fields={"photos": [_("At most %(count)d photos.") % {"count": MAX_REFUND_PHOTOS}]},
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, buyer=buyer).first()
        line = OrderLine.objects.filter(pk=line_id, order_id=order_id).first() if order else None
        if line is None:
            raise NotFound()
        if not order.accepts_refund_requests():
            raise RefundNotAllowed(current_state=order.status)
        if not (reason or "").strip():
            raise RefundNotAllowed(_("Say why."), fields={"reason": [_("Say why.")]}, current_state=order.status)
        refund = refund_open(
            order=order,
            line=line,
            amount=amount,
            reason=reason.strip(),
            kind=RefundKind.AFTER_SALES,
            actor_kind=Actor.BUYER,
            actor=buyer,
            resolution=resolution,
            reason_code=reason_code,
            description=description.strip()[:500],
        )
        for position, processed in enumerate(photos):
            _photo_store(refund, processed, position)
        order_event_emit(refund_requested, order_id=order.pk, refund_id=refund.pk)
        return refund


def _photo_store(refund: Refund, processed: ProcessedImage, position: int) -> RefundPhoto:
    stem = uuid.uuid4().hex
    photo = RefundPhoto(refund=refund, position=position)
    photo.image.save(f"{stem}.{processed.extension}", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{stem}.{processed.extension}", ContentFile(processed.thumbnail), save=False)
    photo.save()
    return photo


def _locked(refund_id: int, supplier: Supplier | None) -> tuple[Order, Refund]:
    """The refund and its order, locked; a supplier reaches only refunds of
    its own lines."""
    refunds = Refund.objects.filter(pk=refund_id).select_related("line")
    order, refund = row_locked_with_order(refunds if supplier is None else refunds.filter(line__supplier=supplier))
    return order, refund


def refund_decide(
    *,
    refund_id: int,
    approve: bool,
    by: User,
    actor_kind: str,
    supplier: Supplier | None = None,
    note: str = "",
) -> Refund:
    """An operator (``supplier=None``) or the line's supplier approves the
    request (the provider is then asked, after commit) or rejects it (the
    held amount is freed)."""
    with transaction.atomic():
        _order, refund = _locked(refund_id, supplier)
        target = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
        status_set(refund, target, actor_kind=actor_kind, actor=by, reason=note, decision_note=note[:200])
        if approve:
            _queue_execution(refund)
        else:
            OrderLine.objects.filter(pk=refund.line_id).update(
                refund_pending_amount=F("refund_pending_amount") - refund.amount
            )
            order_event_emit(refund_rejected, order_id=refund.order_id, refund_id=refund.pk)
    return refund


def refund_retry(*, refund_id: int, by: User) -> Refund:
    """An operator tries a failed refund again (with a new reference, so the
    provider treats it as a new request)."""
    with transaction.atomic():
        _order, refund = _locked(refund_id, None)
        status_set(
            refund,
            RefundStatus.APPROVED,
            actor_kind=Actor.OPERATOR,
            actor=by,
            reason=Reason.RETRY,
            reference=_reference(),
            failure_reason="",
        )
        _queue_execution(refund)
    return refund


def refunds_supersede(*, order: Order, actor_kind: str, actor: User | None) -> list[Refund]:
    """For the cancellation of a paid order, whose lock the caller holds:
    its open refunds that no provider call carries (requested, or failed at
    the provider) close as superseded and their held amounts are freed, so
    the cancellation refunds them with the rest of the order. Approved
    refunds are left to finish: their provider call may be in flight (the
    provider is idempotent by their reference), so their money goes back
    once, through them. Every other writer of a refund locks its order
    first, so none is deciding, retrying or executing these meanwhile."""
    refunds = list(
        Refund.objects.select_for_update().filter(order=order, status__in=REFUND_SUPERSEDABLE).order_by("pk")
    )
    for refund in refunds:
        status_set(refund, RefundStatus.SUPERSEDED, actor_kind=actor_kind, actor=actor, reason=Reason.SUPERSEDED)
        OrderLine.objects.filter(pk=refund.line_id).update(
            refund_pending_amount=F("refund_pending_amount") - refund.amount
        )
    return refunds


def _queue_execution(refund: Refund) -> None:
    """The provider is asked by orders' own event consumer, once this commits
    (so an approval is never lost to a broker outage)."""
    order_event_emit(refund_approved, order_id=refund.order_id, refund_id=refund.pk)


def refund_execute(*, refund_id: int) -> Refund:
    """Ask the provider that took the payment for an approved refund and
    record the answer. Safe to run twice: only an approved refund is sent,
    and the provider is asked with the refund's reference (idempotent there).
    The order stays locked during the provider call: a cancellation coming
    meanwhile waits, then sees the refund done (or approved still, when this
    run died, or when the gateway is still processing it: its notification
    or a query finishes it, ``refund_outcome_apply``). On success the line's
    and the order's refunded amounts grow, the team's sales shrink, and
    ``order_refunded`` is sent after commit."""
    with transaction.atomic():
        order, refund = _locked(refund_id, None)
        if refund.status != RefundStatus.APPROVED:
            return refund
        payment = order.payment
        result = payment_provider(payment.provider).refund_create(
            payment_reference=payment.session.reference, refund_reference=refund.reference, amount=refund.amount
        )
        _refund_finish(order, refund, result)
    return refund


def refund_outcome_apply(*, refund_reference: str, result: RefundResult) -> Refund | None:
    """A gateway's verified word on a refund it was processing (its refund
    notification, or a query): finish it as ``refund_execute`` would have.
    Exactly once: a refund no longer approved is left alone. None for a
    reference we never issued."""
    refund_id = Refund.objects.filter(reference=refund_reference).values_list("pk", flat=True).first()
    if refund_id is None:
        return None
    with transaction.atomic():
        order, refund = _locked(refund_id, None)
        if refund.status == RefundStatus.APPROVED:
            _refund_finish(order, refund, result)
    return refund


def refunds_pending_settle(*, older_than_minutes: int = 10) -> int:
    """The sweep behind refund notifications: ask the gateway about refunds
    it accepted and has not reported on (approved, with its reference) for a
    while, and finish those it has decided. Returns how many finished."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    finished = 0
    waiting = (
        Refund.objects.filter(status=RefundStatus.APPROVED, requested_at__lte=cutoff)
        .exclude(provider_reference="")
        .select_related("order__payment__session")
    )
    for refund in waiting[:200]:
        payment = refund.order.payment
        try:
            result = payment_provider(payment.provider).refund_query(
                payment_reference=payment.session.reference, refund_reference=refund.reference
            )
        except DomainError:  # the gateway does not answer (or is no longer enabled): the next sweep asks again
            continue
        if not result.pending and refund_outcome_apply(refund_reference=refund.reference, result=result):
            finished += 1
    return finished


def _refund_finish(order: Order, refund: Refund, result: RefundResult) -> None:
    if result.pending:  # accepted; the gateway tells the outcome later
        if result.provider_reference and refund.provider_reference != result.provider_reference:
            refund.provider_reference = result.provider_reference
            refund.save(update_fields=["provider_reference"])
        return
    if not result.succeeded:
        status_set(
            refund,
            RefundStatus.FAILED,
            actor_kind=Actor.SYSTEM,
            reason=result.failure_reason,
            failure_reason=result.failure_reason[:200],
        )
        return
    status_set(
        refund,
        RefundStatus.SUCCEEDED,
        actor_kind=Actor.SYSTEM,
        reason=f"{REASON_REFUNDED}{result.provider_reference}",
        provider_reference=result.provider_reference,
        refunded_at=timezone.now(),
    )
    OrderLine.objects.filter(pk=refund.line_id).update(
        refund_pending_amount=F("refund_pending_amount") - refund.amount,
        refunded_amount=F("refunded_amount") + refund.amount,
    )
    Order.objects.filter(pk=order.pk).update(refunded_amount=F("refunded_amount") + refund.amount)
    refund_paid_post(refund_id=refund.pk, order_id=order.pk, amount=refund.amount)
    if refund.line.discount_amount:  # coupons: their funders get the refunded part of their share back
        refund.line.refresh_from_db(fields=["paid_amount", "refunded_amount"])
        order_coupons_follow_refund(line=refund.line, refund_id=refund.pk)
    if refund.line.attributed_reseller_id:
        reseller_sale_record(
            reseller_id=refund.line.attributed_reseller_id, amount=-refund.amount, key=f"refund:{refund.pk}"
        )
    order_event_emit(order_refunded, order_id=order.pk, refund_id=refund.pk)
