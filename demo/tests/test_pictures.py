"""The demo catalogue's pictures: drawn at seed time, the same every time,
one look per product, and accepted by the catalogue's own image checks."""

import io

from PIL import Image

from catalog.images import image_process
from demo.pictures import CATEGORY_LOOKS, demo_product_image
from demo.world import SUPPLIERS

PRODUCTS = [(title, category) for _staff, products in SUPPLIERS.values() for title, category, *_rest in products]


def test_the_same_product_gets_the_same_picture():
    assert demo_product_image("高原蜂蜜 500g", "food") == demo_product_image("高原蜂蜜 500g", "food")


def test_every_demo_product_looks_different_and_passes_the_catalogue_s_checks():
    pictures = [demo_product_image(title, category) for title, category in PRODUCTS]

    assert len(set(pictures)) == len(PRODUCTS)
    for picture in pictures:
        processed = image_process(picture)  # what product_image_add validates and stores
        assert processed.extension in ("jpg", "jpeg") and processed.thumbnail


def test_a_picture_is_a_product_shot_not_a_flat_card():
    image = Image.open(io.BytesIO(demo_product_image("香薰蜡烛", "home"))).convert("RGB")

    assert image.size == (800, 800)
    backdrop = image.getpixel((400, 20))
    middle = [image.getpixel((400, y)) for y in range(250, 560, 10)]
    assert any(sum(abs(a - b) for a, b in zip(pixel, backdrop, strict=True)) > 60 for pixel in middle)  # a shape
    assert image.getpixel((5, 760)) == (255, 255, 255)  # the title's white band
    badge = CATEGORY_LOOKS["home"][2]
    corner = image.getpixel((40, 45))
    assert sum(abs(a - b) for a, b in zip(corner, badge, strict=True)) < 40  # the category's badge
