from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Sku
from distribution.models import Reseller

from .choices import SLUG_PATTERN, ShopStatus, ShopStatusReason


class Shop(models.Model):
    """A reseller's micro-shop (微店): one per reseller, public at /s/<slug>/."""

    owner = models.OneToOneField(Reseller, on_delete=models.PROTECT, related_name="shop", verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=40)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    avatar = models.ImageField(_("avatar"), upload_to="shops/avatars/", blank=True)
    intro = models.CharField(_("introduction"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ShopStatus.choices, default=ShopStatus.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ShopStatus.values), name="shop_status_known"),
            models.CheckConstraint(condition=Q(slug__regex=SLUG_PATTERN), name="shop_slug_lowercase_form"),
        ]

    def __str__(self):
        return self.name


class ShopStatusChange(models.Model):
    """Who opened, closed, suspended or reinstated a shop, when and why (append-only)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("shop"))
    from_status = models.CharField(_("from"), max_length=20, choices=ShopStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ShopStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop status change")
        verbose_name_plural = _("shop status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.shop_id}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def reason_label(self) -> str:
        """Why, as people read it: the admin's own reasons translated, typed ones as typed."""
        return str(dict(ShopStatusReason.choices).get(self.reason, self.reason))


class ShopProduct(models.Model):
    """A catalogue product picked (选品) into a shop."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="picks", verbose_name=_("shop"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="picks", verbose_name=_("product"))
    position = models.PositiveIntegerField(_("position"), default=0)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    added_at = models.DateTimeField(_("picked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("picked product")
        verbose_name_plural = _("picked products")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["shop", "product"], name="shop_product_picked_once")]

    def __str__(self):
        return f"{self.shop} · {self.product}"


class ShopSkuPrice(models.Model):
    """The shop's own price for one SKU; without a row the list price applies.
    Services keep it within the SKU's resale bounds."""

    pick = models.ForeignKey(ShopProduct, on_delete=models.CASCADE, related_name="prices")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="shop_prices")
    price_amount = models.BigIntegerField(_("shop price (fen)"))

    class Meta:
        verbose_name = _("shop price")
        verbose_name_plural = _("shop prices")
        constraints = [
            models.UniqueConstraint(fields=["pick", "sku"], name="shop_sku_price_once"),
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="shop_price_positive"),
        ]

    def __str__(self):
        return f"{self.sku} @ {self.pick.shop}: {self.price_amount}"


class ShopVisitor(models.Model):
    """One visitor of a shop on one Beijing day: the first view of the shop's
    storefront or of a product page that day writes the row, later views
    that day find it there (``INSERT … ON CONFLICT DO NOTHING``). What the
    workbench counts as 访客 and what the funnel (issue 19) reads as its
    daily unique visitors. No IP and no user: ``visitor_key`` is a keyed
    hash of a first-party cookie (``shops.visits``), so a row says only that
    *someone* came. The owner's own views are not recorded."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="visitors", verbose_name=_("shop"))
    day = models.DateField(_("day (Beijing)"))
    visitor_key = models.CharField(_("visitor"), max_length=32)
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first product seen"),
    )
    referred = models.BooleanField(_("came through a shared link"), default=False)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)

    class Meta:
        verbose_name = _("shop visitor")
        verbose_name_plural = _("shop visitors")
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "visitor_key"], name="shop_visitor_once_a_day"),
        ]

    def __str__(self):
        return f"{self.shop_id} · {self.day} · {self.visitor_key[:8]}"
