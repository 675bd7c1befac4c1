"""Pictures for the demo catalogue that look like products: drawn with Pillow
at seed time, so the repository ships no photos and screenshots still show a
credible shop.

Each picture is a studio shot in miniature: a soft backdrop in the
category's colours, a floor shadow, the product's shape (a dress, a T-shirt,
a scarf, a tea cake, a gift box of mushrooms, a honey jar, a face-mask
sachet, a tube of cleanser, a candle; a category's own shape for any other
title), a corner badge with the category's Chinese name and the title in
Chinese along the bottom, in the CJK font the project finds
(``socialshop.fonts``). Deterministic (colours come from the title's hash,
never from a random source) and quick: about 10 ms a picture.
"""

import colorsys
import functools
import hashlib
import io
import math
from collections.abc import Callable

from PIL import Image, ImageDraw

from socialshop.fonts import cjk_font as _cjk_font

SIZE = 800
SCALE = 2  # drawn at twice the size and scaled down: smooth edges without anti-aliasing primitives

# category slug → (its Chinese name on the badge, backdrop hue, badge colour)
CATEGORY_LOOKS = {
    "apparel": ("服饰", 0.95, (196, 61, 92)),
    "beauty": ("美妆", 0.88, (176, 82, 160)),
    "food": ("食品", 0.10, (200, 110, 30)),
    "home": ("家居", 0.40, (60, 130, 110)),
}
DEFAULT_LOOK = ("精选", 0.60, (80, 100, 160))

Colour = tuple[int, int, int]


@functools.cache
def cjk_font(size: int):
    """The project's CJK font at ``size`` px, opened once per size (a CJK
    font file is large: opening it for every picture would be most of the
    seed's time)."""
    return _cjk_font(size)


def _hsv(hue: float, saturation: float, value: float) -> Colour:
    return tuple(int(channel * 255) for channel in colorsys.hsv_to_rgb(hue % 1, saturation, value))


def _title_hue(title: str) -> float:
    return int(hashlib.sha256(title.encode()).hexdigest()[:4], 16) / 0xFFFF


def _darker(colour: Colour, factor: float = 0.75) -> Colour:
    return tuple(int(channel * factor) for channel in colour)


def _lighter(colour: Colour, amount: float = 0.4) -> Colour:
    return tuple(int(channel + (255 - channel) * amount) for channel in colour)


# --- the shapes, each drawn in a box (x0, y0, x1, y1) of the canvas -----------------------------


