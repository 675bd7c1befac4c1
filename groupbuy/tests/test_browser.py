"""Group buying on a 390×844 phone, in a real headless Chromium against
PostgreSQL, paying in the sandbox cashier whose callbacks reach the live
server: a group opened, shared, joined and filled; a group that runs out of
time, whose two members both see their refund."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import SkuFactory
from conftest import PHONE_VIEWPORT
from groupbuy.models import Group, Member
from groupbuy.services import groups_sweep
from orders.services.addresses import address_save
from orders.tests.factories import an_address

from .factories import a_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    sku = SkuFactory(
        product__title="新疆阿克苏冰糖心苹果 5 斤",
        spec={"规格": "5 斤装"},
        stock=50,
        cost_amount=2500,
        min_resale_amount=3000,
        list_price_amount=5990,
    )
    buyers = [UserFactory(nickname="张三丰"), UserFactory(nickname="李小龙"), UserFactory(nickname="王大锤")]
    for buyer in buyers:
        address_save(user=buyer, address=an_address(recipient_name=buyer.nickname))
    return sku, buyers


def fits(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.url


class Phone:
    """One buyer's phone: its own cookies, console errors collected."""

    def __init__(self, chromium, live_server, buyer, screenshot_dir, name):
        self.context = chromium.new_context(
            viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.server, self.buyer, self.folder, self.name = live_server.url, buyer, screenshot_dir, name

    def log_in(self, next_path: str):
        page = self.page
        page.goto(f"{self.server}/accounts/log-in/?next={next_path}")
        page.click("#log-in-with-password")
        page.fill("input[name=username]", self.buyer.phone)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**{next_path}")

    def take_seat_and_pay(self):
        """On a campaign or group page: submit the seat form, pay in the sandbox."""
        page = self.page
        page.click("#seat-submit")
        page.wait_for_url("**/pay/")
        page.click("#pay-sandbox")
        page.wait_for_url("**/sandbox/pay/**")
        page.click("#sandbox-pay")
        page.wait_for_selector("#pay-result[data-result=paid]", timeout=20_000)

    def shot(self, label):
        fits(self.page)
        self.page.screenshot(path=self.folder / f"groupbuy-{self.name}-{label}.png", full_page=True)

    def close(self):
        assert self.errors == []
        self.context.close()


def _group_of(buyer) -> Group:
    return Member.objects.select_related("group").get(buyer=buyer).group


def test_a_group_is_opened_shared_joined_and_fills(live_server, chromium, settings, world, screenshot_dir):
    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True
    sku, (leader, friend, _other) = world
    campaign = a_campaign(sku=sku, size=2, group_price=3990, leader_price=3590)
    first = Phone(chromium, live_server, leader, screenshot_dir, "fill")
    first.log_in(f"/group-buying/campaigns/{campaign.pk}/")
    assert "¥39.90" in first.page.inner_text(".group-hero") and "团长价" in first.page.inner_text(".group-hero")
    first.shot("1-campaign")
    first.take_seat_and_pay()
    assert "¥35.90" in first.page.inner_text("#pay-result")  # the leader's price

    group = _group_of(leader)
    first.page.goto(f"{live_server.url}/group-buying/{group.pk}/")
    assert "还差 1 人成团" in first.page.inner_text("#group-state")
    share_url = first.page.input_value("#share-url")
    first.shot("2-shared")

    second = Phone(chromium, live_server, friend, screenshot_dir, "fill")
    second.page.goto(share_url)  # the shared link, before logging in
    assert "张**" in second.page.inner_text("#group-seats") and "张三丰" not in second.page.content()
    second.shot("3-friend-opens-the-link")
    second.page.click("#log-in-to-take-a-seat")
    second.page.wait_for_url("**/accounts/log-in/**")
    second.log_in(f"/group-buying/{group.pk}/")
    second.take_seat_and_pay()
    second.page.goto(share_url)
    second.page.wait_for_selector("#group[data-status=succeeded]")
    assert "拼团成功" in second.page.inner_text("#group-state")
    second.shot("4-filled")

    first.page.goto(f"{live_server.url}/group-buying/mine/")
    assert "拼团成功" in first.page.inner_text("main")
    first.shot("5-my-groups")
    for phone in (first, second):
        phone.close()


def test_a_group_that_runs_out_of_time_refunds_both_members(live_server, chromium, settings, world, screenshot_dir):
    settings.PAYMENT_SANDBOX_SEND_CALLBACKS = True
    sku, buyers = world
    campaign = a_campaign(sku=sku, size=3, group_price=3990)
    phones = [Phone(chromium, live_server, buyer, screenshot_dir, f"expire-{n}") for n, buyer in enumerate(buyers[:2])]
    phones[0].log_in(f"/group-buying/campaigns/{campaign.pk}/")
    phones[0].take_seat_and_pay()
    group = _group_of(buyers[0])
    phones[1].log_in(f"/group-buying/{group.pk}/")
    phones[1].take_seat_and_pay()

    # the day passes with one seat empty: beat's sweep fails the group, the provider refunds both
    Group.objects.filter(pk=group.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert groups_sweep()["failed"] == 1

    for phone in phones:
        phone.page.goto(f"{live_server.url}/group-buying/{group.pk}/")
        phone.page.wait_for_selector("#my-seat[data-member-status=refunded]")
        assert "全员已自动退款" in phone.page.inner_text("#group-state")
        assert "¥39.90 已原路退回" in phone.page.inner_text("#my-seat")
        phone.shot("refunded")
        phone.close()
