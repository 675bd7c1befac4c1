"""In Chromium at 390×844: a reseller opens 我的等级 from its workbench and
sees its grade, the next one and a progress bar per condition, in Chinese
and yuan, within the phone's width."""

import re

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from commissions.choices import GradeConditionKind
from commissions.models import Grade, GradeCondition, ResellerGrade
from commissions.services.grades import reseller_grade_evaluate
from conftest import PHONE_VIEWPORT
from distribution.tests.factories import ResellerFactory
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = re.compile(r"\b(?!English\b)[A-Za-z]{3,}\b")


@pytest.fixture
def reseller():
    seller = ResellerFactory(invite_code="G7R4D3", user__nickname="林小美")
    shop, sku = shop_selling(shop=ShopFactory(owner=seller, name="小美的好物分享", slug="xiaomei"), price=12_900)
    entry = Grade.objects.create(name="普通店主", badge="普", colour="#7cb342", rank=1)
    silver = Grade.objects.create(name="银牌店主", badge="银", colour="#9aa5b1", rank=2, tier1_share_bps=3500)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.SALES, threshold=100_000, window_days=30)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.BUYING_CUSTOMERS, threshold=3, window_days=30)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.COMPLETED_ORDERS, threshold=2, window_days=90)
    gold = Grade.objects.create(name="金牌店主", badge="金", colour="#c8a04a", rank=3, tier1_share_bps=4000)
    GradeCondition.objects.create(grade=gold, kind=GradeConditionKind.SALES, threshold=500_000, window_days=30)
    for buyer in (UserFactory(), UserFactory()):
        pay(place(buyer=buyer, shop=shop, sku=sku, quantity=2))
    reseller_grade_evaluate(reseller_id=seller.pk)
    assert ResellerGrade.objects.get(reseller=seller).grade == entry
    return seller


def test_a_reseller_sees_its_grade_progress_on_a_phone(live_server, chromium, reseller, screenshot_dir):
    context = chromium.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(f"{live_server.url}/accounts/log-in/?method=password")
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/my-shop/")
    page.click("#wb-grade")
    page.wait_for_url(f"{live_server.url}/my-shop/grade/")

    main = page.inner_text("main")
    assert "普通店主" in main and "下一等级：银牌店主" in main
    assert "¥516.00 / ¥1,000.00" in main  # own sales in yuan, toward ¥1,000
    assert "2 / 3" in main and "0 / 2" in main
    bars = page.eval_on_selector_all(".grade-bar", "bars => bars.map(bar => bar.getAttribute('aria-valuenow'))")
    assert bars == ["51", "66", "0"]
    assert "传销" in main
    assert not ENGLISH.findall(main), ENGLISH.findall(main)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert not problems, problems
    page.screenshot(path=screenshot_dir / "grade-phone.png", full_page=True)
    context.close()
