"""Bargaining (砍价): a campaign offers a SKU from a starting price down to
a floor; a buyer starts a bargain, each friend's help cuts the price by the
bargain's next seeded cut, the K-th lands on the floor; the starter buys at
the price reached (docs/bargaining.md)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from groupbuy.choices import CommissionMode

from .choices import HELPS_MAX, HELPS_MIN, BargainStatus


class BargainCampaign(models.Model):
    title = models.CharField(_("title"), max_length=60)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    start_price_amount = models.BigIntegerField(_("starting price (fen)"))
    floor_price_amount = models.BigIntegerField(_("floor price (fen)"))
    helps_needed = models.PositiveSmallIntegerField(_("helps to reach the floor"))
    time_limit = models.DurationField(_("time to bargain"))
    helpers_must_be_new = models.BooleanField(_("only new users may help"), default=False)
    commission_mode = models.CharField(
        _("commission"), max_length=8, choices=CommissionMode.choices, default=CommissionMode.NONE
    )
    commission_bps = models.PositiveIntegerField(_("share of the commission (reduced, basis points)"), default=0)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bargain campaign")
        verbose_name_plural = _("bargain campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(floor_price_amount__gt=0), name="bargain_campaign_floor_positive"),
            models.CheckConstraint(
                condition=Q(helps_needed__gte=HELPS_MIN, helps_needed__lte=HELPS_MAX),
                name="bargain_campaign_helps_1_to_100",
            ),
            # at least one fen per help: the cut rule's precondition (calculations.py)
            models.CheckConstraint(
                condition=Q(start_price_amount__gte=F("floor_price_amount") + F("helps_needed")),
                name="bargain_campaign_one_fen_per_help",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="bargain_campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(commission_mode=CommissionMode.REDUCED, commission_bps__gte=1, commission_bps__lte=9999)
                | (~Q(commission_mode=CommissionMode.REDUCED) & Q(commission_bps=0)),
                name="bargain_campaign_reduced_rate_between",
            ),
        ]

    def __str__(self):
        return self.title


class Bargain(models.Model):
    """One buyer's bargain. Prices and K are copied from the campaign when it
    starts (with the seed, they fix every cut); ``current_price_amount`` and
    ``helps_count`` move under the row's lock, one help at a time."""

    campaign = models.ForeignKey(
        BargainCampaign, on_delete=models.PROTECT, related_name="bargains", verbose_name=_("bargain campaign")
    )
    starter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bargains", verbose_name=_("starter")
    )
    status = models.CharField(_("status"), max_length=16, choices=BargainStatus.choices, default=BargainStatus.ACTIVE)
    seed = models.BigIntegerField(_("seed of the cuts"))
    start_price_amount = models.BigIntegerField(_("starting price (fen)"))
    floor_price_amount = models.BigIntegerField(_("floor price (fen)"))
    helps_needed = models.PositiveSmallIntegerField(_("helps to reach the floor"))
    current_price_amount = models.BigIntegerField(_("current price (fen)"))
    helps_count = models.PositiveSmallIntegerField(_("helps"), default=0)
    expires_at = models.DateTimeField(_("buy by"))
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bargains",
        verbose_name=_("order"),
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bargain")
        verbose_name_plural = _("bargains")
        indexes = [models.Index(fields=["status", "expires_at"], name="bargain_due")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "starter"], name="bargain_one_per_person_per_campaign"),
            models.CheckConstraint(
                condition=Q(current_price_amount__gte=F("floor_price_amount"))
                & Q(current_price_amount__lte=F("start_price_amount")),
                name="bargain_price_between_floor_and_start",
            ),
            models.CheckConstraint(condition=Q(helps_count__lte=F("helps_needed")), name="bargain_at_most_k_helps"),
        ]

    def __str__(self):
        return _("bargain %(id)s") % {"id": self.pk}


class Help(models.Model):
    """One friend's help (帮砍): the ``number``-th cut of its bargain."""

    bargain = models.ForeignKey(Bargain, on_delete=models.PROTECT, related_name="helps", verbose_name=_("bargain"))
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bargain_helps", verbose_name=_("helper")
    )
    number = models.PositiveSmallIntegerField(_("help number"))
    cut_amount = models.BigIntegerField(_("cut (fen)"))
    price_after_amount = models.BigIntegerField(_("price after (fen)"))
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    created_at = models.DateTimeField(_("helped at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bargain help")
        verbose_name_plural = _("bargain helps")
        constraints = [
            models.UniqueConstraint(fields=["bargain", "helper"], name="bargain_one_help_per_friend"),
            models.UniqueConstraint(fields=["bargain", "number"], name="bargain_one_help_per_number"),
            models.CheckConstraint(condition=Q(cut_amount__gte=1), name="bargain_cut_at_least_one_fen"),
        ]

    def __str__(self):
        return f"{self.bargain_id}#{self.number}"


class StatusChange(models.Model):
    """Audit of every move of a bargain: who, when, why."""

    bargain = models.ForeignKey(Bargain, on_delete=models.CASCADE, related_name="+", verbose_name=_("bargain"))
    from_status = models.CharField(_("from status"), max_length=16)
    to_status = models.CharField(_("to status"), max_length=16)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bargain status change")
        verbose_name_plural = _("bargain status changes")

    def __str__(self):
        return f"{self.bargain_id}: {self.from_status} → {self.to_status}"
