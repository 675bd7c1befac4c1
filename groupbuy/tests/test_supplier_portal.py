"""The supplier portal's group-buying page: a supplier proposes campaigns
for its own SKUs (``campaign_create(supplier=…)``, pending until an operator
approves) and follows them as 待审核 / 已通过 / 已拒绝. Another supplier's
SKU, a price below cost or above the list price, or a bad size are form
errors, and nothing is written. Also on a 390×844 phone in Chromium."""

from datetime import date, timedelta

import pytest

from accounts.tests.factories import PASSWORD, OperatorFactory, UserFactory
from catalog.tests.factories import SkuFactory, SupplierStaffFactory
from conftest import PHONE_VIEWPORT
from groupbuy.choices import CampaignStatus
from groupbuy.models import Campaign
from groupbuy.services import campaign_decide

pytestmark = pytest.mark.django_db

URL = "/supplier/group-buying/"


@pytest.fixture
def staff():
    return SupplierStaffFactory()


@pytest.fixture
def own_sku(staff):
    return SkuFactory(product__supplier=staff.supplier, product__title="云南高山冰糖橙 5 斤")


def _proposal(sku, **overrides):
    today = date.today()
    return {
        "sku": str(sku.pk),
        "title": "冰糖橙三人团",
        "group_price": "79.90",
        "leader_price": "69.90",
        "group_size": "3",
        "fill_hours": "24",
        "per_person_limit": "2",
        "coupons_apply": "on",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=6)).isoformat(),
        **overrides,
    }


def test_a_supplier_proposes_a_campaign_for_its_own_sku_and_it_waits_for_review(client, staff, own_sku):
    client.force_login(staff.user)

    response = client.post(URL, _proposal(own_sku))

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.PENDING and campaign.supplier == staff.supplier
    assert (campaign.group_size, campaign.per_person_limit, campaign.coupons_apply) == (3, 2, True)
    assert campaign.fill_within == timedelta(hours=24)
    priced = campaign.skus.get()
    assert (priced.sku_id, priced.group_price_amount, priced.leader_price_amount) == (own_sku.pk, 7990, 6990)
    page = client.get(URL).content.decode()
    assert "冰糖橙三人团" in page and "待审核" in page and "¥79.90" in page
    last_day = (date.today() + timedelta(days=6)).isoformat()
    assert f"{date.today().isoformat()} – {last_day}" in page  # the last day as typed, inclusive


def test_the_list_says_approved_and_rejected_in_chinese(client, staff, own_sku):
    client.force_login(staff.user)
    client.post(URL, _proposal(own_sku, title="第一个"))
    client.post(URL, _proposal(own_sku, title="第二个"))
    first, second = Campaign.objects.order_by("pk")
    operator = OperatorFactory()
    campaign_decide(campaign_id=first.pk, by=operator, approve=True)
    campaign_decide(campaign_id=second.pk, by=operator, approve=False, note="价格太高")

    page = client.get(URL).content.decode()

    assert "已通过" in page and "已拒绝" in page and "待审核" not in page
    assert f'href="/group-buying/campaigns/{first.pk}/"' in page  # an approved one links to its page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"group_price": "49.99"}, "group_price"),  # below the cost (50.00)
        ({"group_price": "100.01"}, "group_price"),  # above the list price
        ({"leader_price": "40.00"}, "leader_price"),  # the leader's below the cost
        ({"leader_price": "85.00"}, "leader_price"),  # the leader's above the group price
        ({"group_size": "51"}, "group_size"),
        ({"group_price": "七十"}, "group_price"),
        ({"fill_hours": "0"}, "fill_hours"),
    ],
)
def test_a_proposal_out_of_bounds_is_a_form_error_and_nothing_is_written(client, staff, own_sku, overrides, field):
    client.force_login(staff.user)

    response = client.post(URL, _proposal(own_sku, **overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Campaign.objects.exists()


def test_another_suppliers_sku_is_not_a_choice(client, staff, own_sku):
    other = SkuFactory()  # another supplier's
    client.force_login(staff.user)

    response = client.post(URL, _proposal(other))

    assert response.status_code == 400 and response.context["form"].errors["sku"]
    assert not Campaign.objects.exists()
    assert str(other.pk) not in [value for value, _label in response.context["form"].fields["sku"].choices]


def test_a_supplier_sees_only_its_own_proposals(client, staff, own_sku):
    someone = SupplierStaffFactory()
    theirs = SkuFactory(product__supplier=someone.supplier)
    client.force_login(someone.user)
    client.post(URL, _proposal(theirs, title="别人的活动"))

    client.force_login(staff.user)
    page = client.get(URL).content.decode()

    assert "别人的活动" not in page and "暂无" in page


@pytest.mark.parametrize("who", ["anonymous", "buyer"])
def test_only_supplier_staff_reach_the_page(client, own_sku, who):
    if who == "buyer":
        client.force_login(UserFactory())
    response = client.post(URL, _proposal(own_sku))
    assert response.status_code in (302, 403) and not Campaign.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_supplier_proposes_on_a_phone(live_server, chromium, staff, own_sku, screenshot_dir):
    context = chromium.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/log-in/?next={URL}")
    page.click("#log-in-with-password")
    page.fill("input[name=username]", staff.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{URL}")
    assert "拼团" in page.inner_text(".portal-tabs a.current")

    form = page.locator("#proposal-form")
    form.locator("select[name=sku]").select_option(str(own_sku.pk))
    form.locator("input[name=title]").fill("冰糖橙三人团")
    form.locator("input[name=group_price]").fill("45.00")  # below the cost: refused on the field
    form.locator("input[name=group_size]").fill("3")
    today = date.today()
    form.locator("input[name=starts_on]").fill(today.isoformat())
    form.locator("input[name=ends_on]").fill((today + timedelta(days=6)).isoformat())
    page.click("#proposal-submit")
    page.wait_for_selector(".field-group_price .errorlist")
    assert "成本" in page.inner_text(".field-group_price .errorlist")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    page.screenshot(path=screenshot_dir / "groupbuy-supplier-proposal-refused.png", full_page=True)
    assert not Campaign.objects.exists()
    assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    errors.clear()  # the refused form answers 400, as every refused form does

    page.locator("#proposal-form input[name=group_price]").fill("79.90")
    page.click("#proposal-submit")
    page.wait_for_selector("#proposals tr[data-status=pending]")
    assert "待审核" in page.inner_text("#proposals") and "¥79.90" in page.inner_text("#proposals")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    page.screenshot(path=screenshot_dir / "groupbuy-supplier-proposals.png", full_page=True)
    assert Campaign.objects.get().status == CampaignStatus.PENDING
    assert errors == []
    context.close()
