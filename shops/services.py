"""The only writers of shops, their picks and their prices."""

import re
import uuid
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from catalog.images import avatar_process
from catalog.models import Product
from distribution.choices import ResellerStatus
from distribution.models import Reseller
from socialshop.money import fen_to_yuan
from socialshop.states import StateMachine, state_set

from .choices import RESERVED_SLUGS, SHOP_TRANSITIONS, SLUG_PATTERN, ShopActor
from .exceptions import (
    InvalidShopTransition,
    PriceOutOfBounds,
    ProductNotOnSale,
    ResellerNotActive,
    ShopAlreadyOpen,
    ShopSlugInvalid,
    ShopSlugTaken,
    ShopTransitionNotAllowed,
    SkuNotInProduct,
)
from .models import Shop, ShopProduct, ShopSkuPrice, ShopStatusChange, ShopVisitor

SHOP_MACHINE = StateMachine(transitions=SHOP_TRANSITIONS, error=InvalidShopTransition)


def shop_slug_check(slug: str) -> str:
    """The slug as stored (lower case), or ShopSlugInvalid / ShopSlugTaken."""
    slug = (slug or "").strip().lower()
    if not re.match(SLUG_PATTERN, slug) or slug in RESERVED_SLUGS:
        raise ShopSlugInvalid(fields={"slug": [str(ShopSlugInvalid.default_message)]})
    if Shop.objects.filter(slug=slug).exists():
        raise ShopSlugTaken(fields={"slug": [str(ShopSlugTaken.default_message)]})
    return slug


def _avatar_save(shop: Shop, data: bytes) -> None:
    """Validate (catalog.images; ValidationError when refused) and store a square avatar."""
    processed = avatar_process(data)
    old = shop.avatar.name
    shop.avatar.save(f"{uuid.uuid4().hex}.{processed.extension}", ContentFile(processed.image), save=False)
    if old:
        storage = shop.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def shop_open(*, owner: Reseller, name: str, slug: str, intro: str = "", avatar: bytes | None = None) -> Shop:
    """A reseller opens its one shop. The slug is its public address
    (/s/<slug>/) and cannot be changed later, so shared links keep working.
    A bad avatar raises ValidationError and nothing is saved."""
    if owner.status != ResellerStatus.ACTIVE:
        raise ResellerNotActive()
    if Shop.objects.filter(owner=owner).exists():
        raise ShopAlreadyOpen()
    shop = Shop(owner=owner, name=name.strip(), slug=shop_slug_check(slug), intro=intro.strip())
    if avatar:
        _avatar_save(shop, avatar)
    try:
        with transaction.atomic():
            shop.save()
    except IntegrityError:
        # a concurrent request took the slug, or opened this reseller's shop, first
        if Shop.objects.filter(owner=owner).exists():
            raise ShopAlreadyOpen() from None
        raise ShopSlugTaken(fields={"slug": [str(ShopSlugTaken.default_message)]}) from None
    return shop


@transaction.atomic
def shop_update(*, shop: Shop, name: str, intro: str, avatar: bytes | None = None, remove_avatar: bool = False) -> Shop:
    """The owner changes its shop's name, introduction or avatar."""
    shop.name = name.strip()
    shop.intro = intro.strip()
    if avatar:
        _avatar_save(shop, avatar)
    elif remove_avatar and shop.avatar:
        old, storage = shop.avatar.name, shop.avatar.storage
        shop.avatar = ""
        transaction.on_commit(lambda: storage.delete(old))
    shop.save(update_fields=["name", "intro", "avatar", "updated_at"])
    return shop


@transaction.atomic
def shop_set_status(*, shop: Shop, status: str, by: User, as_operator: bool = False, reason: str = "") -> Shop:
    """Move a shop along SHOP_TRANSITIONS: its owner closes and reopens it,
    operators suspend it and lift suspensions. Locks the row and records who
    did it and why; asking for the current status is a no-op."""
    locked = Shop.objects.select_for_update().get(pk=shop.pk)
    if locked.status == status:
        return locked
    held = set()  # the kinds of actor the caller is, for this shop
    if as_operator and by.is_operator:
        held.add(ShopActor.OPERATOR)
    if locked.owner.user_id == by.pk:
        held.add(ShopActor.OWNER)
    needed = SHOP_MACHINE.actors(locked.status, status)
    if needed and not needed & held:
        raise ShopTransitionNotAllowed()  # a declared move, someone else's to make (403)
    state_set(  # an undeclared move: the kernel's 409 (InvalidShopTransition)
        locked,
        status,
        machine=SHOP_MACHINE,
        actor_kind=min(needed & held) if needed else ShopActor.OWNER,
        audit=partial(_status_audit, by, reason),
        updated_at=timezone.now(),
    )
    shop.refresh_from_db(fields=["status", "updated_at"])  # the caller's copy, as the kernel left the row
    return locked


def _status_audit(by: User, reason: str, shop: Shop, from_status: str, to_status: str) -> ShopStatusChange:
    return ShopStatusChange(shop=shop, from_status=from_status, to_status=to_status, changed_by=by, reason=reason[:200])


