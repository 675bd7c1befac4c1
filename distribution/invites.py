"""What a reseller shares to recruit (裂变): the invite link, its QR code,
and a poster with both. The link opens the join page with ``?ref=<code>``,
so the visit is also remembered as a referral (binding, referrals.py). The
QR code and poster are PNG, drawn with segno and Pillow, in the visitor's
language."""

import io

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from socialshop.drawing import qr_png, text_centred
from socialshop.fonts import cjk_font

from .models import Reseller
from .referrals import QUERY_PARAM

POSTER_SIZE = (750, 1200)


def invite_url(request, reseller: Reseller) -> str:
    """The absolute invite link of ``reseller``."""
    return request.build_absolute_uri(
        f"{reverse('distribution:join')}?{urlencode({QUERY_PARAM: reseller.invite_code})}"
    )


def invite_qr_png(url: str, *, scale: int = 10) -> bytes:
    return qr_png(url, scale=scale)


def _centred(draw: ImageDraw.ImageDraw, y: float, text: str, font, fill) -> None:
    text_centred(draw, POSTER_SIZE[0], y, text, font, fill)


def invite_poster_png(*, url: str, inviter_name: str, invite_code: str) -> bytes:
    """A phone-sized poster: who invites, the QR code of the invite link and
    the invite code in large unambiguous letters."""
    width, height = POSTER_SIZE
    poster = Image.new("RGB", POSTER_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(poster)
    for y in range(height // 2):  # a warm band behind the title
        ratio = y / (height / 2)
        draw.line([(0, y), (width, y)], fill=(228, 57 + int(80 * ratio), 60 + int(90 * ratio)))
    _centred(draw, 90, _("%(name)s invites you") % {"name": inviter_name}, cjk_font(46), (255, 255, 255))
    _centred(draw, 160, _("Open your own shop, free"), cjk_font(34), (255, 240, 240))
    card = (95, 260, width - 95, 860)
    draw.rounded_rectangle(card, radius=28, fill=(255, 255, 255), outline=(240, 220, 220), width=3)
    qr = Image.open(io.BytesIO(invite_qr_png(url, scale=12))).convert("RGB")
    side = card[2] - card[0] - 80
    qr = qr.resize((side, side), Image.NEAREST)
    poster.paste(qr, (card[0] + 40, card[1] + 40))
    _centred(draw, 900, _("Scan to join"), cjk_font(36), (40, 40, 40))
    _centred(draw, 970, _("Invite code"), cjk_font(30), (136, 136, 136))
    _centred(draw, 1015, " ".join(invite_code), cjk_font(64), (228, 57, 60))
    buffer = io.BytesIO()
    poster.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
