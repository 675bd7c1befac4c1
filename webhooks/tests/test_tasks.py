"""Webhooks really go through Celery: published in a committed transaction,
sent by a separate worker process, retried by the sweep."""

import time

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create, webhook_event_publish
from webhooks.tasks import webhook_deliveries_retry_task

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_delivers_a_committed_event(celery_worker_process, receiver):
    user = UserFactory()
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=["order.paid"])

    with transaction.atomic():
        [delivery_id] = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={"order": {"id": 1}})
        assert receiver.received == []  # nothing leaves before commit

    assert _wait_for(lambda: WebhookDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.SUCCEEDED)
    assert receiver.signature_is_valid(endpoint.secret, receiver.received[0])


def test_the_sweep_retries_through_the_worker(celery_worker_process, receiver):
    receiver.statuses = [500]
    user = UserFactory()
    webhook_endpoint_create(user=user, url=receiver.url, events=["order.paid"])
    with transaction.atomic():
        [delivery_id] = webhook_event_publish(user_ids=[user.id], event_type="order.paid", data={})
    assert _wait_for(lambda: WebhookDelivery.objects.get(pk=delivery_id).attempt_count == 1)
    # make the retry due now rather than in 30 s
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        next_attempt_at=WebhookDelivery.objects.get(pk=delivery_id).created_at
    )

    assert webhook_deliveries_retry_task.delay().get(timeout=30) == 1

    assert _wait_for(lambda: WebhookDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.SUCCEEDED)
    assert len(receiver.received) == 2
