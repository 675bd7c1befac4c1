"""Bargaining on a 390×844 phone, in a real headless Chromium against
PostgreSQL: a bargain started, shared, helped by two friends and bought,
paying in the sandbox cashier whose callbacks reach the live server."""

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from bargain.choices import BargainStatus
from bargain.models import Bargain
from catalog.tests.factories import SkuFactory
from conftest import PHONE_VIEWPORT
from orders.services.addresses import address_save
from orders.tests.factories import an_address

from .factories import a_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.url


class Phone:
    """One person's phone: its own cookies, console errors collected."""

    def __init__(self, chromium, live_server, person, screenshot_dir, name):
        self.context = chromium.new_context(
            viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.server, self.person, self.folder, self.name = live_server.url, person, screenshot_dir, name

    def log_in(self, next_path: str):
        page = self.page
        page.goto(f"{self.server}/accounts/log-in/?next={next_path}")
        page.click("#log-in-with-password")
        page.fill("input[name=username]", self.person.phone)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**{next_path}")

    def shot(self, label):
        fits(self.page)
        self.page.screenshot(path=self.folder / f"bargain-{self.name}-{label}.png", full_page=True)

    def close(self):
        assert self.errors == []
        self.context.close()


def test_a_bargain_is_started_helped_by_two_friends_and_bought(live_server, chromium, settings, screenshot_dir):
    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True
    sku = SkuFactory(
        product__title="云南高山普洱茶 357 克",
        spec={"规格": "一饼"},
        stock=20,
        cost_amount=5000,
        min_resale_amount=6000,
        list_price_amount=12800,
    )
    campaign = a_campaign(sku=sku, start=12800, floor=6800, helps=3)
    starter = UserFactory(nickname="陈小春")
    friends = [UserFactory(nickname="张三丰"), UserFactory(nickname="李小龙")]
    address_save(user=starter, address=an_address(recipient_name="陈小春"))

    mine = Phone(chromium, live_server, starter, screenshot_dir, "starter")
    mine.log_in(f"/bargain/campaigns/{campaign.pk}/")
    assert "¥68.00" in mine.page.inner_text("#campaign")
    mine.shot("1-campaign")
    mine.page.click("#start-bargain")
    mine.page.wait_for_selector("#bargain[data-status=active]")
    share_url = mine.page.input_value("#share-url")
    assert "¥128.00" in mine.page.inner_text("#current-price")
    assert "还差 3 人砍到最低价" in mine.page.inner_text("#bargain-state")
    mine.shot("2-started")

    prices = [12800]
    for number, friend in enumerate(friends, start=1):
        phone = Phone(chromium, live_server, friend, screenshot_dir, f"friend-{number}")
        phone.page.goto(share_url)  # the shared link, before logging in
        assert phone.page.is_visible("#help-cut")
        path = share_url.removeprefix(live_server.url)
        phone.log_in(path)
        phone.page.click("#help-cut")
        phone.page.wait_for_selector("#helped-already")
        assert "你帮好友砍掉了" in phone.page.inner_text("body")
        bargain = Bargain.objects.get(starter=starter)
        prices.append(bargain.current_price_amount)
        assert 6800 < bargain.current_price_amount < prices[-2]
        phone.shot("helped")
        phone.close()

    mine.page.goto(share_url)
    helpers = mine.page.inner_text("#helpers")
    assert "张**" in helpers and "李**" in helpers and "张三丰" not in mine.page.content()
    assert "2 位好友已帮砍" in helpers
    price = f"¥{prices[-1] / 100:,.2f}"
    assert price in mine.page.inner_text("#current-price")
    mine.shot("3-helped-twice")
    mine.page.click("#buy-now")
    mine.page.wait_for_url("**/buy/")
    assert price in mine.page.inner_text("#checkout-total")
    mine.shot("4-checkout")
    mine.page.click("#place-order")
    mine.page.wait_for_url("**/pay/")
    mine.page.click("#pay-sandbox")
    mine.page.wait_for_url("**/sandbox/pay/**")
    mine.page.click("#sandbox-pay")
    mine.page.wait_for_selector("#pay-result[data-result=paid]", timeout=20_000)
    assert price in mine.page.inner_text("#pay-result")

    mine.page.goto(share_url)
    mine.page.wait_for_selector("#bargain[data-status=bought]")
    assert "已按砍后价购买" in mine.page.inner_text("#bargain-state")
    assert not mine.page.is_visible("#help-cut") and not mine.page.is_visible("#buy-now")
    mine.shot("5-bought")
    mine.page.goto(f"{live_server.url}/bargain/mine/")
    assert "已购买" in mine.page.inner_text("main")
    mine.shot("6-mine")
    assert Bargain.objects.get(starter=starter).status == BargainStatus.BOUGHT
    mine.close()