def _dress(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    waist = y0 + h * 0.38
    bodice = [
        (cx - w * 0.13, y0 + h * 0.06),
        (cx + w * 0.13, y0 + h * 0.06),
        (cx + w * 0.16, waist),
        (cx - w * 0.16, waist),
    ]
    skirt = [(cx - w * 0.16, waist), (cx + w * 0.16, waist), (cx + w * 0.42, y1), (cx - w * 0.42, y1)]
    draw.polygon(skirt, fill=colour)
    draw.polygon(bodice, fill=_darker(colour, 0.9))
    for side in (-1, 1):  # straps
        draw.line([(cx + side * w * 0.1, y0 + h * 0.06), (cx + side * w * 0.08, y0)], fill=_darker(colour), width=10)
    draw.rectangle([cx - w * 0.17, waist - 8, cx + w * 0.17, waist + 10], fill=_darker(colour, 0.6))
    for row in range(5):  # a printed pattern: small flowers over the skirt
        for column in range(-row - 1, row + 2):
            x = cx + column * w * 0.11 + (row % 2) * w * 0.05
            y = waist + h * 0.09 + row * h * 0.11
            if abs(x - cx) < (w * 0.16 + (y - waist) / (y1 - waist) * w * 0.26) - 18:
                draw.ellipse([x - 9, y - 9, x + 9, y + 9], fill=_lighter(colour, 0.65))


def _tshirt(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    shape = [
        (cx - w * 0.16, y0),
        (cx - w * 0.46, y0 + h * 0.16),
        (cx - w * 0.36, y0 + h * 0.36),
        (cx - w * 0.28, y0 + h * 0.30),
        (cx - w * 0.28, y1),
        (cx + w * 0.28, y1),
        (cx + w * 0.28, y0 + h * 0.30),
        (cx + w * 0.36, y0 + h * 0.36),
        (cx + w * 0.46, y0 + h * 0.16),
        (cx + w * 0.16, y0),
    ]
    draw.polygon(shape, fill=colour, outline=_darker(colour, 0.8), width=6)
    draw.chord([cx - w * 0.16, y0 - h * 0.10, cx + w * 0.16, y0 + h * 0.12], 0, 180, fill=_darker(colour, 0.85))
    draw.rectangle([cx - w * 0.12, y0 + h * 0.42, cx + w * 0.12, y0 + h * 0.52], fill=_lighter(colour, 0.5))


def _scarf(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    band = [
        (x0 + w * 0.1, y0 + h * 0.2),
        (x0 + w * 0.9, y0 + h * 0.05),
        (x0 + w * 0.9, y0 + h * 0.35),
        (x0 + w * 0.1, y0 + h * 0.5),
    ]
    fold = [
        (x0 + w * 0.55, y0 + h * 0.28),
        (x0 + w * 0.75, y0 + h * 0.3),
        (x0 + w * 0.68, y1 - h * 0.12),
        (x0 + w * 0.48, y1 - h * 0.14),
    ]
    draw.polygon(band, fill=colour)
    draw.polygon(fold, fill=_darker(colour, 0.85))
    for stripe in range(1, 4):  # a check pattern
        t = stripe / 4
        draw.line(
            [(x0 + w * 0.1, y0 + h * (0.2 + 0.3 * t)), (x0 + w * 0.9, y0 + h * (0.05 + 0.3 * t))],
            fill=_lighter(colour, 0.35),
            width=8,
        )
    for fringe in range(9):  # the fringe at the hanging end
        x = x0 + w * (0.49 + fringe * 0.022)
        draw.line([(x, y1 - h * 0.135), (x - 4, y1 - h * 0.04)], fill=_darker(colour, 0.7), width=5)


def _tea_cake(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cake = [x0 + w * 0.08, y0 + h * 0.12, x1 - w * 0.08, y1 - h * 0.04]
    draw.ellipse([cake[0], cake[1] + 24, cake[2], cake[3] + 24], fill=_darker(colour, 0.6))  # its thickness
    draw.ellipse(cake, fill=(238, 226, 200), outline=_darker(colour, 0.7), width=8)  # cotton-paper wrapper
    cx, cy = (cake[0] + cake[2]) / 2, (cake[1] + cake[3]) / 2
    for ring in (0.42, 0.3):
        r = w * ring
        draw.ellipse([cx - r, cy - r * 0.9, cx + r, cy + r * 0.9], outline=colour, width=6)
    seal = w * 0.14
    draw.rectangle([cx - seal, cy - seal, cx + seal, cy + seal], fill=(190, 40, 40))
    font = cjk_font(int(seal * 0.8))
    for index, char in enumerate("普洱"):
        draw.text((cx, cy - seal * 0.45 + index * seal * 0.9), char, font=font, fill=(255, 240, 230), anchor="mm")


def _gift_box(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    top = y0 + h * 0.35
    draw.rectangle([x0 + w * 0.08, top, x1 - w * 0.08, y1], fill=colour)
    draw.rectangle([x0 + w * 0.04, top - h * 0.08, x1 - w * 0.04, top + h * 0.04], fill=_darker(colour, 0.85))
    draw.rectangle([(x0 + x1) / 2 - 16, top - h * 0.08, (x0 + x1) / 2 + 16, y1], fill=(230, 190, 80))
    for index, (dx, scale) in enumerate(((-0.22, 1.0), (0.0, 1.25), (0.22, 0.9))):  # mushrooms above the box
        cx = (x0 + x1) / 2 + dx * w
        cap = w * 0.12 * scale
        stem_top = top - h * 0.12 * scale
        draw.rectangle([cx - cap * 0.3, stem_top, cx + cap * 0.3, top - h * 0.06], fill=(245, 235, 215))
        shade = (150, 90, 50) if index != 1 else (120, 70, 40)
        draw.pieslice([cx - cap, stem_top - cap * 0.9, cx + cap, stem_top + cap * 0.9], 180, 360, fill=shade)


def _honey_jar(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    body = [x0 + w * 0.18, y0 + h * 0.22, x1 - w * 0.18, y1]
    draw.rounded_rectangle(body, radius=int(w * 0.14), fill=(236, 170, 40))
    draw.rounded_rectangle(
        [body[0] + 18, body[1] + 18, body[0] + 48, body[3] - 40], radius=14, fill=_lighter((236, 170, 40), 0.45)
    )
    draw.rectangle([x0 + w * 0.24, y0 + h * 0.08, x1 - w * 0.24, y0 + h * 0.24], fill=_darker(colour, 0.8))
    draw.rectangle([x0 + w * 0.22, y0 + h * 0.2, x1 - w * 0.22, y0 + h * 0.26], fill=(90, 60, 30))
    label = [x0 + w * 0.26, y0 + h * 0.45, x1 - w * 0.26, y0 + h * 0.8]
    draw.rounded_rectangle(label, radius=18, fill=(255, 250, 235))
    font = cjk_font(int(w * 0.11))
    draw.text(
        ((label[0] + label[2]) / 2, (label[1] + label[3]) / 2), "蜂蜜", font=font, fill=(150, 90, 20), anchor="mm"
    )


def _mask_sachet(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    for offset in (36, 18, 0):  # a stack of sachets
        sachet = [x0 + w * 0.14 + offset, y0 + h * 0.02 + offset, x1 - w * 0.14 + offset, y1 - h * 0.02 + offset]
        draw.rounded_rectangle(
            sachet, radius=26, fill=_lighter(colour, 0.2 + offset / 120), outline=(255, 255, 255), width=6
        )
    cx, cy = (x0 + x1) / 2, y0 + h * 0.42
    draw.ellipse([cx - w * 0.17, cy - h * 0.22, cx + w * 0.17, cy + h * 0.22], fill=(255, 255, 255))
    for side in (-1, 1):  # the mask's eye holes
        draw.ellipse(
            [cx + side * w * 0.07 - 18, cy - 30, cx + side * w * 0.07 + 18, cy - 10], fill=_lighter(colour, 0.2)
        )
    draw.arc([cx - 34, cy + 10, cx + 34, cy + 60], 20, 160, fill=_lighter(colour, 0.2), width=8)
    for drop in range(3):
        dx = x0 + w * (0.3 + drop * 0.2)
        draw.ellipse([dx - 12, y1 - h * 0.2, dx + 12, y1 - h * 0.2 + 30], fill=(120, 190, 230))


def _tube(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    tube = [(cx - w * 0.2, y0), (cx + w * 0.2, y0), (cx + w * 0.16, y1 - h * 0.16), (cx - w * 0.16, y1 - h * 0.16)]
    draw.polygon(tube, fill=(250, 250, 252), outline=_darker(colour, 0.8), width=6)
    draw.rectangle([cx - w * 0.2, y0, cx + w * 0.2, y0 + h * 0.06], fill=_darker(colour, 0.85))  # the crimp
    draw.rounded_rectangle([cx - w * 0.1, y1 - h * 0.17, cx + w * 0.1, y1], radius=10, fill=colour)  # the cap
    draw.rectangle([cx - w * 0.17, y0 + h * 0.3, cx + w * 0.17, y0 + h * 0.46], fill=colour)
    for bubble in range(4):
        bx, by = cx + w * (0.26 + 0.05 * (bubble % 2)), y0 + h * (0.2 + 0.15 * bubble)
        r = 14 + 6 * (bubble % 3)
        draw.ellipse([bx - r, by - r, bx + r, by + r], outline=_lighter(colour, 0.3), width=5)


def _candle(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    glass = [x0 + w * 0.2, y0 + h * 0.28, x1 - w * 0.2, y1]
    draw.rounded_rectangle(glass, radius=24, fill=_lighter(colour, 0.55), outline=_darker(colour, 0.85), width=6)
    draw.rectangle([glass[0] + 10, glass[1] + h * 0.1, glass[2] - 10, glass[3] - 10], fill=(250, 244, 230))  # the wax
    label = [glass[0] + 24, glass[1] + h * 0.3, glass[2] - 24, glass[1] + h * 0.5]
    draw.rectangle(label, fill=colour)
    cx = (x0 + x1) / 2
    draw.line([(cx, glass[1] + h * 0.1), (cx, glass[1] + h * 0.02)], fill=(40, 40, 40), width=6)  # the wick
    flame = glass[1] - h * 0.02
    draw.ellipse([cx - 26, flame - 90, cx + 26, flame + 6], fill=(255, 190, 60))
    draw.ellipse([cx - 12, flame - 50, cx + 12, flame + 2], fill=(255, 245, 200))


def _bottle(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    draw.rounded_rectangle([cx - w * 0.22, y0 + h * 0.3, cx + w * 0.22, y1], radius=40, fill=colour)
    draw.rectangle([cx - w * 0.08, y0 + h * 0.12, cx + w * 0.08, y0 + h * 0.32], fill=_darker(colour, 0.8))
    draw.rounded_rectangle([cx - w * 0.11, y0, cx + w * 0.11, y0 + h * 0.14], radius=12, fill=(60, 60, 70))
    draw.rectangle([cx - w * 0.16, y0 + h * 0.52, cx + w * 0.16, y0 + h * 0.72], fill=_lighter(colour, 0.7))


def _parcel(draw: ImageDraw.ImageDraw, box, colour: Colour) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    draw.rectangle([x0 + w * 0.1, y0 + h * 0.2, x1 - w * 0.1, y1], fill=colour)
    draw.polygon(
        [(x0 + w * 0.1, y0 + h * 0.2), (x0 + w * 0.25, y0), (x1 - w * 0.25, y0), (x1 - w * 0.1, y0 + h * 0.2)],
        fill=_lighter(colour, 0.3),
    )
    draw.rectangle([(x0 + x1) / 2 - 14, y0, (x0 + x1) / 2 + 14, y1], fill=_lighter(colour, 0.6))


# a word in the title → its shape (first match wins); else the category's
SHAPES_BY_WORD: list[tuple[str, Callable]] = [
    ("连衣裙", _dress),
    ("T恤", _tshirt),
    ("围巾", _scarf),
    ("茶", _tea_cake),
    ("菌", _gift_box),
    ("礼盒", _gift_box),
    ("蜂蜜", _honey_jar),
    ("面膜", _mask_sachet),
    ("洁面", _tube),
    ("乳", _tube),
    ("蜡烛", _candle),
]
SHAPES_BY_CATEGORY = {"apparel": _tshirt, "beauty": _bottle, "food": _gift_box, "home": _candle}


def _shape_for(title: str, category_slug: str) -> Callable:
    for word, shape in SHAPES_BY_WORD:
        if word in title:
            return shape
    return SHAPES_BY_CATEGORY.get(category_slug, _parcel)


def _backdrop(size: int, hue: float) -> Image.Image:
    """A studio backdrop: light at the top, a touch deeper towards the floor
    (one column of the gradient, stretched sideways: quick)."""
    top, bottom = _hsv(hue, 0.10, 0.99), _hsv(hue, 0.28, 0.93)
    column = Image.new("RGB", (1, size))
    column.putdata([tuple(int(t + (b - t) * y / size) for t, b in zip(top, bottom, strict=True)) for y in range(size)])
    return column.resize((size, size), Image.Resampling.NEAREST)


def _fitted_font(draw: ImageDraw.ImageDraw, text: str, width: int, start: int):
    """The CJK font at the largest size from ``start`` down at which ``text`` fits ``width``."""
    size = start
    while size > 12:
        font = cjk_font(size)
        box = draw.textbbox((0, 0), text, font=font)
        if box[2] - box[0] <= width:
            return font
        size -= 4
    return cjk_font(12)


def demo_product_image(title: str, category_slug: str = "", size: int = SIZE) -> bytes:
    """A JPEG of ``size``² that looks like a product photo of ``title`` (see
    the module's docstring). Same title and category, same bytes."""
    name, hue, badge = CATEGORY_LOOKS.get(category_slug, DEFAULT_LOOK)
    title_hue = _title_hue(title)
    product_colour = _hsv(hue + (title_hue - 0.5) * 0.5, 0.55, 0.80)
    canvas = size * SCALE
    image = _backdrop(canvas, hue)

    draw = ImageDraw.Draw(image)
    # the floor shadow under the product: rings that darken towards the middle (a blur would be slower)
    floor = _hsv(hue, 0.28, 0.93)
    for ring in range(8):
        inset = ring * canvas * 0.018
        shade = _darker(floor, 1 - 0.035 * (ring + 1))
        draw.ellipse(
            [canvas * 0.2 + inset, canvas * 0.70 + inset / 4, canvas * 0.8 - inset, canvas * 0.80 - inset / 4],
            fill=shade,
        )
    _shape_for(title, category_slug)(draw, (canvas * 0.22, canvas * 0.14, canvas * 0.78, canvas * 0.74), product_colour)

    # the category's badge, top left
    badge_font = cjk_font(canvas // 22)
    text_box = draw.textbbox((0, 0), name, font=badge_font)
    pad = canvas // 60
    badge_box = [
        canvas // 30,
        canvas // 30,
        canvas // 30 + text_box[2] - text_box[0] + pad * 3,
        canvas // 30 + canvas // 14,
    ]
    draw.rounded_rectangle(badge_box, radius=canvas // 28, fill=badge)
    draw.text(
        ((badge_box[0] + badge_box[2]) / 2, (badge_box[1] + badge_box[3]) / 2),
        name,
        font=badge_font,
        fill=(255, 255, 255),
        anchor="mm",
    )

    # the title, on a white band along the bottom
    band_top = int(canvas * 0.84)
    draw.rectangle([0, band_top, canvas, canvas], fill=(255, 255, 255))
    draw.rectangle([0, band_top, canvas, band_top + canvas // 160], fill=badge)
    title_font = _fitted_font(draw, title, int(canvas * 0.9), canvas // 16)
    draw.text((canvas / 2, (band_top + canvas) / 2), title, font=title_font, fill=(40, 40, 40), anchor="mm")

    # small sparkles: the backdrop of a product shot is never flat
    for index in range(3):
        angle = title_hue * math.tau + index * 2.1
        x, y = canvas * (0.5 + 0.38 * math.cos(angle)), canvas * (0.42 + 0.28 * math.sin(angle))
        r = canvas // 120
        draw.ellipse([x - r, y - r, x + r, y + r], fill=_lighter(product_colour, 0.6))

    buffer = io.BytesIO()
    image.reduce(SCALE).save(buffer, "JPEG", quality=86)
    return buffer.getvalue()
