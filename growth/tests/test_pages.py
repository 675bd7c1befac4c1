"""The customer book, reminders on the workbench, the reseller's numbers and
the operators' dashboard: what a person sees, what it may not see, bad input
refused, and a constant number of queries per page."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from distribution.choices import BindingSource
from distribution.models import Binding
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from growth.models import CustomerNote, RankingOptIn, Reminder
from growth.selectors import resellers_active_and_top
from growth.services import REMINDER_DUE_EVENT, reminders_notify
from growth.stats import stats_recompute
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory
from socialshop.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def seller(client):
    seller = ResellerFactory(invite_code="M8N3P5", user__nickname="林小美")
    seller.shop_, seller.sku_ = shop_selling(shop=ShopFactory(owner=seller, slug="xiaomei"), price=12_000)
    client.force_login(seller.user)
    return seller


def customer_of(seller, *, nickname="王大锤", phone=None, orders=0, bound_days_ago=0):
    user = UserFactory(nickname=nickname, **({"phone": phone} if phone else {}))
    binding_touch(
        customer=user,
        reseller=seller,
        source=BindingSource.LINK,
        at=timezone.now() - timedelta(days=bound_days_ago),
    )
    for _ in range(orders):
        pay(place(buyer=user, shop=seller.shop_, sku=seller.sku_))
    return user


# --- the customer book --------------------------------------------------------------------


def test_the_book_shows_bound_customers_masked_with_their_orders_through_this_reseller(client, seller):
    customer_of(seller, nickname="王大锤", phone="13912345678", orders=2)
    customer_of(ResellerFactory(), nickname="别人的")  # another's customer

    page = client.get("/my-shop/customers/")

    body = text(page)
    assert page.status_code == 200
    assert "王**" in body and "139****5678" in body
    assert "王大锤" not in body and "13912345678" not in body  # never the full name or number
    assert "别**" not in body
    row = page.context["rows"][0]
    assert (row.order_count, row.spend_amount) == (2, 24_000)
    assert "¥240.00" in body


def test_filters_and_search_pick_the_customers_they_say(client, seller):
    old = customer_of(seller, nickname="老客户", orders=1, bound_days_ago=20)
    new = customer_of(seller, nickname="新朋友")
    CustomerNote.objects.create(reseller=seller, customer=new, tags="宝妈")

    def names(query):
        return [row.customer_id for row in client.get("/my-shop/customers/?" + query).context["rows"]]

    assert names("view=new") == [new.pk]
    assert names("view=top") == [old.pk]
    assert names("q=宝妈") == [new.pk]
    assert names("q=" + old.phone[-4:]) == [old.pk]
    assert names("view=lapsed") == []  # bought today
    assert names("view=expiring") == []  # 30-day lifetime, bound 20 days ago: 10 left
    long_ago = timezone.now() - timedelta(days=25)
    Binding.objects.filter(customer=old).update(bound_at=long_ago, touched_at=long_ago)
    assert names("view=expiring") == [old.pk]
    assert set(names("view=nonsense")) == {old.pk, new.pk}  # an unknown filter shows everyone


def test_the_book_costs_the_same_queries_for_one_customer_or_many(client, seller, django_assert_max_num_queries):
    customer_of(seller, orders=1)
    with django_assert_max_num_queries(8) as one:
        client.get("/my-shop/customers/?view=top")
    for n in range(6):
        customer_of(seller, nickname=f"客户{n}", orders=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/my-shop/customers/?view=top")


def test_a_reseller_tags_a_customer_and_a_reminder_due_today_shows_on_the_workbench(client, seller):
    customer = customer_of(seller, nickname="王大锤")

    saved = client.post(f"/my-shop/customers/{customer.pk}/", {"tags": "宝妈，老客 宝妈", "note": "喜欢坚果"})
    added = client.post(
        f"/my-shop/customers/{customer.pk}/reminders/",
        {"due_on": timezone.localdate().isoformat(), "text": "问问坚果吃完没有"},
    )

    assert saved.status_code == added.status_code == 302
    assert CustomerNote.objects.get(customer=customer).tags == "宝妈,老客"
    workbench = text(client.get("/my-shop/"))
    assert "今日跟进" in workbench and "问问坚果吃完没有" in workbench
    reminder = Reminder.objects.get()
    client.post(f"/my-shop/reminders/{reminder.pk}/done/", {"next": "/my-shop/"})
    assert "问问坚果吃完没有" not in text(client.get("/my-shop/"))


def test_a_reminder_in_the_past_or_for_someone_else_s_customer_is_refused(client, seller):
    customer = customer_of(seller)
    stranger = customer_of(ResellerFactory())

    past = client.post(
        f"/my-shop/customers/{customer.pk}/reminders/",
        {"due_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "text": "x"},
    )
    other = client.post(
        f"/my-shop/customers/{stranger.pk}/reminders/", {"due_on": timezone.localdate().isoformat(), "text": "x"}
    )
    peek = client.get(f"/my-shop/customers/{stranger.pk}/")

    assert past.status_code == 400 and "一年" in text(past)
    assert other.status_code == peek.status_code == 404
    assert not Reminder.objects.exists()


def test_a_due_reminder_is_announced_once(seller):
    customer = customer_of(seller, nickname="王大锤")
    Reminder.objects.create(reseller=seller, customer=customer, due_on=timezone.localdate(), text="回访")
    Reminder.objects.create(
        reseller=seller, customer=customer, due_on=timezone.localdate() + timedelta(days=2), text="以后"
    )

    assert reminders_notify() == 1
    assert reminders_notify() == 0
    event = Event.objects.get(type=REMINDER_DUE_EVENT)
    assert event.payload["user_id"] == seller.user_id
    assert event.payload["customer"] == "王**" and event.payload["text"] == "回访"


# --- the numbers ------------------------------------------------------------------------------


# session, user, reseller; funnel, two rankings (PeriodRank), sales by day, channels, products and their titles,
# the opt-in, the unread messages' badge
NUMBERS_QUERIES = 12


def test_the_numbers_page_costs_the_same_queries_whatever_the_business(client, seller, django_assert_max_num_queries):
    today = timezone.localdate()
    customer_of(seller, orders=1)
    stats_recompute(first=today, last=today)
    with django_assert_max_num_queries(NUMBERS_QUERIES) as few:
        client.get("/my-shop/numbers/?days=90")
    for n in range(5):  # more customers, orders and peers
        customer_of(seller, nickname=f"客户{n}", orders=2)
        rival = ResellerFactory()
        rival_shop, rival_sku = shop_selling(shop=ShopFactory(owner=rival), price=20_000)
        pay(place(shop=rival_shop, sku=rival_sku))
    stats_recompute(first=today, last=today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/my-shop/numbers/?days=90")
    assert page.context["my_sales_rank"] == 1 and len(page.context["by_sales"]) == 6


def test_the_numbers_page_shows_the_funnel_and_a_masked_ranking_for_those_who_opted_in(
    client, seller, django_assert_max_num_queries
):
    customer_of(seller, orders=2)
    rival = ResellerFactory(user__nickname="张三丰")
    rival_shop, rival_sku = shop_selling(shop=ShopFactory(owner=rival), price=20_000)
    pay(place(shop=rival_shop, sku=rival_sku))
    today = timezone.localdate()
    stats_recompute(first=today, last=today)

    with django_assert_max_num_queries(NUMBERS_QUERIES):
        page = client.get("/my-shop/numbers/?days=7")

    assert page.status_code == 200
    assert page.context["figures"].orders == 2 and page.context["figures"].new_bindings == 1
    assert page.context["my_sales_rank"] == 1  # 240.00 against 200.00
    from growth.selectors import ranking

    assert ranking(reseller_id=rival.pk, days=7, by="sales_amount", limit=1)[1] == 2  # off the list
    assert "张**" not in text(page)  # not opted in: anonymous
    RankingOptIn.objects.create(reseller=rival)
    assert "张**" in text(client.get("/my-shop/numbers/"))
    assert "张三丰" not in text(client.get("/my-shop/numbers/"))


# --- the operators' dashboard ----------------------------------------------------------------

# the figures (14 at most: the ranked path reads 4 for active and top resellers); the session (read, user,
# saved); the device's session row, read and written once after a log-in (accounts' sessions list); the admin's
# menu asks whether the coupon settings row exists (its add link)
DASHBOARD_QUERIES = 26


def test_the_dashboard_is_for_staff_and_exports_its_figures(client, seller, django_assert_max_num_queries):
    customer_of(seller, orders=1)
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())

    assert client.get("/ops/").status_code == 302  # a reseller is sent to the admin's log-in
    client.force_login(OperatorFactory())
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        page = client.get("/ops/")
    export = client.get("/ops/export.csv")
    bad = client.get("/ops/?first=2026-12-01&last=2026-11-01")

    assert page.status_code == 200
    assert page.context["board"].gmv_amount == 12_000 and page.context["board"].paid_orders == 1
    assert "¥120.00" in text(page)
    body = b"".join(export.streaming_content).decode()
    assert export["Content-Type"].startswith("text/csv") and "120.00" in body
    assert bad.status_code == 400 and bad.context["board"] is None


def test_the_excel_export_holds_the_figures_and_no_formula(client, seller):
    seller.sku_.product.title = '=HYPERLINK("http://evil.example","点我")'
    seller.sku_.product.save(update_fields=["title"])
    customer_of(seller, orders=1)
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())
    client.force_login(OperatorFactory())

    response = client.get("/ops/export.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert response.status_code == 200
    assert 120 in cells  # the GMV, a number the spreadsheet can add up
    assert '\'=HYPERLINK("http://evil.example","点我")' in cells  # text, not a formula
    assert client.get("/ops/export.xlsx?first=x").status_code == 400


@pytest.mark.parametrize("days", [7, 30, 90, 12])
def test_active_and_top_resellers_from_the_ranking_equal_those_from_the_daily_totals(seller, days):
    today = timezone.localdate()
    customer_of(seller, orders=2)
    for n in range(12):  # more peers than the top ten, some with sales, some only visited
        rival = ResellerFactory()
        if n % 3:
            rival_shop, rival_sku = shop_selling(shop=ShopFactory(owner=rival), price=10_000 + 1_000 * (n % 5))
            pay(place(shop=rival_shop, sku=rival_sku))
        else:
            binding_touch(customer=UserFactory(), reseller=rival, source=BindingSource.POSTER)
    stats_recompute(first=today - timedelta(days=3), last=today)
    first = today - timedelta(days=days - 1)

    ranked = resellers_active_and_top(first=first, last=today, today=today)
    scanned = resellers_active_and_top(first=first, last=today, today=today, ranked=False)

    assert ranked == scanned
    assert ranked[0] == 13 and len(ranked[1]) == 9  # 12 peers and the seller; 8 peers and the seller sold


def test_the_dashboard_costs_the_same_queries_whatever_the_business(client, seller, django_assert_max_num_queries):
    client.force_login(OperatorFactory())
    customer_of(seller, orders=1)
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as few:
        client.get("/ops/")
    for n in range(4):
        customer_of(seller, nickname=f"客户{n}", orders=2)
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/ops/")
