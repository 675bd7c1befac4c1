"""Withdrawal events, for the apps above ``commissions`` (the notifications
issue adds the first consumer), written to the transactional outbox
(``socialshop.events``) by the transition kernel in the same transaction as
the move they record (docs/events.md).

| type | aggregate | payload |
| --- | --- | --- |
| ``withdrawal.decided`` | ``withdrawal`` | ``withdrawal_id``, ``reseller_id``, ``status``, ``amount`` |

``status`` is the decision: approved, rejected, paid or failed (not
``paying``: putting it in a batch decides nothing new); ``amount`` is the
fen requested (the fee is not deducted).
"""

from .models import Withdrawal

withdrawal_decided = "withdrawal.decided"


def withdrawal_decided_event(withdrawal: Withdrawal) -> tuple[str, str, int, dict]:
    """The kernel's ``event=`` for a decided withdrawal, read after the move."""
    payload = {
        "withdrawal_id": withdrawal.pk,
        "reseller_id": withdrawal.reseller_id,
        "status": str(withdrawal.status),
        "amount": withdrawal.amount,
    }
    return withdrawal_decided, "withdrawal", withdrawal.pk, payload
