"""The funnel's raw records (visits), its daily roll-up, and a reseller's
notes on its bound customers (docs/growth.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from distribution.models import Reseller

from .choices import Channel, RankMeasure, TotalKind


class Visit(models.Model):
    """One view of a shop or product page that arrived with a referral
    (``?ref=``). Written in batches by the drain (``growth.visits``), never
    on the request. ``visitor_key`` is the same keyed hash of the first-party
    cookie that ``shops.ShopVisitor`` stores: no IP, no user. Plain ids, no
    foreign keys: an append-only log the drain COPYs into, pruned after
    ``GROWTH_VISITS_RETENTION_DAYS``."""

    at = models.DateTimeField(_("at"))
    day = models.DateField(_("day (Beijing)"))
    reseller_id = models.BigIntegerField(_("reseller"))
    shop_id = models.BigIntegerField(_("shop"))
    product_id = models.BigIntegerField(_("product"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    visitor_key = models.CharField(_("visitor"), max_length=32)
    batch = models.UUIDField(_("drain batch"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["day", "reseller_id"], name="visit_by_day_reseller")]

    def __str__(self):
        return f"{self.day} · {self.reseller_id} · {self.channel}"


class VisitBatch(models.Model):
    """A drained batch, written in the same transaction as its visits: the
    batch's id is its primary key, so a batch is stored once whoever drains
    it (a worker that resumed and the one that recovered it both try)."""

    id = models.UUIDField(primary_key=True)
    size = models.PositiveIntegerField()
    drained_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visit batch")
        verbose_name_plural = _("visit batches")

    def __str__(self):
        return str(self.id)


class DailyStat(models.Model):
    """The roll-up: one row per Beijing day, reseller and channel that had
    anything. Visits, visitors and new bindings are per channel (a binding's
    own source: link or code); order figures have no channel and sit on the
    row with ``channel`` "". People are counted per day (``visitors``,
    ``buyers``, ``repeat_buyers``): a period's figure sums its days.
    Recomputed from the raw records by ``stats_recompute``."""

    day = models.DateField(_("day (Beijing)"))
    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="+", verbose_name=_("reseller"))
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    visitors = models.PositiveIntegerField(_("unique visitors"), default=0)
    new_bindings = models.PositiveIntegerField(_("new bindings"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    buyers = models.PositiveIntegerField(_("buyers"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    sales_amount = models.BigIntegerField(_("sales (fen)"), default=0)
    commission_amount = models.BigIntegerField(_("commissions (fen)"), default=0)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        constraints = [models.UniqueConstraint(fields=["reseller", "day", "channel"], name="daily_stat_once")]
        indexes = [models.Index(fields=["day"], name="daily_stat_by_day")]

    def __str__(self):
        return f"{self.day} · {self.reseller_id} · {self.channel or 'orders'}"


class DailyProductStat(models.Model):
    """The roll-up per product: one row per Beijing day, reseller and
    product with visits or paid orders."""

    day = models.DateField(_("day (Beijing)"))
    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="+", verbose_name=_("reseller"))
    product_id = models.BigIntegerField(_("product"))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    visitors = models.PositiveIntegerField(_("unique visitors"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    buyers = models.PositiveIntegerField(_("buyers"), default=0)
    sales_amount = models.BigIntegerField(_("sales (fen)"), default=0)

    class Meta:
        verbose_name = _("daily product figures")
        verbose_name_plural = _("daily product figures")
        constraints = [
            models.UniqueConstraint(fields=["reseller", "day", "product_id"], name="daily_product_stat_once")
        ]
        indexes = [models.Index(fields=["day"], name="daily_product_stat_by_day")]

    def __str__(self):
        return f"{self.day} · {self.reseller_id} · {self.product_id}"


class DailyPlatformStat(models.Model):
    """The roll-up for the whole platform: one row per Beijing day. The
    funnel's figures are the day's ``DailyStat`` rows added up; GMV and paid
    orders are every order paid that day (``Order.paid_amount``), refunds
    every refund that succeeded that day. The dashboard reads it for the
    days before today (today is read live). Recomputed with the others."""

    day = models.DateField(_("day (Beijing)"), unique=True)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    visitors = models.PositiveIntegerField(_("unique visitors"), default=0)
    new_bindings = models.PositiveIntegerField(_("new bindings"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    buyers = models.PositiveIntegerField(_("buyers"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    sales_amount = models.BigIntegerField(_("sales (fen)"), default=0)
    commission_amount = models.BigIntegerField(_("commissions (fen)"), default=0)
    gmv_amount = models.BigIntegerField(_("GMV (fen)"), default=0)
    paid_orders = models.PositiveIntegerField(_("paid orders"), default=0)
    refunds_amount = models.BigIntegerField(_("refunds (fen)"), default=0)
    refunds = models.PositiveIntegerField(_("refunds"), default=0)

    class Meta:
        verbose_name = _("daily platform figures")
        verbose_name_plural = _("daily platform figures")

    def __str__(self):
        return str(self.day)


class DailyTotal(models.Model):
    """The dashboard's top lists, one row per Beijing day and reseller,
    product or supplier with anything: a reseller's day is its ``DailyStat``
    rows added up over channels, a product's its ``DailyProductStat`` rows
    over resellers; a supplier's day is every paid line it ships (attributed
    or not). Recomputed with the others."""

    day = models.DateField(_("day (Beijing)"))
    kind = models.CharField(_("kind"), max_length=10, choices=TotalKind.choices)
    item_id = models.BigIntegerField(_("reseller, product or supplier"))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    new_bindings = models.PositiveIntegerField(_("new bindings"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    sales_amount = models.BigIntegerField(_("sales (fen)"), default=0)

    class Meta:
        verbose_name = _("daily total")
        verbose_name_plural = _("daily totals")
        constraints = [models.UniqueConstraint(fields=["kind", "day", "item_id"], name="daily_total_once")]
        indexes = [models.Index(fields=["kind", "item_id", "day"], name="daily_total_by_item")]

    def __str__(self):
        return f"{self.day} · {self.kind} {self.item_id}"


class PeriodRank(models.Model):
    """The peers' ranking of the numbers page, ready: for each period (the
    last 7, 30 or 90 days up to ``last_day``) and measure, every reseller
    with more than nothing, its total, its ``rank`` (1 + how many did
    better: ties share it) and its ``position`` in the list (ties by id).
    Refreshed from ``DailyTotal`` whenever today's roll-up is."""

    days = models.PositiveSmallIntegerField(_("period (days)"))
    measure = models.CharField(_("measure"), max_length=20, choices=RankMeasure.choices)
    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="+", verbose_name=_("reseller"))
    total = models.BigIntegerField(_("total"))
    rank = models.PositiveIntegerField(_("rank"))
    position = models.PositiveIntegerField(_("position"))
    last_day = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        constraints = [
            models.UniqueConstraint(fields=["days", "measure", "reseller"], name="period_rank_once"),
            models.UniqueConstraint(fields=["days", "measure", "position"], name="period_rank_position_once"),
        ]

    def __str__(self):
        return f"{self.days} · {self.measure} · {self.position}"


