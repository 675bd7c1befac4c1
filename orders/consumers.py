"""Orders' own event consumers (socialshop/events.py): the work a change
leaves for later that must survive a broker outage. Each calls one
idempotent service."""

from django.utils.translation import gettext_lazy as _

from socialshop.events import Event, event_consumer_register

from .events import payment_close, payment_issue, refund_approved
from .services.payments import payment_issue_refund, payment_sessions_close
from .services.refunds import refund_execute


def refund_execution_handle(event: Event) -> str:
    refund = refund_execute(refund_id=event.payload["refund_id"])
    return f"refund {refund.pk}: {refund.status}"


def payment_issue_refund_handle(event: Event) -> str:
    issue = payment_issue_refund(issue_id=event.payload["issue_id"])
    return f"issue {issue.pk}: {'refunded' if issue.refund_reference else 'refund failed'}"


def payment_close_handle(event: Event) -> str:
    return f"closed {payment_sessions_close(order_id=event.payload['order_id'])} payment(s) at the gateway"


def register() -> None:
    event_consumer_register(
        name="refund-execution",
        label=_("Refunds sent to the payment provider"),
        event_types=[refund_approved],
        handle=refund_execution_handle,
    )
    event_consumer_register(
        name="payment-issue-refunds",
        label=_("Money returned for orders that could not take it"),
        event_types=[payment_issue],
        handle=payment_issue_refund_handle,
    )
    event_consumer_register(
        name="payment-close",
        label=_("Unpaid payments closed at the payment provider"),
        event_types=[payment_close],
        handle=payment_close_handle,
    )
