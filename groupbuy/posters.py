"""A buying group's share poster (拼团海报): the shops' poster drawing
(``shops.posters``, kind ``group``) with the product's picture, the group
price beside the list price, the seats left and a QR code of the group's
page. Cached like the shops' posters (``poster_get_or_create``): a new seat
paid changes what it shows, so a new file replaces the old one."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import ProductImage
from shops.posters import PosterContent, PosterItem, poster_get_or_create
from socialshop.money import format_yuan

from .choices import GroupStatus
from .selectors import GroupView


def _badge(view: GroupView) -> str:
    size = view.group.size
    if view.group.status == GroupStatus.OPEN and view.seconds_left > 0:
        return ngettext(
            "%(size)d-person group · %(left)d more needed",
            "%(size)d-person group · %(left)d more needed",
            view.seats_left,
        ) % {"size": size, "left": view.seats_left}
    if view.group.status == GroupStatus.SUCCEEDED:
        return _("%(size)d-person group · full") % {"size": size}
    return _("%(size)d-person group · ended") % {"size": size}


def group_poster_content(*, view: GroupView, link: str) -> PosterContent:
    product = view.group.campaign.product
    image = ProductImage.objects.filter(product=product).order_by("position", "id").first()
    return PosterContent(
        kind="group",
        shop_name=view.group.campaign.title,
        shop_intro="",
        avatar_name="",
        items=(
            PosterItem(
                image_name=image.image.name if image else "",
                title=product.title,
                price_text=_("Group price %(price)s") % {"price": format_yuan(view.price_amount)},
                list_price_text=format_yuan(view.list_price_amount),
            ),
        ),
        link=link,
        scan_hint=_("Press and hold to scan"),
        tagline=_("Join my group and we both pay less"),
        badge=_badge(view),
    )


def group_poster(*, view: GroupView, link: str) -> tuple[bytes, str]:
    """The group's poster PNG and its digest (drawn once per content)."""
    content = group_poster_content(view=view, link=link)
    return poster_get_or_create(content, folder=f"posters/groups/{view.group.pk}", stem="group")
