"""The bargain pages, as a phone's browser posts them (Django's client)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bargain.choices import BargainStatus
from bargain.models import Bargain, Help
from orders.models import Order

from .factories import a_campaign, helped, started

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {
    "address": "new",
    "new-recipient_name": "李四",
    "new-phone": "13700137000",
    "new-province_code": "31",
    "new-city_code": "3101",
    "new-district_code": "310104",
    "new-street": "漕溪北路 1 号",
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def test_the_campaign_page_starts_a_bargain_and_sends_the_buyer_to_it(client):
    campaign = a_campaign(start=10000, floor=6000, helps=3)
    buyer = UserFactory()
    client.force_login(buyer)

    page = client.get(reverse("bargain:campaign", args=[campaign.pk]))
    response = client.post(reverse("bargain:campaign", args=[campaign.pk]))
    again = client.post(reverse("bargain:campaign", args=[campaign.pk]))

    assert "发起砍价" in page.content.decode() and "¥60.00" in page.content.decode()
    bargain = Bargain.objects.get(starter=buyer)
    assert response.status_code == 302 and response["Location"] == reverse("bargain:bargain", args=[bargain.pk])
    assert again["Location"] == response["Location"]  # one per person: back to the same bargain


def test_the_bargain_page_shows_progress_masked_helpers_and_cuts_in_few_queries(client, django_assert_max_num_queries):
    bargain = started(a_campaign(start=10000, floor=6000, helps=4))
    helps = [helped(bargain, helper=UserFactory(nickname=name)) for name in ("张三丰", "李小龙", "王大锤")]
    client.force_login(UserFactory())

    with django_assert_max_num_queries(8):  # session, user, the bargain, its helps, has-helped
        page = client.get(reverse("bargain:bargain", args=[bargain.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "张**" in html and "张三丰" not in html
    for row in helps:
        assert f"砍掉 ¥{row.cut_amount / 100:,.2f}" in html
    assert "还差 1 人砍到最低价" in html and 'id="help-cut"' in html
    assert 'aria-valuenow="' in html


def test_the_bargain_page_reads_the_same_few_queries_with_many_helpers(client, django_assert_max_num_queries):
    bargain = started(a_campaign(start=10000, floor=6000, helps=30))
    for _ in range(25):
        helped(bargain)

    with django_assert_max_num_queries(3):  # anonymous: the bargain, its helps (with helpers)
        page = client.get(reverse("bargain:bargain", args=[bargain.pk]))

    assert page.status_code == 200 and page.content.decode().count('class="bargain-helper"') == 25


def test_a_friend_helps_from_the_page_once_and_the_starter_cannot(client):
    bargain = started(a_campaign())
    friend = UserFactory()
    client.force_login(friend)

    first = client.post(reverse("bargain:help", args=[bargain.pk]), follow=True)
    second = client.post(reverse("bargain:help", args=[bargain.pk]), follow=True)
    client.force_login(bargain.starter)
    own = client.post(reverse("bargain:help", args=[bargain.pk]), follow=True)

    assert "你帮好友砍掉了" in first.content.decode()
    assert "你已经帮砍过这个砍价了" in second.content.decode()
    assert "不能给自己砍价" in own.content.decode()
    assert Help.objects.filter(bargain=bargain).count() == 1


def test_helping_logged_out_asks_to_log_in_and_changes_nothing(client):
    bargain = started(a_campaign())

    response = client.post(reverse("bargain:help", args=[bargain.pk]))

    assert response.status_code == 302 and "/accounts/log-in/" in response["Location"]
    assert not Help.objects.exists()


def test_the_help_form_applies_the_daily_limit(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "bargain_help_user": "2/day"},
    }
    campaign = a_campaign()
    bargains = [started(campaign) for _ in range(3)]
    client.force_login(UserFactory())

    answers = [client.post(reverse("bargain:help", args=[b.pk]), follow=True).content.decode() for b in bargains]

    assert "今天帮砍次数已用完" in answers[-1]
    assert Help.objects.count() == 2


def test_the_starter_buys_at_the_current_price_and_is_sent_to_pay(client):
    bargain = started(a_campaign(start=10000, floor=6000, helps=3))
    cut = helped(bargain).cut_amount
    client.force_login(bargain.starter)

    page = client.get(reverse("bargain:buy", args=[bargain.pk]))
    response = client.post(reverse("bargain:buy", args=[bargain.pk]), NEW_ADDRESS)

    assert page.status_code == 200 and f"¥{(10000 - cut) / 100:,.2f}" in page.content.decode()
    order = Order.objects.get(buyer=bargain.starter)
    assert response.status_code == 302 and response["Location"] == reverse("orders:pay", args=[order.pk])
    assert order.total_amount == 10000 - cut
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.ORDERED


def test_a_bad_address_is_a_form_error_and_orders_nothing(client):
    bargain = started(a_campaign())
    client.force_login(bargain.starter)

    response = client.post(reverse("bargain:buy", args=[bargain.pk]), {**NEW_ADDRESS, "new-phone": "12345"})

    assert response.status_code == 400
    assert not Order.objects.exists()
    bargain.refresh_from_db()
    assert bargain.status == BargainStatus.ACTIVE


def test_another_person_cannot_open_the_starters_checkout(client):
    bargain = started(a_campaign())
    client.force_login(UserFactory())

    assert client.get(reverse("bargain:buy", args=[bargain.pk])).status_code == 404


def test_an_expired_bargain_shows_no_buy_button_and_cannot_be_bought(client):
    bargain = started(a_campaign())
    Bargain.objects.filter(pk=bargain.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(bargain.starter)

    page = client.get(reverse("bargain:bargain", args=[bargain.pk])).content.decode()
    response = client.post(reverse("bargain:buy", args=[bargain.pk]), NEW_ADDRESS)

    assert "砍价已超时" in page and 'id="buy-now"' not in page
    assert response.status_code == 400 and not Order.objects.exists()


def test_my_bargains_lists_the_starters_own(client):
    campaign = a_campaign()
    mine = started(campaign)
    started(campaign)
    client.force_login(mine.starter)

    html = client.get(reverse("bargain:mine")).content.decode()

    assert html.count('class="order-card bargain-row"') == 1 and f'data-bargain="{mine.pk}"' in html


def test_the_product_page_points_to_a_live_campaign(client):
    from orders.tests.factories import shop_selling

    shop, sku = shop_selling()
    campaign = a_campaign(sku=sku)

    html = client.get(f"/s/{shop.slug}/p/{sku.product_id}/").content.decode()

    assert 'id="bargain-offer"' in html and reverse("bargain:campaign", args=[campaign.pk]) in html


def test_the_qr_code_is_a_png(client):
    bargain = started(a_campaign())

    response = client.get(reverse("bargain:qr", args=[bargain.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_checkout_of_an_ordered_bargain_sends_to_pay_and_after_a_cancel_orders_again(client):
    from orders.services.lifecycle import order_cancel

    bargain = started(a_campaign())
    client.force_login(bargain.starter)
    client.post(reverse("bargain:buy", args=[bargain.pk]), NEW_ADDRESS)
    first = Order.objects.get(buyer=bargain.starter)

    waiting = client.get(reverse("bargain:buy", args=[bargain.pk]))
    order_cancel(order_id=first.pk, by=bargain.starter, actor_kind="buyer", reason="")
    reopened = client.get(reverse("bargain:buy", args=[bargain.pk]))
    again = client.post(reverse("bargain:buy", args=[bargain.pk]), {"address": str(bargain.starter.addresses.get().pk)})

    assert waiting["Location"] == reverse("orders:pay", args=[first.pk])
    assert reopened.status_code == 200
    second = Order.objects.exclude(pk=first.pk).get(buyer=bargain.starter)
    assert again["Location"] == reverse("orders:pay", args=[second.pk])
    bargain.refresh_from_db()
    assert (bargain.status, bargain.order_id) == (BargainStatus.ORDERED, second.pk)
