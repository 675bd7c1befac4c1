"""Share posters: a phone-sized PNG whose QR code opens the share link."""

import io

import pytest
import zxingcpp
from django.core.files.storage import default_storage
from PIL import Image

from catalog.services import product_image_add
from catalog.tests.factories import image_bytes
from shops.posters import HEIGHT, WIDTH, poster_render, product_poster_content
from shops.selectors import product_card, shop_picks_visible
from shops.services import shop_pick_set_prices, shop_update
from socialshop import fonts

from .factories import ShopFactory, ShopProductFactory

pytestmark = pytest.mark.django_db


def decoded_qr(png: bytes) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.fixture
def pick():
    shop = ShopFactory(name="小美的好物分享", intro="只卖自己用过的好东西。")
    shop_update(shop=shop, name=shop.name, intro=shop.intro, avatar=image_bytes(color=(240, 120, 160)))
    pick = ShopProductFactory(shop=shop, product__title="真丝印花连衣裙 夏季通勤款")
    product_image_add(product=pick.product, data=image_bytes(size=(800, 800), color=(90, 140, 200)))
    return pick


def test_a_product_poster_is_a_phone_sized_png_whose_qr_opens_the_share_link(client, pick):
    shop = pick.shop

    response = client.get(f"/s/{shop.slug}/p/{pick.product_id}/poster.png")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    poster = Image.open(io.BytesIO(response.content))
    assert poster.format == "PNG" and poster.size == (WIDTH, HEIGHT) == (750, 1334)
    # ch=poster: the funnel tells a poster's visitors from a link's (docs/growth.md)
    link = f"http://testserver/s/{shop.slug}/p/{pick.product_id}/?ref={shop.owner.invite_code}&ch=poster"
    assert decoded_qr(response.content) == [link]


def test_a_shop_poster_qr_opens_the_shop_link(client, pick):
    shop = pick.shop

    response = client.get(f"/s/{shop.slug}/poster.png")

    assert Image.open(io.BytesIO(response.content)).size == (750, 1334)
    assert decoded_qr(response.content) == [f"http://testserver/s/{shop.slug}/?ref={shop.owner.invite_code}&ch=poster"]


def _posters(shop) -> list[str]:
    return sorted(default_storage.listdir(f"posters/{shop.pk}")[1])


def test_a_poster_is_drawn_once_and_served_from_the_cache(client, pick):
    url = f"/s/{pick.shop.slug}/p/{pick.product_id}/poster.png"
    first = client.get(url)
    stored = _posters(pick.shop)

    second = client.get(url)

    assert _posters(pick.shop) == stored and len(stored) == 1
    assert second.content == first.content and second["ETag"] == first["ETag"]


def test_a_new_price_makes_a_new_poster_and_drops_the_old_one(client, pick):
    url = f"/s/{pick.shop.slug}/p/{pick.product_id}/poster.png"
    before = client.get(url)
    old_files = _posters(pick.shop)

    shop_pick_set_prices(pick=pick, prices={pick.product.skus.get().pk: 15800})
    after = client.get(url)

    assert after["ETag"] != before["ETag"]
    new_files = _posters(pick.shop)
    assert len(new_files) == 1 and new_files != old_files


def test_chinese_and_english_visitors_do_not_evict_each_others_poster(client, pick):
    url = f"/s/{pick.shop.slug}/p/{pick.product_id}/poster.png"
    client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    both = _posters(pick.shop)

    for language in ("zh-hans", "en", "zh-hans", "en"):
        client.get(url, HTTP_ACCEPT_LANGUAGE=language)

    assert len(both) == 2 and _posters(pick.shop) == both  # served from the cache, nothing redrawn


def test_a_new_title_makes_a_new_poster(client, pick):
    url = f"/s/{pick.shop.slug}/p/{pick.product_id}/poster.png"
    before = client.get(url)["ETag"]

    pick.product.title = "改了名字的连衣裙"
    pick.product.save()

    assert client.get(url)["ETag"] != before


def test_without_a_cjk_font_the_poster_still_renders_and_the_log_says_why(pick, monkeypatch, caplog, rf):
    fonts.cjk_font_path.cache_clear()
    monkeypatch.setattr(fonts, "KNOWN_CJK_FONTS", [])
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    card = product_card(shop_picks_visible(shop=pick.shop).get())
    try:
        png = poster_render(product_poster_content(shop=pick.shop, card=card, link="http://testserver/s/x/?ref=ABC234"))
    finally:
        fonts.cjk_font_path.cache_clear()

    assert Image.open(io.BytesIO(png)).size == (750, 1334)
    assert decoded_qr(png) == ["http://testserver/s/x/?ref=ABC234"]
    assert "no CJK font found" in caplog.text