class CustomerNote(models.Model):
    """A reseller's private tags and note on one of its customers (锁粉客户);
    the customer never sees them."""

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="+", verbose_name=_("reseller"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    tags = models.CharField(_("tags"), max_length=100, blank=True)
    note = models.TextField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        constraints = [models.UniqueConstraint(fields=["reseller", "customer"], name="customer_note_once")]

    def __str__(self):
        return f"{self.reseller_id} → {self.customer_id}"

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class Reminder(models.Model):
    """Follow up with a customer on a day: shown on the workbench from that
    day until done; the beat emits ``customer.reminder_due`` once
    (``notified_at``)."""

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="+", verbose_name=_("reseller"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    due_on = models.DateField(_("due on"))
    text = models.CharField(_("what to do"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["reseller", "due_on"], condition=Q(done_at__isnull=True), name="reminder_open"),
            models.Index(fields=["due_on"], condition=Q(notified_at__isnull=True), name="reminder_to_notify"),
        ]

    def __str__(self):
        return f"{self.due_on} · {self.text}"


class RankingOptIn(models.Model):
    """A reseller that agreed to be named (masked) in its peers' ranking."""

    reseller = models.OneToOneField(Reseller, on_delete=models.CASCADE, primary_key=True, related_name="+")
    opted_in_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.reseller_id)
