"""Orders' own event consumers (socialshop/events.py): the work a change
leaves for later that must survive a broker outage. Each calls one
idempotent service."""

from django.utils.translation import gettext_lazy as _

from socialshop.events import Event, event_consumer_register

from .events import payment_issue, refund_approved
from .services.payments import payment_issue_refund
from .services.refunds import refund_execute


def refund_execution_handle(event: Event) -> str:
    refund = refund_execute(refund_id=event.payload["refund_id"])
    return f"refund {refund.pk}: {refund.status}"


def payment_issue_refund_handle(event: Event) -> str:
    issue = payment_issue_refund(issue_id=event.payload["issue_id"])
    return f"issue {issue.pk}: {'refunded' if issue.refund_reference else 'refund failed'}"


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
