"""Share posters (分享海报): a phone-screen PNG with the product (or the
shop's best picks), its price in this shop, the shop's name and avatar, and a
QR code of the share link (which carries ``?ref=<owner's invite code>``).

A buying group's poster (拼团, kind ``group``) is drawn here too, from the
content ``groupbuy`` gives. Drawing is pure Pillow (``poster_render``); Chinese is drawn with
``socialshop.fonts.cjk_font`` (without a CJK font the poster still renders
and the log says why). Posters are cached in the default storage under a
name that ends in a digest of everything drawn on them, so any change of
title, picture, price, shop name, avatar, link or language makes a new one;
the stale file of the same poster is deleted then (``poster_get_or_create``).
"""

import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageOps

from socialshop.drawing import qr_image, text_centred, text_width
from socialshop.fonts import cjk_font
from socialshop.money import format_yuan

from .selectors import ProductCard

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 750, 1334  # a phone screen at 2× (375 × 667 points)
POSTER_LAYOUT_VERSION = "1"  # bump when the drawing changes, so cached posters are re-made
ACCENT = (228, 57, 60)
INK = (34, 34, 34)
MUTED = (136, 136, 136)
LINE = (238, 238, 238)
PLACEHOLDER = (245, 240, 236)


@dataclass(frozen=True)
class PosterItem:
    image_name: str  # a file in the default storage, or ""
    title: str
    price_text: str
    list_price_text: str = ""  # struck through beside the price (a group's list price), or ""


