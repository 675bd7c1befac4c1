"""WeChat's H5 pay is told the buyer's address (scene_info.payer_client_ip):
behind the proxies of NUM_PROXIES it is the address the nearest of them saw,
the same one the throttles count, never the proxy's own nor what the client
wrote into X-Forwarded-For."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from orders.tests.factories import place, shop_selling

from .test_cashier import IPHONE

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the load balancer, as REMOTE_ADDR
FORWARDED = "198.51.100.66, 203.0.113.9"  # the client's own claim, then what the balancer appended


@pytest.fixture
def order():
    shop, sku = shop_selling(price=12900)
    return place(shop=shop, sku=sku)


def _behind(settings, proxies: int) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}


@pytest.mark.parametrize(("proxies", "reported"), [(1, "203.0.113.9"), (0, PROXY)], ids=["behind one", "direct"])
def test_the_cashier_reports_the_buyers_address_to_wechat(gateways, client, order, settings, proxies, reported):
    wechat, _alipay = gateways
    _behind(settings, proxies)
    client.force_login(order.buyer)

    client.post(
        reverse("orders:pay", args=[order.pk]),
        {"method": "wechat_h5"},
        headers={"User-Agent": IPHONE, "X-Forwarded-For": FORWARDED},
        REMOTE_ADDR=PROXY,
    )

    (trade,) = wechat.trades.values()
    assert trade.payer_client_ip == reported


def test_the_api_reports_the_buyers_address_to_wechat(gateways, order, settings):
    wechat, _alipay = gateways
    _behind(settings, 1)
    api = APIClient()
    api.force_authenticate(order.buyer)

    response = api.post(
        f"/api/v1/orders/{order.pk}/pay/",
        {"method": "wechat_h5"},
        format="json",
        HTTP_X_FORWARDED_FOR=FORWARDED,
        REMOTE_ADDR=PROXY,
    )

    assert response.status_code in (200, 201), response.content
    (trade,) = wechat.trades.values()
    assert trade.payer_client_ip == "203.0.113.9"
