import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from socialshop.states import SYSTEM, InvalidTransition
from webhooks.choices import DELIVERY_TRANSITIONS, OWNER, DeliveryStatus
from webhooks.exceptions import UnknownEventType, WebhookTargetRefused
from webhooks.models import WebhookDelivery
from webhooks.services import (
    MAX_ATTEMPTS,
    backoff_after,
    webhook_deliveries_due,
    webhook_delivery_attempt,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_event_publish,
)
from webhooks.signing import signature_header, signature_verify

pytestmark = pytest.mark.django_db


def _endpoint(user, receiver, events=("order.paid",)):
    return webhook_endpoint_create(user=user, url=receiver.url, events=list(events))


def test_an_event_reaches_the_partner_signed_with_its_secret(receiver, django_capture_on_commit_callbacks):
    user = UserFactory()
    endpoint = _endpoint(user, receiver)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={"order": {"id": 42}})

    [received] = receiver.received
    assert receiver.signature_is_valid(endpoint.secret, received)
    event = json.loads(received.body)
    assert event["type"] == "order.paid" and event["data"] == {"order": {"id": 42}}
    assert received.headers["X-Socialshop-Delivery"] == event["id"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [attempt.status_code for attempt in delivery.attempts.all()] == [200]


def test_a_tampered_body_or_a_wrong_secret_fails_verification():
    body = b'{"type":"order.paid"}'
    header = signature_header(secret="whsec_right", body=body)

    assert signature_verify(secret="whsec_right", header=header, body=body)
    assert not signature_verify(secret="whsec_wrong", header=header, body=body)
    assert not signature_verify(secret="whsec_right", header=header, body=body + b" ")
    assert not signature_verify(secret="whsec_right", header="t=1,v1=00", body=body)
    stale = signature_header(secret="whsec_right", body=body, timestamp=1_000)
    assert not signature_verify(secret="whsec_right", header=stale, body=body)


def test_only_endpoints_that_asked_for_the_event_get_it(receiver, django_capture_on_commit_callbacks):
    user, stranger = UserFactory(), UserFactory()
    _endpoint(user, receiver, events=["order.shipped"])
    _endpoint(stranger, receiver, events=["order.paid"])

    with django_capture_on_commit_callbacks(execute=True):
        ids = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={})

    assert ids == []
    assert receiver.received == []


def test_failures_are_retried_with_exponential_backoff_until_delivered(receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500, 503]
    user = UserFactory()
    _endpoint(user, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={})

    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.PENDING
    first_retry = delivery.next_attempt_at
    assert first_retry - delivery.attempts.get().attempted_at == backoff_after(1)
    # not due yet: the sweep leaves it alone
    assert webhook_deliveries_due(now=first_retry - timedelta(seconds=1), limit=10) == []

    webhook_delivery_attempt(delivery_id=delivery_id, now=first_retry)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - first_retry == backoff_after(2) == 2 * backoff_after(1)

    webhook_delivery_attempt(delivery_id=delivery_id, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [attempt.status_code for attempt in delivery.attempts.all()] == [500, 503, 200]
    assert len({received.body for received in receiver.received}) == 1  # the same event every time


def test_a_delivery_gives_up_after_the_last_retry_and_can_be_replayed(receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500] * MAX_ATTEMPTS
    user = UserFactory()
    _endpoint(user, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={})
    for _ in range(MAX_ATTEMPTS - 1):
        due = WebhookDelivery.objects.get(pk=delivery_id).next_attempt_at
        webhook_delivery_attempt(delivery_id=delivery_id, now=due)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.FAILED
    assert webhook_deliveries_due(now=timezone.now() + timedelta(days=1), limit=10) == []

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_replay(user=user, delivery_id=delivery_id)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_count == MAX_ATTEMPTS + 1


def test_an_unreachable_partner_is_recorded_not_raised(django_capture_on_commit_callbacks):
    user = UserFactory()
    webhook_endpoint_create(user=user, url="http://127.0.0.1:9/nothing-listens", events=["order.paid"])

    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={})

    attempt = WebhookDelivery.objects.get(pk=delivery_id).attempts.get()
    assert attempt.status_code is None and "ConnectionRefusedError" in attempt.error


def test_a_claimed_delivery_is_not_sent_twice_at_once(receiver):
    user = UserFactory()
    endpoint = _endpoint(user, receiver)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="order.paid", body="{}", next_attempt_at=timezone.now()
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, lease_until=timezone.now() + timedelta(minutes=1)
    )

    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None  # another worker holds it
    assert receiver.received == []
    # a dead worker's claim lapses and the sweep picks the delivery up again
    later = timezone.now() + timedelta(minutes=2)
    assert webhook_deliveries_due(now=later, limit=10) == [delivery.pk]
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=later).status == DeliveryStatus.SUCCEEDED


def test_replaying_another_users_delivery_is_not_found(receiver):
    from socialshop.errors import NotFound

    endpoint = _endpoint(UserFactory(), receiver)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="order.paid", body="{}")

    with pytest.raises(NotFound):
        webhook_delivery_replay(user=UserFactory(), delivery_id=delivery.pk)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "http://"])
