"""A reseller, in a real headless Chromium, opens a shop, picks two products,
sets a price, and the public shop on a phone shows both at the shop's prices.
Screenshots of each step go to artifacts/screenshots/ (git-ignored)."""

import re
from pathlib import Path

import pytest

from accounts.tests.factories import PASSWORD
from catalog.services import product_image_add
from catalog.tests.factories import SkuFactory, image_bytes
from distribution.tests.factories import ResellerFactory
from shops.models import Shop, ShopProduct
from shops.services import shop_pick_set_prices
from shops.tests.factories import ShopProductFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}  # an iPhone 12-14 screen, in CSS pixels
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def product_with_picture(title: str, list_price: int, color: tuple[int, int, int]):
    sku = SkuFactory(
        product__title=title,
        list_price_amount=list_price,
        min_resale_amount=list_price - 1000,
        cost_amount=list_price - 2000,
        max_resale_amount=list_price * 2,
    )
    product_image_add(product=sku.product, data=image_bytes(size=(400, 400), color=color))
    return sku


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_reseller_opens_a_shop_picks_two_products_and_sets_a_price(browser, live_server):
    reseller = ResellerFactory()
    honey = product_with_picture("高原蜂蜜 500g", 6800, (242, 196, 92))
    tea = product_with_picture("云南古树普洱茶饼", 19800, (120, 150, 90))
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()

    # log in, and land on the form that opens a shop
    page.goto(f"{live_server.url}/accounts/log-in/?method=password&next=/my-shop/")
    page.fill("input[name=username]", reseller.user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/my-shop/open/$"))
    shot(page, "1-open-shop-form")

    # open the shop
    page.fill("input[name=name]", "小美的好物分享")
    page.fill("input[name=slug]", "xiaomei")
    page.fill("textarea[name=intro]", "只卖自己用过的好东西。")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/my-shop/products/$"))  # an open shop's products, empty: pick some
    shop = Shop.objects.get(owner=reseller)
    assert shop.slug == "xiaomei"

    # pick two products from the catalogue
    page.click("a[href='/my-shop/catalogue/']")
    shot(page, "2-catalogue")
    for sku in (honey, tea):
        page.click(f"li[data-product='{sku.product_id}'] button[type=submit]")
        page.wait_for_load_state()
    assert set(ShopProduct.objects.filter(shop=shop).values_list("product_id", flat=True)) == {
        honey.product_id,
        tea.product_id,
    }

    # set its own price for the tea
    pick = ShopProduct.objects.get(shop=shop, product_id=tea.product_id)
    page.goto(f"{live_server.url}/my-shop/products/")
    page.click(f"#pick-{pick.pk} a[href='/my-shop/picks/{pick.pk}/']")
    page.fill(f"input[name=sku_{tea.pk}]", "228.00")
    shot(page, "3-set-price")
    page.click("form.pick-form button[type=submit]")
    page.wait_for_url(re.compile(r"/my-shop/products/$"))
    shot(page, "4-my-shop")

    # a visitor on a phone opens the public shop: both products, at the shop's prices
    visitor = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN")
    public = visitor.new_page()
    public.goto(f"{live_server.url}/s/xiaomei/?ref={reseller.invite_code}")
    cards = public.locator(".product-card")
    assert cards.count() == 2
    text = {card.get_attribute("data-product"): card.inner_text() for card in cards.all()}
    assert "高原蜂蜜 500g" in text[str(honey.product_id)] and "¥68.00" in text[str(honey.product_id)]
    assert "云南古树普洱茶饼" in text[str(tea.product_id)] and "¥228.00" in text[str(tea.product_id)]
    assert public.locator(".product-card img").first.evaluate("img => img.naturalWidth") > 0
    shot(public, "5-public-shop-phone")

    # the product page's SKU picker shows the shop's price, without JavaScript needed
    public.click(f".product-card[data-product='{tea.product_id}'] a")
    assert public.locator("#price").inner_text() == "¥228.00"
    shot(public, "6-product-page-phone")
    visitor.close()
    context.close()


def test_the_price_and_stock_hint_follow_the_option_chosen_and_the_cart_gets_it(browser, live_server):
    from playwright.sync_api import expect

    pick = ShopProductFactory(product__title="真丝印花连衣裙", with_sku=False)
    blue = SkuFactory(
        product=pick.product,
        spec={"颜色": "雾蓝", "尺码": "S"},
        list_price_amount=29900,
        max_resale_amount=40000,
        stock=50,
    )
    SkuFactory(
        product=pick.product,
        spec={"颜色": "杏色", "尺码": "M"},
        list_price_amount=29900,
        max_resale_amount=40000,
        stock=3,
    )
    shop_pick_set_prices(pick=pick, prices={blue.pk: 30900})
    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{pick.shop.slug}/p/{pick.product_id}/")
    assert page.inner_text("#price") == "¥309.00"

    page.click("[data-open-sheet]")  # the options are in the SKU sheet (选择规格)
    page.locator(".sku-option", has_text="杏色").click()

    expect(page.locator("#price")).to_have_text("¥299.00")
    expect(page.locator("#stock-hint")).to_have_text("仅剩 3 件")
    shot(page, "product-option-chosen")
    page.locator(".sku-option", has_text="雾蓝").click()
    expect(page.locator("#price")).to_have_text("¥309.00")
    expect(page.locator("#stock-hint")).to_have_text("有货")

    # the cart gets the option shown, at the price shown
    page.locator(".sku-option", has_text="杏色").click()
    page.click("#buy button[value=cart]")
    page.wait_for_url("**/cart/")
    assert "杏色" in page.inner_text("main") and page.inner_text("#cart-total").strip().endswith("¥299.00")
    page.go_back()  # the browser may bring back the option chosen: the price shown is that option's
    expect(page.locator("#price")).to_have_text(page.locator("input[name=sku]:checked").get_attribute("data-price"))
    assert page.get_by_text("查看此规格").count() == 0  # the old button that reloaded the page for an option
    phone.close()
