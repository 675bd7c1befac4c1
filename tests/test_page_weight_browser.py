"""The shop page and the product page stay light on a phone (issue 13):
their HTML, CSS and JavaScript together (everything the browser fetched but
pictures and fonts, uncompressed) weigh under 60 KB, and every picture is
sized (width and height, so nothing jumps as it loads) and lazy-loaded but
the first, which is above the fold.

Measured from the responses a real headless Chromium received."""

import gzip

import pytest

from tests.pages_world import shop_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 60 * 1024
COUNTED = {"document", "stylesheet", "script", "xhr", "fetch"}

# Pages being rebuilt on another branch as this test landed (issue 13); the lead empties
# this after the merge. A page named here must really fail, so a fix cannot hide.
KNOWN_BROKEN: dict[str, str] = {}

IMAGES = """() => [...document.querySelectorAll('main img, body > img, .page img')].map(image => ({
  src: image.getAttribute('src'),
  loading: image.getAttribute('loading'),
  width: image.getAttribute('width'),
  height: image.getAttribute('height'),
}))"""


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, locale="zh-CN"
    )
    yield context.new_page()
    context.close()


def _weigh(page, url: str) -> tuple[int, int, list[str]]:
    """(bytes, gzip bytes, what was counted) of ``url``'s HTML, CSS and JS."""
    responses = []

    def heard(response):
        responses.append(response)

    page.on("response", heard)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("response", heard)
    total = compressed = 0
    counted = []
    for response in responses:
        if response.request.resource_type in COUNTED and response.status == 200:
            body = response.body()
            total += len(body)
            compressed += len(gzip.compress(body))
            counted.append(f"{response.url} {len(body)} B")
    return total, compressed, counted


@pytest.mark.parametrize("page_name", ["shop", "product"])
def test_a_shop_page_is_light_and_its_pictures_lazy_and_sized(live_server, phone, page_name, capsys):
    shop, products = shop_world(products=12, skus_per_product=4, pictures_per_product=3)
    path = f"/s/{shop.slug}/" if page_name == "shop" else f"/s/{shop.slug}/p/{products[0].pk}/"

    total, compressed, counted = _weigh(phone, live_server.url + path)
    images = phone.evaluate(IMAGES)

    with capsys.disabled():
        print(f"\n{page_name} page: {total / 1024:.1f} KB of HTML+CSS+JS ({compressed / 1024:.1f} KB gzipped)")  # noqa: T201 - the figure, for people
    problems = []
    if total >= BUDGET_BYTES:
        problems.append(f"{total} B over the budget: " + "; ".join(counted))
    if not images:
        problems.append("no pictures: the page shows the products' pictures")
    unsized = [image["src"] for image in images if not (image["width"] and image["height"])]
    if unsized:
        problems.append(f"pictures without width and height: {unsized}")
    eager = [image["src"] for image in images[1:] if image["loading"] != "lazy"]
    if eager:
        problems.append(f"pictures below the first not lazy-loaded: {eager}")
    if page_name in KNOWN_BROKEN:
        assert problems, f"the {page_name} page passes now: remove it from KNOWN_BROKEN"
    else:
        assert problems == []
