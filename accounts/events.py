"""Account events, for the apps above ``accounts`` (docs/events.md).

| type | payload |
| --- | --- |
| ``user.signed_up`` | ``user_id``: a new account (coupons gives its sign-up gift) |
"""

from socialshop.events import event_emit

user_signed_up = "user.signed_up"


def user_event_emit(event_type: str, *, user_id: int) -> None:
    """Record a user event in the current transaction (one INSERT)."""
    event_emit(type=event_type, aggregate_type="user", aggregate_id=user_id, payload={"user_id": user_id})
