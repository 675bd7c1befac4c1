"""Tax withheld, as a reseller sees it on a 390×844 phone: the money page's
form states the rule, quotes 预扣个税 and 实际到账 as the amount is typed (the
server's figures), and the withdrawal it sends shows what was withheld and
what arrives. The page fits the phone, shows no English and logs no error."""

import pytest
from django.db import connections

from accounts.tests.factories import PASSWORD
from commissions.models import CommissionPlan, Withdrawal
from commissions.tests.factories import credit_withdrawable
from distribution.tests.factories import ResellerFactory
from shops.tests.factories import ShopFactory

from .test_reseller_journey_browser import looks_right, phone_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reseller_sees_the_tax_withheld_before_and_after_asking(live_server, chromium, settings, screenshot_dir):
    from playwright.sync_api import expect

    settings.WITHHOLDING_RULE = "labour"
    CommissionPlan.objects.create(withdrawal_fee_amount=200)
    reseller = ResellerFactory(user__nickname="林小美")
    ShopFactory(owner=reseller, name="小美的好物分享", slug="xiaomei")
    credit_withdrawable(reseller.pk, 1_000_000, "earned")  # ¥10,000.00
    context, page = phone_context(chromium)

    page.goto(f"{live_server.url}/accounts/log-in/")
    page.click("#log-in-with-password")
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my-shop/")
    page.goto(f"{live_server.url}/money/")
    assert "按劳务报酬预扣率表，当月累计计算" in page.inner_text(".withdraw-terms")

    page.fill("input[name=amount]", "3000")  # (3000 − 800) × 20 % = ¥440 withheld, ¥2 fee
    expect(page.locator("#quote-tax")).to_have_text("¥440.00")
    expect(page.locator("#quote-arrives")).to_have_text("¥2,558.00")
    looks_right(page, screenshot_dir, "withholding-1-quote")

    page.click("form.withdraw-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/money/")
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.tax_amount, withdrawal.net_amount) == (44_000, 255_800)
    history = page.locator("section", has=page.locator("h2:text-is('提现记录')")).inner_text()
    assert "预扣个税 ¥440.00" in history and "实际到账 ¥2,558.00" in history
    looks_right(page, screenshot_dir, "withholding-2-asked")
    context.close()
    connections.close_all()
