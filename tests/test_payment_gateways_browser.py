"""End to end, in headless Chromium against a live server and a real Celery
worker, with WeChat Pay and Alipay played by their local fakes (the real
libraries talk to them): a buyer pays by WeChat H5 and by Alipay wap on a
phone, and by WeChat's Native QR on a desktop; each payment's signed
notification pays the order, the worker creates its commissions from the
outbox, and a refund goes back through the same gateway (WeChat's finished
by its refund notification)."""

import time

import pytest
from django.db import connections

from accounts.tests.factories import PASSWORD, OperatorFactory
from commissions.models import Commission
from conftest import PHONE_VIEWPORT
from orders.choices import OrderStatus, RefundStatus
from orders.models import Order, PaymentSession, Refund
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import place, shop_selling

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def wait_until(condition, *, timeout: float = 45.0, what: str = ""):
    """Poll the database until ``condition()`` holds (the worker and the fakes work on their own time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or condition}")


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=ANDROID,
        locale="zh-CN",
    )
    yield context.new_page()
    context.close()
    connections.close_all()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()
    connections.close_all()


@pytest.fixture
def world(gateways, celery_worker_process, live_server):
    """An order placed in a reseller's shop, waiting to be paid; both gateways enabled (the worker too)."""
    shop, sku = shop_selling(price=12900)
    return place(shop=shop, sku=sku)


def _log_in(page, base: str, order: Order) -> None:
    page.goto(f"{base}/accounts/log-in/?next=/orders/{order.pk}/")
    page.click("#log-in-with-password")  # the page opens on log-in by SMS code
    page.fill("input[name=username]", order.buyer.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/orders/{order.pk}/")


def _to_the_cashier(page, base: str, order: Order, screenshot) -> None:
    _log_in(page, base, order)
    page.click("#pay")
    page.wait_for_url(f"**/orders/{order.pk}/pay/")
    assert page.text_content("#cashier-amount").strip() == "¥129.00"
    page.screenshot(path=screenshot, full_page=True)


def _paid_with_commissions(order: Order) -> None:
    wait_until(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PAID, what="the order paid")
    wait_until(lambda: Commission.objects.filter(order=order).exists(), what="commissions from the worker")


def _refund(order: Order, amount: int) -> Refund:
    refund = refund_request(
        order_id=order.pk, line_id=order.lines.get().pk, buyer=order.buyer, amount=amount, reason="尺码不合适"
    )
    refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind="operator")
    return wait_until(
        lambda: Refund.objects.filter(pk=refund.pk, status=RefundStatus.SUCCEEDED).first(), what="the refund done"
    )


def test_a_phone_pays_by_wechat_h5_and_is_refunded_through_wechat(world, live_server, phone, wechat, screenshot_dir):
    wechat.refund_delay = 0.3  # WeChat finishes the refund a moment later and notifies
    _to_the_cashier(phone, live_server.url, world, screenshot_dir / "cashier-phone.png")
    assert phone.locator(".cashier-method").all_text_contents() == ["微信支付›", "支付宝›"] or phone.is_visible(
        "#pay-alipay_wap"
    )

    phone.click("#pay-wechat_h5")
    phone.wait_for_url(f"{wechat.url}/pay/h5**")
    phone.screenshot(path=screenshot_dir / "wechat-h5.png")
    phone.click("#wechat-confirm")
    phone.wait_for_url(f"**/orders/{world.pk}/?from=pay")

    _paid_with_commissions(world)
    assert PaymentSession.objects.get(order=world).provider == "wechat"
    phone.wait_for_selector("#order-status[data-status=paid]")
    phone.screenshot(path=screenshot_dir / "wechat-h5-paid.png", full_page=True)

    refund = _refund(world, 2900)
    assert refund.provider_reference == next(iter(wechat.refunds.values())).refund_id
    assert Order.objects.get(pk=world.pk).refunded_amount == 2900


def test_a_phone_pays_by_alipay_wap_and_is_refunded_through_alipay(world, live_server, phone, alipay, screenshot_dir):
    _to_the_cashier(phone, live_server.url, world, screenshot_dir / "cashier-phone-alipay.png")

    phone.click("#pay-alipay_wap")
    phone.wait_for_url(f"{alipay.url}/gateway.do?**")
    phone.screenshot(path=screenshot_dir / "alipay-wap.png")
    phone.click("#alipay-confirm")
    phone.wait_for_url(f"**/orders/{world.pk}/?from=pay")

    _paid_with_commissions(world)
    assert alipay.sent[0].status == 200
    phone.wait_for_selector("#order-status[data-status=paid]")

    _refund(world, 12900)
    assert str(next(iter(alipay.refunds.values())).amount) == "129.00"


def test_a_desktop_pays_by_scanning_wechats_qr(world, live_server, desktop, wechat, screenshot_dir):
    _to_the_cashier(desktop, live_server.url, world, screenshot_dir / "cashier-desktop.png")
    assert desktop.is_visible("#pay-alipay_page")

    desktop.click("#pay-wechat_native")
    desktop.wait_for_url(f"**/orders/{world.pk}/pay/qr/")
    assert desktop.is_visible("#wechat-qr svg")
    desktop.screenshot(path=screenshot_dir / "wechat-native-qr.png", full_page=True)
    wechat.scan(PaymentSession.objects.get(order=world, method="wechat_native").redirect_url)  # the buyer's phone

    desktop.wait_for_url(f"**/orders/{world.pk}/?from=pay", timeout=20_000)  # the QR page moves on by itself
    _paid_with_commissions(world)
