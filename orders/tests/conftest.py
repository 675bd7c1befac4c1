import pytest


@pytest.fixture
def events():
    """Listen to an order signal for the test: ``paid = events(order_paid)``
    is the list of the keyword arguments of every event sent (after commit),
    as the commission engine would get them."""
    connected = []

    def listen_to(signal) -> list[dict]:
        received = []

        def receiver(sender, **kwargs):
            received.append({name: value for name, value in kwargs.items() if name != "signal"})

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
        return received

    yield listen_to
    for signal, receiver in connected:
        signal.disconnect(receiver)
