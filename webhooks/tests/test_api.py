import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_client_registers_an_endpoint_and_sees_its_secret_once(api, receiver):
    response = api.post("/api/v1/webhooks/endpoints/", {"url": receiver.url, "events": ["order.paid"]}, format="json")

    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    assert "secret" not in api.get(f"/api/v1/webhooks/endpoints/{response.json()['id']}/").json()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "not a url", "events": ["order.paid"]}, "url"),
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "https://example.com/h", "events": ["order.exploded"]}, "events"),
    ],
)
def test_bad_registrations_get_field_errors_and_create_nothing(api, body, field):
    response = api.post("/api/v1/webhooks/endpoints/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_clients_only_see_their_own_endpoints_and_deliveries(api, receiver):
    theirs = webhook_endpoint_create(user=UserFactory(), url=receiver.url, events=["order.paid"])
    delivery = WebhookDelivery.objects.create(endpoint=theirs, event_type="order.paid", body="{}")

    assert api.get("/api/v1/webhooks/endpoints/").json()["count"] == 0
    assert api.get(f"/api/v1/webhooks/endpoints/{theirs.id}/").status_code == 404
    assert api.patch(f"/api/v1/webhooks/endpoints/{theirs.id}/", {"is_active": False}, format="json").status_code == 404
    assert api.delete(f"/api/v1/webhooks/endpoints/{theirs.id}/").status_code == 404
    assert api.get(f"/api/v1/webhooks/deliveries/{delivery.id}/").status_code == 404
    assert api.post(f"/api/v1/webhooks/deliveries/{delivery.id}/replay/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_ping_shows_in_the_delivery_log_with_its_attempts(api, user, receiver, django_capture_on_commit_callbacks):
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=["order.paid"])

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/webhooks/endpoints/{endpoint.id}/ping/")
    assert response.status_code == 202

    log = api.get("/api/v1/webhooks/deliveries/", {"status": DeliveryStatus.SUCCEEDED}).json()
    [delivery] = log["results"]
    assert delivery["event_type"] == "ping"
    assert delivery["attempts"][0]["status_code"] == 200
    assert len(receiver.received) == 1


def test_a_client_replays_a_failed_delivery(api, user, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500]
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=["order.paid"])
    with django_capture_on_commit_callbacks(execute=True):
        delivery_id = api.post(f"/api/v1/webhooks/endpoints/{endpoint.id}/ping/").json()["id"]
    assert WebhookDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/webhooks/deliveries/{delivery_id}/replay/")

    assert response.status_code == 202
    detail = api.get(f"/api/v1/webhooks/deliveries/{delivery_id}/").json()
    assert detail["status"] == DeliveryStatus.SUCCEEDED
    assert [attempt["status_code"] for attempt in detail["attempts"]] == [500, 200]


def test_a_client_pauses_and_deletes_an_endpoint(api, user, receiver):
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=["order.paid"])

    response = api.patch(f"/api/v1/webhooks/endpoints/{endpoint.id}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False

    assert api.delete(f"/api/v1/webhooks/endpoints/{endpoint.id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("endpoint", ["-5.706999755723851e+273", "1e30", "0", "1.5"])
def test_filtering_the_log_by_an_endpoint_that_is_no_id_is_refused(api, endpoint):
    response = api.get("/api/v1/webhooks/deliveries/", {"endpoint": endpoint})

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "endpoint" in response.json()["fields"]


def test_filtering_the_log_by_one_of_my_endpoints(api, user, receiver):
    mine = webhook_endpoint_create(user=user, url=receiver.url, events=["order.paid"])
    WebhookDelivery.objects.create(endpoint=mine, event_type="order.paid", body="{}")

    assert api.get("/api/v1/webhooks/deliveries/", {"endpoint": str(mine.id)}).json()["count"] == 1
