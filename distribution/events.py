"""Reseller events, for the apps above ``distribution`` (notifications),
written to the transactional outbox in the change's transaction
(docs/events.md).

| type | aggregate | payload |
| --- | --- | --- |
| ``reseller.joined`` | ``reseller`` | ``reseller_id``, ``inviter_id`` (a new member of the inviter's team) |
"""

from socialshop.events import event_emit

reseller_joined = "reseller.joined"


def reseller_joined_emit(*, reseller_id: int, inviter_id: int) -> None:
    payload = {"reseller_id": reseller_id, "inviter_id": inviter_id}
    event_emit(type=reseller_joined, aggregate_type="reseller", aggregate_id=reseller_id, payload=payload)
