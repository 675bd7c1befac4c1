"""The sandbox gateway's cashier page, as a shopper uses it."""

import pytest

from orders.services.payments import payment_start
from orders.tests.factories import NOTIFY_URL, RETURN_URL, place, shop_selling
from sandbox.models import SandboxCharge

pytestmark = pytest.mark.django_db


def test_the_sandbox_cashier_page_pays_once_then_is_closed(client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling(price=12_000)
    order = place(shop=shop, sku=sku, quantity=2)
    session = payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)
    page = f"/sandbox/pay/{session.reference}/"

    shown = client.get(page)
    paid = client.post(page, {"outcome": "pay"})
    again = client.post(page, {"outcome": "pay"})

    assert shown.status_code == 200 and "¥240.00" in shown.content.decode()
    assert paid.status_code == 302 and paid["Location"] == RETURN_URL
    assert again.status_code == 409
    assert SandboxCharge.objects.get().status == "paid"
    assert client.get("/sandbox/pay/nope/").status_code == 404