@dataclass(frozen=True)
class PosterContent:
    """Everything a poster shows; its digest names the cached file."""

    kind: str  # "shop", "product" or "group" (a buying group, 拼团: ``groupbuy`` fills it)
    shop_name: str
    shop_intro: str
    avatar_name: str
    items: tuple[PosterItem, ...]
    link: str
    scan_hint: str
    tagline: str
    badge: str = ""  # a group's size and seats left, drawn under its price

    def digest(self) -> str:
        payload = json.dumps({"v": POSTER_LAYOUT_VERSION, **asdict(self)}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


def _price_text(card: ProductCard) -> str:
    low, high = card.min_price_amount, card.max_price_amount
    if low is None:
        return ""
    if low == high:
        return format_yuan(low)
    return _("%(price)s up") % {"price": format_yuan(low)}


def product_poster_content(*, shop, card: ProductCard, link: str) -> PosterContent:
    return PosterContent(
        kind="product",
        shop_name=shop.name,
        shop_intro=shop.intro,
        avatar_name=shop.avatar.name or "",
        items=(
            PosterItem(
                image_name=card.image.image.name if card.image else "",
                title=card.product.title,
                price_text=_price_text(card),
            ),
        ),
        link=link,
        scan_hint=_("Press and hold to scan"),
        tagline=_("recommends this to you"),
    )


def shop_poster_content(*, shop, cards: list[ProductCard], link: str) -> PosterContent:
    return PosterContent(
        kind="shop",
        shop_name=shop.name,
        shop_intro=shop.intro,
        avatar_name=shop.avatar.name or "",
        items=tuple(
            PosterItem(
                image_name=(card.image.thumbnail.name or card.image.image.name) if card.image else "",
                title=card.product.title,
                price_text=_price_text(card),
            )
            for card in cards[:4]
        ),
        link=link,
        scan_hint=_("Press and hold to scan"),
        tagline=_("Scan to visit the shop"),
    )


# --- drawing ------------------------------------------------------------------


def _open_stored(name: str) -> Image.Image | None:
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
            return image.convert("RGB")
    except (OSError, ValueError) as error:
        logger.warning("poster: cannot open %s: %s", name, error)
        return None


def _wrap(draw, text: str, font, max_width: int, max_lines: int) -> list[str]:
    """Break text (Chinese has no spaces: break anywhere) into at most
    ``max_lines`` lines, the last one ending in … when cut."""
    lines, current = [], ""
    for char in text:
        if text_width(draw, current + char, font) <= max_width:
            current += char
            continue
        lines.append(current)
        current = char
        if len(lines) == max_lines:
            break
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    while last and text_width(draw, last + "…", font) > max_width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def _cover(image: Image.Image | None, size: tuple[int, int], fallback_text: str) -> Image.Image:
    if image is not None:
        return ImageOps.fit(image, size)
    tile = Image.new("RGB", size, PLACEHOLDER)
    draw = ImageDraw.Draw(tile)
    font = cjk_font(size[1] // 3)
    letter = fallback_text[:1] or "·"
    width = text_width(draw, letter, font)
    draw.text(((size[0] - width) / 2, size[1] / 3), letter, font=font, fill=MUTED)
    return tile


def _circle(image: Image.Image, diameter: int) -> tuple[Image.Image, Image.Image]:
    square = ImageOps.fit(image, (diameter, diameter))
    mask = Image.new("L", (diameter, diameter), 0)
    ImageDraw.Draw(mask).ellipse([0, 0, diameter - 1, diameter - 1], fill=255)
    return square, mask


def _paste_avatar(poster: Image.Image, content: PosterContent, box: tuple[int, int], diameter: int) -> None:
    avatar = _cover(_open_stored(content.avatar_name), (diameter, diameter), content.shop_name)
    square, mask = _circle(avatar, diameter)
    poster.paste(square, box, mask)


def _centered(draw, y: float, text: str, font, fill) -> None:
    text_centred(draw, WIDTH, y, text, font, fill)


def _footer(poster: Image.Image, draw, content: PosterContent, top: int) -> None:
    draw.line([(40, top), (WIDTH - 40, top)], fill=LINE, width=2)
    qr = qr_image(content.link, 230)
    poster.paste(qr, (WIDTH - 40 - qr.width, top + 20))
    draw.text((40, top + 70), content.scan_hint, font=cjk_font(32), fill=INK)
    for index, line in enumerate(_wrap(draw, content.shop_name, cjk_font(26), WIDTH - 80 - qr.width - 20, 2)):
        draw.text((40, top + 122 + index * 36), line, font=cjk_font(26), fill=MUTED)


def _draw_product(poster: Image.Image, draw, content: PosterContent) -> None:
    item = content.items[0]
    _paste_avatar(poster, content, (40, 36), 92)
    name_font = cjk_font(34)
    draw.text((150, 40), _wrap(draw, content.shop_name, name_font, WIDTH - 190, 1)[0], font=name_font, fill=INK)
    draw.text((150, 88), content.tagline, font=cjk_font(24), fill=MUTED)
    picture = _cover(_open_stored(item.image_name), (670, 670), item.title)
    poster.paste(picture, (40, 160))
    title_font = cjk_font(38)
    y = 858
    for line in _wrap(draw, item.title, title_font, 670, 2):
        draw.text((40, y), line, font=title_font, fill=INK)
        y += 52
    draw.text((40, 970), item.price_text, font=cjk_font(64), fill=ACCENT)
    _footer(poster, draw, content, 1066)


def _draw_shop(poster: Image.Image, draw, content: PosterContent) -> None:
    poster.paste(Image.new("RGB", (WIDTH, 190), ACCENT), (0, 0))
    draw.ellipse([WIDTH / 2 - 86, 94, WIDTH / 2 + 86, 266], fill=(255, 255, 255))
    _paste_avatar(poster, content, (WIDTH // 2 - 80, 100), 160)
    name_font = cjk_font(44)
    _centered(draw, 284, _wrap(draw, content.shop_name, name_font, WIDTH - 80, 1)[0], name_font, INK)
    intro_font = cjk_font(26)
    for index, line in enumerate(_wrap(draw, content.shop_intro, intro_font, WIDTH - 120, 2)):
        _centered(draw, 346 + index * 36, line, intro_font, MUTED)
    tile, gap, top = 240, 30, 430
    left = (WIDTH - 2 * tile - gap) // 2
    item_font, price_font = cjk_font(24), cjk_font(30)
    for index, item in enumerate(content.items[:4]):
        x = left + (index % 2) * (tile + gap)
        y = top + (index // 2) * (tile + 82)
        poster.paste(_cover(_open_stored(item.image_name), (tile, tile), item.title), (x, y))
        draw.text((x, y + tile + 6), _wrap(draw, item.title, item_font, tile, 1)[0], font=item_font, fill=INK)
        draw.text((x, y + tile + 38), item.price_text, font=price_font, fill=ACCENT)
    _footer(poster, draw, content, 1076)


def _draw_group(poster: Image.Image, draw, content: PosterContent) -> None:
    """A buying group (拼团): a band with the invitation, the product, the
    group price beside the struck-through list price, the seats left, and
    the group's QR code above its campaign's title (``shop_name``)."""
    item = content.items[0]
    poster.paste(Image.new("RGB", (WIDTH, 120), ACCENT), (0, 0))
    band_font = cjk_font(40)
    draw.text((40, 34), _wrap(draw, content.tagline, band_font, WIDTH - 80, 1)[0], font=band_font, fill=(255, 255, 255))
    poster.paste(_cover(_open_stored(item.image_name), (670, 670), item.title), (40, 140))
    title_font = cjk_font(36)
    y = 826
    for line in _wrap(draw, item.title, title_font, 670, 2):
        draw.text((40, y), line, font=title_font, fill=INK)
        y += 48
    price_font, list_font = cjk_font(64), cjk_font(30)
    draw.text((40, 926), item.price_text, font=price_font, fill=ACCENT)
    if item.list_price_text:
        x = 40 + text_width(draw, item.price_text, price_font) + 24
        draw.text((x, 956), item.list_price_text, font=list_font, fill=MUTED)
        middle = 976  # through the middle of the 30-pixel figures
        draw.line([(x, middle), (x + text_width(draw, item.list_price_text, list_font), middle)], fill=MUTED, width=2)
    if content.badge:
        draw.text((40, 1014), content.badge, font=cjk_font(30), fill=INK)
    _footer(poster, draw, content, 1066)


def poster_render(content: PosterContent) -> bytes:
    """The poster as PNG bytes (WIDTH × HEIGHT)."""
    poster = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(poster)
    if content.kind == "product":
        _draw_product(poster, draw, content)
    elif content.kind == "group":
        _draw_group(poster, draw, content)
    else:
        _draw_shop(poster, draw, content)
    buffer = io.BytesIO()
    poster.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def poster_get_or_create(content: PosterContent, *, folder: str, stem: str) -> tuple[bytes, str]:
    """The poster's PNG and digest: read from storage when this exact content
    was drawn before, else drawn, stored, and the same poster's stale files
    deleted. Each language and host has its own variant of a poster (the
    words and the QR link differ), so visitors in Chinese and in English, or
    on two host names, never evict each other's poster: only a change of
    what the poster shows replaces a file."""
    digest = content.digest()
    variant = hashlib.sha256(f"{urlsplit(content.link).netloc}|{get_language()}".encode()).hexdigest()[:8]
    prefix = f"{stem}.{variant}-"
    name = f"{folder}/{prefix}{digest}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), digest
    data = poster_render(content)
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        files = []
    for stale in files:
        if stale.startswith(prefix) and stale != f"{prefix}{digest}.png":
            default_storage.delete(f"{folder}/{stale}")
    default_storage.save(name, ContentFile(data))
    return data, digest
