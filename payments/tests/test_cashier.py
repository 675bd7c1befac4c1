"""The cashier (orders:pay) lists the ways to pay that fit the browser, and
the API pays by a named method; both against the fake gateways."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import PaymentSession
from orders.tests.factories import place, shop_selling

from .fixtures import ALIPAY, SANDBOX, WECHAT

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
WECHAT_BROWSER = IPHONE + " MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def order():
    shop, sku = shop_selling(price=12900)
    return place(shop=shop, sku=sku)


@pytest.fixture
def buyer_client(client, order):
    client.force_login(order.buyer)
    return client


def _methods(response) -> list[str]:
    return [method["code"] for method in response.context["methods"]]


@pytest.mark.parametrize(
    ("agent", "methods"),
    [(IPHONE, ["wechat_h5", "alipay_wap"]), (DESKTOP, ["wechat_native", "alipay_page"]), (WECHAT_BROWSER, [])],
    ids=["phone", "desktop", "inside WeChat, openid unknown"],
)
def test_the_cashier_lists_what_fits_the_browser(gateways, buyer_client, order, agent, methods):
    response = buyer_client.get(reverse("orders:pay", args=[order.pk]), headers={"User-Agent": agent})

    assert response.status_code == 200
    assert _methods(response) == methods
    page = response.content.decode()
    assert "¥129.00" in page
    if not methods:
        assert "没有适合此浏览器的支付方式" in page


def test_the_sandbox_is_listed_only_where_it_is_configured(gateways, buyer_client, order, settings):
    settings.PAYMENT_PROVIDERS = [WECHAT, ALIPAY, SANDBOX]

    response = buyer_client.get(reverse("orders:pay", args=[order.pk]), headers={"User-Agent": IPHONE})

    assert _methods(response) == ["wechat_h5", "alipay_wap", "sandbox"]


def test_choosing_wechat_on_a_phone_goes_to_wechats_page(gateways, buyer_client, order):
    wechat, _alipay = gateways

    response = buyer_client.post(
        reverse("orders:pay", args=[order.pk]), {"method": "wechat_h5"}, headers={"User-Agent": IPHONE}
    )

    assert response.status_code == 302
    assert response.url.startswith(f"{wechat.url}/pay/h5?prepay_id=")


def test_choosing_the_qr_on_a_desktop_shows_the_code_to_scan(gateways, buyer_client, order):
    response = buyer_client.post(
        reverse("orders:pay", args=[order.pk]),
        {"method": "wechat_native"},
        headers={"User-Agent": DESKTOP},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("orders:pay_qr", args=[order.pk])
    assert b"<svg" in response.content
    assert "微信扫一扫" in response.content.decode() or "扫码" in response.content.decode()


def test_a_method_that_does_not_fit_is_refused_with_a_message(gateways, buyer_client, order):
    response = buyer_client.post(
        reverse("orders:pay", args=[order.pk]), {"method": "wechat_native"}, headers={"User-Agent": IPHONE}
    )

    assert response.status_code == 400
    assert response.context["error"]
    assert not PaymentSession.objects.exists()


def test_a_gateway_that_does_not_answer_is_a_message_not_an_error_page(gateways, buyer_client, order, settings):
    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = buyer_client.post(
        reverse("orders:pay", args=[order.pk]), {"method": "wechat_h5"}, headers={"User-Agent": IPHONE}
    )

    assert response.status_code == 400
    assert "支付服务暂时没有响应" in response.content.decode()
    assert not PaymentSession.objects.exists()


def test_the_api_pays_by_a_named_method(gateways, order):
    _wechat, alipay = gateways
    api = APIClient()
    api.force_authenticate(order.buyer)

    response = api.post(f"/api/v1/orders/{order.pk}/pay/", {"method": "alipay_page"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["method"] == "alipay_page"
    assert body["payment_url"].startswith(f"{alipay.url}/gateway.do?")


def test_the_api_refuses_a_method_not_enabled(gateways, order):
    api = APIClient()
    api.force_authenticate(order.buyer)

    response = api.post(f"/api/v1/orders/{order.pk}/pay/", {"method": "sandbox"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "payment_method_unknown"


def test_the_order_pages_button_comes_here_to_choose(gateways, buyer_client, order):
    response = buyer_client.post(reverse("orders:pay", args=[order.pk]), headers={"User-Agent": IPHONE})

    assert response.status_code == 302
    assert response.url == reverse("orders:pay", args=[order.pk])
    assert not PaymentSession.objects.exists()


def test_inside_wechat_the_page_hands_a_signed_prepay_to_wechats_bridge(gateways, buyer_client, order):
    wechat, _alipay = gateways
    from orders.providers import PayerClient
    from orders.services.payments import payment_start

    session = payment_start(
        order_id=order.pk,
        buyer=order.buyer,
        notify_url="http://testserver/payments/wechat/notify/",
        return_url="http://testserver/",
        method="wechat_jsapi",
        client=PayerClient(in_wechat=True, mobile=True, openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
    )

    response = buyer_client.get(reverse("orders:pay_jsapi", args=[order.pk]), headers={"User-Agent": WECHAT_BROWSER})

    assert response.status_code == 200
    invoke = response.context["invoke"]
    assert invoke["appId"] == wechat.appid and invoke["package"] == f"prepay_id={session.redirect_url}"
    page = response.content.decode()
    assert 'id="wechat-invoke"' in page and "orders/jsapi" in page and "我已支付" in page


def test_a_buyer_who_logged_in_through_wechat_is_offered_jsapi_inside_wechat(gateways, buyer_client, order, settings):
    from accounts.choices import WechatApp
    from accounts.models import WechatIdentity

    wechat, _alipay = gateways
    settings.WECHATPAY_APPID = wechat.appid
    WechatIdentity.objects.create(
        user=order.buyer, app=WechatApp.OFFICIAL_ACCOUNT, app_id=wechat.appid, openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    )

    response = buyer_client.get(reverse("orders:pay", args=[order.pk]), headers={"User-Agent": WECHAT_BROWSER})

    assert _methods(response) == ["wechat_jsapi"]