def test_only_http_urls_are_accepted(url):
    with pytest.raises(WebhookTargetRefused):
        webhook_endpoint_create(user=UserFactory(), url=url, events=["order.paid"])


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:6379/", "http://10.0.0.5/hook", "http://169.254.169.254/latest", "http://[::1]/x"]
)
def test_private_and_local_targets_are_refused_outside_development(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(WebhookTargetRefused):
        webhook_endpoint_create(user=UserFactory(), url=url, events=["order.paid"])


def test_unknown_events_are_refused(receiver):
    with pytest.raises(UnknownEventType):
        webhook_endpoint_create(user=UserFactory(), url=receiver.url, events=["order.exploded"])


def test_a_webhook_goes_to_the_checked_address_never_resolved_again(receiver):
    from webhooks.targets import Target, webhook_post

    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    # a name that resolves nowhere: only the pinned, checked address can be reached
    target = Target(scheme="http", host="partner.invalid", port=port, path="/hooks?x=1", address="127.0.0.1")

    status, excerpt = webhook_post(target, body=b"{}", headers={"Content-Type": "application/json"})

    assert (status, excerpt) == (200, "ok")
    assert receiver.received[0].headers["Host"] == f"partner.invalid:{port}"
    assert receiver.received[0].path == "/hooks?x=1"


@pytest.mark.parametrize("url", ["https://example.com:99999/hook", "https://example.com:-1/hook"])
def test_a_url_with_an_impossible_port_is_refused_not_a_crash(url):
    with pytest.raises(WebhookTargetRefused):
        webhook_endpoint_create(user=UserFactory(), url=url, events=["order.paid"])


def test_a_receiver_that_answers_a_byte_at_a_time_is_cut_off(monkeypatch, django_capture_on_commit_callbacks):
    import socket
    import threading

    from webhooks import targets

    monkeypatch.setattr(targets, "ATTEMPT_DEADLINE_SECONDS", 1)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip():  # reads the request, then sends its answer one byte every half second (10 s in all)
        connection, _ = listener.accept()
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
            if stop.wait(0.5):
                break
            try:
                connection.send(bytes([byte]))
            except OSError:
                break
        connection.close()

    threading.Thread(target=drip, daemon=True).start()
    user = UserFactory()
    webhook_endpoint_create(user=user, url=f"http://127.0.0.1:{listener.getsockname()[1]}/h", events=["order.paid"])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            [delivery_id] = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={})
    finally:
        stop.set()
        listener.close()

    attempt = WebhookDelivery.objects.get(pk=delivery_id).attempts.get()
    assert attempt.status_code is None and attempt.error  # cut off, recorded, to be retried
    assert WebhookDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.PENDING


def test_a_delivery_being_sent_cannot_be_replayed_at_the_same_time(receiver):
    from webhooks.exceptions import DeliveryBeingSent

    user = UserFactory()
    endpoint = _endpoint(user, receiver)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="order.paid",
        body="{}",
        status=DeliveryStatus.SENDING,
        lease_until=timezone.now() + timedelta(minutes=1),
    )

    with pytest.raises(DeliveryBeingSent):
        webhook_delivery_replay(user=user, delivery_id=delivery.pk)


def _delivery_in(status, receiver, user):
    """A delivery in ``status``, due, whose claim (if any) lapsed a second ago."""
    a_second_ago = timezone.now() - timedelta(seconds=1)
    return WebhookDelivery.objects.create(
        endpoint=_endpoint(user, receiver),
        event_type="order.paid",
        body="{}",
        status=status,
        next_attempt_at=a_second_ago,
        lease_until=a_second_ago,
        failures_in_row=3,
    )


@pytest.mark.parametrize("start", DeliveryStatus.values)
def test_a_worker_claims_a_delivery_only_from_the_states_the_table_names(receiver, start):
    delivery = _delivery_in(start, receiver, UserFactory())
    claimable = SYSTEM in DELIVERY_TRANSITIONS.get((start, DeliveryStatus.SENDING), ())

    attempted = webhook_delivery_attempt(delivery_id=delivery.pk)

    assert (attempted is not None) == claimable
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == (DeliveryStatus.SUCCEEDED if claimable else start)
    assert len(receiver.received) == (1 if claimable else 0)


@pytest.mark.parametrize("start", DeliveryStatus.values)
def test_its_owner_replays_a_delivery_from_the_states_the_table_names(receiver, start):
    user = UserFactory()
    delivery = _delivery_in(start, receiver, user)
    replayable = OWNER in DELIVERY_TRANSITIONS.get((start, DeliveryStatus.PENDING), ())

    if replayable:
        webhook_delivery_replay(user=user, delivery_id=delivery.pk)
    else:
        with pytest.raises(InvalidTransition):
            webhook_delivery_replay(user=user, delivery_id=delivery.pk)

    stored = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (stored.status, stored.failures_in_row) == ((DeliveryStatus.PENDING, 0) if replayable else (start, 3))
