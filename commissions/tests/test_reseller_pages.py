"""The reseller's pages that show the engine's figures: the workbench
(today's and this month's visitors, orders, sales, estimated earnings), 选品's
预计赚 (what the engine would pay, asked of the engine itself), the shop's
orders with 本单收益, and the money page's chart and withdrawal quote. Money
is shown in yuan, dates in Beijing time, at a constant number of queries."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.tests.factories import PASSWORD
from catalog.tests.factories import SkuFactory
from commissions.choices import CommissionKind
from commissions.models import Commission, CommissionPlan
from commissions.services.withdrawals import withdrawal_request
from commissions.tests.factories import credit_withdrawable
from distribution.tests.factories import ResellerFactory
from orders.tests.factories import pay, place, shop_selling
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client):
    """A reseller with an inviter, its shop selling one product at 120.00
    (list 100.00, cost 50.00), logged in."""
    inviter = ResellerFactory()
    seller = ResellerFactory(inviter=inviter)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller, slug="xiaomei"), price=12_000)
    client.force_login(seller.user)
    seller.shop_, seller.sku_ = shop, sku
    return seller


def sold(seller, execute, quantity: int = 1):
    """A buyer orders from the seller's shop and pays; the engine runs (its
    on-commit wake-up executed) unless ``execute`` is None."""
    order = place(shop=seller.shop_, sku=seller.sku_, quantity=quantity)
    if execute is None:
        return pay(order)
    with execute(execute=True):
        return pay(order)


def figures(response) -> dict[str, tuple]:
    return {figure["label"]: (figure["today"], figure["month"]) for figure in response.context["figures"]}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- the workbench --------------------------------------------------------------------------


def test_a_reseller_lands_on_its_workbench(client, seller):
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": seller.user.phone, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/my-shop/" == reverse("commissions:workbench")


def test_the_workbench_shows_today_s_figures_in_yuan(client, seller, django_capture_on_commit_callbacks):
    for browser in (Client(), Client()):
        browser.get("/s/xiaomei/")
        browser.get(f"/s/xiaomei/p/{seller.sku_.product_id}/")
    client.get("/s/xiaomei/")  # the owner's own visit is not one
    sold(seller, django_capture_on_commit_callbacks, quantity=2)

    response = client.get(reverse("commissions:workbench"))

    # 2 × 120.00 sold; the seller earns 2 × (20.00 markup + 30% of the 50.00 left) = 70.00
    assert figures(response) == {"访客": (2, 2), "订单": (1, 1), "销售额": (24_000, 24_000), "预计收益": (7_000, 7_000)}
    page = text(response)
    assert "¥240.00" in page and "¥70.00" in page and "本月 ¥70.00" in page
    assert timezone.localdate().strftime("%Y-%m-%d") in page and "北京时间" in page


def test_yesterday_counts_for_the_month_not_for_today(client, seller, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC)):  # 23:00, 12-03, Beijing
        Client().get("/s/xiaomei/")
        sold(seller, django_capture_on_commit_callbacks)
    with time_machine.travel(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)):  # 01:00, 12-04, Beijing
        response = client.get(reverse("commissions:workbench"))

    assert figures(response) == {"访客": (0, 1), "订单": (0, 1), "销售额": (0, 12_000), "预计收益": (0, 3_500)}


def test_a_refund_takes_its_share_off_the_sales_and_the_earnings(client, seller, django_capture_on_commit_callbacks):
    from accounts.tests.factories import OperatorFactory
    from orders.choices import Actor
    from orders.services.refunds import refund_decide, refund_request

    order = sold(seller, django_capture_on_commit_callbacks)
    line = order.lines.get()
    refund = refund_request(order_id=order.pk, line_id=line.pk, buyer=order.buyer, amount=6_000, reason="少发一件")
    with django_capture_on_commit_callbacks(execute=True):
        refund_decide(refund_id=refund.pk, approve=True, by=OperatorFactory(), actor_kind=Actor.OPERATOR)

    response = client.get(reverse("commissions:workbench"))

    assert figures(response)["销售额"] == (6_000, 6_000)
    assert figures(response)["预计收益"] == (1_750, 1_750)  # half refunded: half the 35.00


@pytest.mark.parametrize("orders", [1, 6])
def test_the_workbench_costs_the_same_queries_whatever_the_business(
    client, seller, orders, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(orders):
        Client().get("/s/xiaomei/")
        sold(seller, django_capture_on_commit_callbacks)

    # session, user; reseller, shop; visitors, sales, earnings; balances, withdrawn; the inbox badge;
    # follow-ups due (growth)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("commissions:workbench"))

    assert figures(response)["订单"] == (orders, orders)


def test_a_reseller_without_a_shop_is_asked_to_open_one(client):
    client.force_login(ResellerFactory().user)

    assert client.get(reverse("commissions:workbench"))["Location"] == reverse("shops:open")


def test_someone_who_is_not_a_reseller_is_sent_to_join(client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())

    assert client.get(reverse("commissions:workbench"))["Location"] == reverse("distribution:join")


# --- 选品: 预计赚 ------------------------------------------------------------------------------


def estimates_of(response, product_id: int) -> dict[int, tuple[int, int]]:
    row = next(row for row in response.context["rows"] if row["product"].pk == product_id)
    return {estimate.tier: (estimate.low_amount, estimate.high_amount) for estimate in row["estimates"]}


def test_earn_about_is_what_the_engine_then_pays_at_the_shop_s_price(
    client, seller, django_capture_on_commit_callbacks
):
    catalogue = client.get(reverse("commissions:catalogue"))
    shown = estimates_of(catalogue, seller.sku_.product_id)

    order = sold(seller, django_capture_on_commit_callbacks)

    paid = {
        commission.tier: commission.amount
        for commission in Commission.objects.filter(order=order, kind=CommissionKind.TIER)
    }
    markup = Commission.objects.get(order=order, kind=CommissionKind.MARKUP).amount
    assert shown == {1: (paid[1] + markup,) * 2, 2: (paid[2],) * 2}
    assert shown[1] == (3_500, 3_500) and "预计赚 ¥35.00" in text(catalogue)
    assert "¥5.00" in text(catalogue)  # tier 2: 10% of the 50.00 base, what the inviter earns


def test_earn_about_follows_the_plan_in_force_and_each_option_s_price(client, seller):
    CommissionPlan.objects.create(
        tier_count=3, three_tiers_confirmed=True, tier1_share_bps=4_000, tier2_share_bps=1_000, tier3_share_bps=500
    )
    other = SkuFactory(list_price_amount=20_000, cost_amount=8_000, min_resale_amount=15_000, max_resale_amount=30_000)
    SkuFactory(product=other.product, list_price_amount=10_000, cost_amount=6_000)

    response = client.get(reverse("commissions:catalogue"))

    # not picked: list prices, no markup; tier 1 earns 40% of 40.00 and of 120.00, tier 3 5%
    assert estimates_of(response, other.product_id) == {1: (1_600, 4_800), 2: (400, 1_200), 3: (200, 600)}
    assert "¥16.00–¥48.00" in text(response)


@pytest.mark.parametrize("products", [2, 12])
def test_the_catalogue_costs_the_same_queries_whatever_it_holds(
    client, seller, products, django_assert_max_num_queries
):
    for _ in range(products):
        sku = SkuFactory()
        shop_pick_product(shop=seller.shop_, product=sku.product, prices={sku.pk: 15_000})

    # session, user; reseller, shop; count, products, images, SKUs; picks, prices, plan, overrides; categories;
    # the inbox badge
    with django_assert_max_num_queries(14):
        response = client.get(reverse("commissions:catalogue"))

    assert len(response.context["rows"]) == products + 1


def test_a_picked_product_offers_its_share_link_to_copy(client, seller):
    unpicked = SkuFactory().product

    response = client.get(reverse("commissions:catalogue"))

    html = response.content.decode()
    link = f"http://testserver/s/xiaomei/p/{seller.sku_.product_id}/?ref={seller.invite_code}"
    assert f'value="{link}"' in html and f'data-copy="product-link-{seller.sku_.product_id}"' in html
    assert f'data-copy="product-link-{unpicked.pk}"' not in html
    assert "复制链接" in html and "已复制" in html


# --- the shop's orders: 本单收益 ------------------------------------------------------------


def test_each_shop_order_shows_what_the_reseller_earns_on_it(client, seller, django_capture_on_commit_callbacks):
    earned = sold(seller, django_capture_on_commit_callbacks)
    waiting = sold(seller, None)  # paid, the engine's wake-up not run yet
    unpaid = place(shop=seller.shop_, sku=seller.sku_)

    listing = client.get(reverse("commissions:shop_orders"))
    detail = client.get(reverse("commissions:shop_order", args=[earned.pk]))

    shown = {order.pk: (order.earned_amount, order.earnings_pending) for order in listing.context["orders"]}
    assert shown == {earned.pk: (3_500, False), waiting.pk: (0, True), unpaid.pk: (0, False)}
    assert "本单收益" in text(listing) and "¥35.00" in text(listing) and "计算中" in text(listing)
    assert "本单收益 ¥35.00" in text(detail)


def test_an_upline_s_earnings_are_not_the_seller_s(client, seller, django_capture_on_commit_callbacks):
    order = sold(seller, django_capture_on_commit_callbacks)
    inviter_shop = ShopFactory(owner=seller.inviter)
    client.force_login(seller.inviter.user)

    assert client.get(reverse("commissions:shop_order", args=[order.pk])).status_code == 404  # not its shop's
    assert inviter_shop.pk and not client.get(reverse("commissions:shop_orders")).context["orders"]


@pytest.mark.parametrize("orders", [1, 5])
def test_the_shop_orders_cost_the_same_queries(
    client, seller, orders, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(orders):
        sold(seller, django_capture_on_commit_callbacks)

    # session, user; reseller, shop; orders, their lines; commissions, decisions; the inbox badge
    with django_assert_max_num_queries(9):
        response = client.get(reverse("commissions:shop_orders"))

    assert len(response.context["orders"]) == orders


# --- the money page: chart and withdrawal quote ---------------------------------------------------


def test_the_chart_has_axes_in_yuan_and_beijing_dates(client, seller, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 12, 4, 17, 0, tzinfo=UTC)):  # 01:00, 12-05, Beijing
        sold(seller, django_capture_on_commit_callbacks)
        response = client.get(reverse("commissions:money"))

    html = response.content.decode()
    labels = re.findall(r'class="y-label"[^>]*>([^<]+)<', html)
    dates = re.findall(r'class="x-label"[^>]*>([^<]+)<', html)
    assert labels == ["¥0.00", "¥25.00", "¥50.00"]  # 35.00 earned: the axis tops at a round ¥50
    assert dates[0] == "11-06" and dates[-1] == "12-05"  # thirty Beijing days, the last today
    bar = next(bar for bar in response.context["chart"]["bars"] if bar["amount"])
    assert bar["day"].isoformat() == "2026-12-05"


def test_the_form_states_the_minimum_and_fee_and_quotes_what_arrives(client, seller):
    CommissionPlan.objects.create(min_withdrawal_amount=5_000, withdrawal_fee_amount=200, withdrawal_fee_bps=100)

    page = text(client.get(reverse("commissions:money")))
    quote = client.get(reverse("commissions:withdrawal_quote"), {"amount": "100"}).json()
    small = client.get(reverse("commissions:withdrawal_quote"), {"amount": "20.5"}).json()

    assert "最低提现 ¥50.00" in page and "手续费 ¥2.00 + 1%" in page
    assert quote == {
        "amount": "100.00",
        "fee": "¥3.00",
        "tax": "¥0.00",
        "arrives": "¥97.00",
        "below_minimum": False,
        "minimum": "¥50.00",
    }
    assert small["below_minimum"] is True and small["fee"] == "¥2.20"


@pytest.mark.parametrize("typed", ["", "abc", "-5", "1.234", "0", "１０"])
def test_a_quote_for_what_is_not_an_amount_is_a_400_with_a_code(client, seller, typed):
    response = client.get(reverse("commissions:withdrawal_quote"), {"amount": typed})

    assert response.status_code == 400 and response.json()["code"].startswith("amount_")


def test_an_amount_sent_back_with_an_error_shows_its_quote(client, seller):
    response = client.post(reverse("commissions:money"), {"amount": "5.00"})  # below the default ¥10.00

    assert response.status_code == 400
    assert response.context["quote"].net_amount == 500 and "实际到账 ¥5.00" in text(response)


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=30, max_size=30))
def test_the_chart_s_axis_holds_every_bar_and_reads_as_a_round_amount(amounts):
    from datetime import date, timedelta

    from commissions.selectors import DayEarnings
    from commissions.views import _chart

    days = [DayEarnings(date(2026, 11, 6) + timedelta(days=n), amount) for n, amount in enumerate(amounts)]

    chart = _chart(days)

    top = chart["ticks"][-1]["amount"]
    assert top >= max(amounts) and top < max(max(amounts), 100) * 2.5 + 1  # room, not a wasted scale
    assert re.fullmatch(r"(1|2|25|5)0*", str(top))  # ¥1, ¥2, ¥2.50, ¥5, ¥10 …
    assert all(
        chart["baseline"] - 0.05 <= bar["y"] + bar["height"] <= chart["baseline"] + 0.05 for bar in chart["bars"]
    )
    assert all(bar["y"] >= chart["top"] - 0.05 for bar in chart["bars"])  # no bar above the axis' top


def test_with_withholding_on_the_form_and_its_quote_show_the_tax_and_what_arrives(client, seller, settings):
    settings.WITHHOLDING_RULE = "flat"
    settings.WITHHOLDING_FLAT_RATE_BPS = 2_000
    CommissionPlan.objects.create(withdrawal_fee_amount=200)

    page = text(client.get(reverse("commissions:money")))
    quote = client.get(reverse("commissions:withdrawal_quote"), {"amount": "100"}).json()
    sent_back = client.post(reverse("commissions:money"), {"amount": "5.00"})

    assert "个税预扣方式 20%" in page
    assert (quote["fee"], quote["tax"], quote["arrives"]) == ("¥2.00", "¥20.00", "¥78.00")
    assert "预扣个税 ¥1.00" in text(sent_back) and "实际到账 ¥2.00" in text(sent_back)


def test_the_statement_shows_the_tax_withheld_on_its_own_line(client, seller, settings):
    settings.WITHHOLDING_RULE = "flat"
    settings.WITHHOLDING_FLAT_RATE_BPS = 2_000
    credit_withdrawable(seller.pk, 10_000, "earned")
    withdrawal = withdrawal_request(reseller=seller, amount=10_000)

    response = client.get(reverse("commissions:statement"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[1:] for row in rows if str(withdrawal.pk) in row[2]] == [
        ["可提现", f"提现 #{withdrawal.pk} 已申请", "-100.00"],
        ["提现处理中", f"提现 #{withdrawal.pk} 已申请", "100.00"],
        ["提现处理中", f"提现 #{withdrawal.pk} 预扣个税", "-20.00"],
    ]