def _shop_lock(shop: Shop) -> Shop:
    # picks of one shop are numbered under this lock, so positions stay a sequence
    return Shop.objects.select_for_update().get(pk=shop.pk)


@transaction.atomic
def shop_pick_product(*, shop: Shop, product: Product, prices: dict[int, int | None] | None = None) -> ShopProduct:
    """Add a product on sale to the end of the shop (idempotent: picking it
    again returns the same pick) and optionally set prices (see
    ``shop_pick_set_prices``); nothing is saved if a price is refused."""
    _shop_lock(shop)
    if not Product.objects.on_sale().filter(pk=product.pk).exists():
        raise ProductNotOnSale()
    last = ShopProduct.objects.filter(shop=shop).order_by("-position").values_list("position", flat=True).first()
    pick, _ = ShopProduct.objects.get_or_create(
        shop=shop, product=product, defaults={"position": 0 if last is None else last + 1}
    )
    if prices:
        shop_pick_set_prices(pick=pick, prices=prices)
    return pick


@transaction.atomic
def shop_pick_set_prices(*, pick: ShopProduct, prices: dict[int, int | None]) -> ShopProduct:
    """Set the shop's price of some of the pick's SKUs: ``{sku_id: fen}``,
    or ``{sku_id: None}`` to go back to the list price. Each price must lie
    within the SKU's resale bounds; all or nothing."""
    skus = {sku.id: sku for sku in pick.product.skus.all()}
    errors = {}
    for sku_id, price in prices.items():
        sku = skus.get(sku_id)
        if sku is None:
            raise SkuNotInProduct(fields={"sku_id": [str(SkuNotInProduct.default_message)]}, sku_id=sku_id)
        if price is not None and not (sku.min_resale_amount <= price <= sku.max_resale_amount):
            errors[sku_id] = sku
    if errors:
        raise PriceOutOfBounds(
            fields={
                f"sku_{sku_id}": [
                    str(PriceOutOfBounds.default_message)
                    + f" (¥{fen_to_yuan(sku.min_resale_amount)} – ¥{fen_to_yuan(sku.max_resale_amount)})"
                ]
                for sku_id, sku in errors.items()
            },
            sku_ids=sorted(errors),
        )
    for sku_id, price in prices.items():
        if price is None:
            ShopSkuPrice.objects.filter(pick=pick, sku_id=sku_id).delete()
        else:
            ShopSkuPrice.objects.update_or_create(pick=pick, sku_id=sku_id, defaults={"price_amount": price})
    return pick


@transaction.atomic
def shop_pick_set_hidden(*, pick: ShopProduct, hidden: bool) -> ShopProduct:
    """Hide a pick from the storefront (kept with its prices) or show it again."""
    ShopProduct.objects.filter(pk=pick.pk).update(is_hidden=hidden)
    pick.is_hidden = hidden
    return pick


@transaction.atomic
def shop_pick_place(*, pick: ShopProduct, position: int) -> ShopProduct:
    """Move a pick to ``position`` (0 = first) in its shop's order; the
    others shift. Locks the shop and renumbers its picks 0…n-1."""
    _shop_lock(pick.shop)
    picks = list(ShopProduct.objects.filter(shop_id=pick.shop_id).order_by("position", "id"))
    moving = next(item for item in picks if item.pk == pick.pk)
    picks.remove(moving)
    picks.insert(max(0, min(position, len(picks))), moving)
    changed = []
    for index, item in enumerate(picks):
        if item.position != index:
            item.position = index
            changed.append(item)
    ShopProduct.objects.bulk_update(changed, ["position"])
    pick.position = moving.position
    return pick


@transaction.atomic
def shop_pick_remove(*, pick: ShopProduct) -> None:
    """Take a product out of the shop, with its prices."""
    pick.delete()


@transaction.atomic
def shop_pick_update(
    *,
    pick: ShopProduct,
    prices: dict[int, int | None] | None = None,
    is_hidden: bool | None = None,
    position: int | None = None,
) -> ShopProduct:
    """Change a pick's prices, visibility and place together, all or nothing
    (what the owner's pick page and the API's PATCH do)."""
    if prices:
        shop_pick_set_prices(pick=pick, prices=prices)
    if is_hidden is not None:
        shop_pick_set_hidden(pick=pick, hidden=is_hidden)
    if position is not None:
        shop_pick_place(pick=pick, position=position)
    return pick


def shop_visitor_record(*, shop: Shop, visitor_key: str, product_id: int | None = None, referred: bool = False) -> None:
    """Count a visitor of ``shop`` today (Beijing): one statement, ``INSERT …
    ON CONFLICT DO NOTHING`` on (shop, day, visitor), so the first view of the
    day writes the row and every later one, or two at once, changes nothing.
    Not in a transaction of its own: a page view has nothing to roll back."""
    ShopVisitor.objects.bulk_create(
        [
            ShopVisitor(
                shop=shop,
                day=timezone.localdate(),
                visitor_key=visitor_key,
                product_id=product_id,
                referred=referred,
            )
        ],
        ignore_conflicts=True,
    )
