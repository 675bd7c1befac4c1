import pytest

EVENT_IDS = ("order_id", "fulfilment_group_id", "refund_id")


class RecordedEvents:
    """The outbox events of one type written since the test asked, each as
    the ids it carries (``{"order_id": …}``), read when compared."""

    def __init__(self, event_type: str, after_id: int):
        self.event_type, self.after_id = event_type, after_id

    def _read(self) -> list[dict]:
        from socialshop.models import Event

        payloads = Event.objects.filter(type=self.event_type, pk__gt=self.after_id).order_by("pk")
        return [
            {name: payload[name] for name in EVENT_IDS if name in payload}
            for payload in payloads.values_list("payload", flat=True)
        ]

    def __eq__(self, other):
        return self._read() == other

    def __len__(self):
        return len(self._read())

    def __iter__(self):
        return iter(self._read())

    def __repr__(self):
        return repr(self._read())


@pytest.fixture
def events(db):
    """The events of a type the code under test writes to the outbox:
    ``paid = events(order_paid)``; ``paid == [{"order_id": 7}]``."""
    from django.db.models import Max

    from socialshop.models import Event

    def listen_to(event_type: str) -> RecordedEvents:
        return RecordedEvents(event_type, Event.objects.aggregate(last=Max("pk"))["last"] or 0)

    return listen_to
