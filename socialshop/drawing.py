"""What the pictures Pillow draws share (share posters, invite posters):
QR codes of links, and centred text."""

import io

import segno
from PIL import Image, ImageDraw


def qr_png(link: str, *, scale: int = 10) -> bytes:
    """``link`` as a QR code PNG (error correction M, a 2-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_image(link: str, size: int) -> Image.Image:
    """``link`` as a QR code about ``size`` pixels wide, ready to paste."""
    modules = segno.make(link, error="m").symbol_size(scale=1, border=2)[0]
    return Image.open(io.BytesIO(qr_png(link, scale=max(1, size // modules)))).convert("RGB")


def text_width(draw: ImageDraw.ImageDraw, text: str, font) -> float:
    return draw.textlength(text, font=font)


def text_centred(draw: ImageDraw.ImageDraw, width: int, y: float, text: str, font, fill) -> None:
    """Draw ``text`` centred on a canvas ``width`` pixels wide."""
    draw.text(((width - text_width(draw, text, font)) / 2, y), text, font=font, fill=fill)
