"""A group's share poster (保存海报): the shops' poster drawing with the
group's product, prices and seats, and a QR code that opens the group."""

import io

import pytest
import zxingcpp
from django.core.files.storage import default_storage
from PIL import Image

from catalog.services import product_image_add
from catalog.tests.factories import image_bytes
from groupbuy.posters import group_poster_content
from groupbuy.selectors import group_view
from shops.posters import HEIGHT, WIDTH

from .factories import a_campaign, joined, opened
from .test_services import pay

pytestmark = pytest.mark.django_db


def decoded_qr(png: bytes) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.fixture
def leader():
    campaign = a_campaign(size=3, group_price=8000)
    product_image_add(product=campaign.product, data=image_bytes(size=(800, 800), color=(90, 140, 200)))
    return opened(campaign)


def test_the_poster_is_a_phone_sized_png_whose_qr_opens_the_group(client, leader):
    response = client.get(f"/group-buying/{leader.group_id}/poster.png")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"]
    poster = Image.open(io.BytesIO(response.content))
    assert poster.format == "PNG" and poster.size == (WIDTH, HEIGHT)
    assert decoded_qr(response.content) == [f"http://testserver/group-buying/{leader.group_id}/"]


def test_the_poster_says_the_group_price_beside_the_list_price_and_the_seats_left_in_chinese(leader, rf):
    content = group_poster_content(view=group_view(group_id=leader.group_id), link="http://testserver/g/")

    item = content.items[0]
    assert (item.price_text, item.list_price_text) == ("拼团价 ¥80.00", "¥100.00")
    assert content.badge == "3人团 · 还差3人"
    assert content.tagline == "和我一起拼团，一起省钱" and content.scan_hint == "长按识别二维码"


def test_anyone_with_the_link_gets_it_and_a_paid_seat_makes_a_new_one(client, leader):
    url = f"/group-buying/{leader.group_id}/poster.png"
    before = client.get(url)  # anonymous: the group page is public, so is its poster
    assert client.get(url)["ETag"] == before["ETag"]  # drawn once, served from storage

    pay(leader.order)
    after = client.get(url)

    assert after.status_code == 200 and after["ETag"] != before["ETag"]  # "还差2人" now
    assert len(default_storage.listdir(f"posters/groups/{leader.group_id}")[1]) == 1  # the stale one is gone


def test_an_unknown_group_has_no_poster(client):
    assert client.get("/group-buying/999999/poster.png").status_code == 404


def test_the_group_page_links_the_poster(client, leader):
    joined(leader.group_id)
    page = client.get(f"/group-buying/{leader.group_id}/").content.decode()
    assert f'href="/group-buying/{leader.group_id}/poster.png"' in page and "保存海报" in page
