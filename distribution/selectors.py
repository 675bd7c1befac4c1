"""The complex readers of resellers, teams and bindings."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from socialshop.sql import SqlJoin, sql_column, sql_table

from .choices import BindingAfterLifetime, BindingRule, ResellerStatus
from .exceptions import NotAReseller, TeamLevelOutOfRange
from .models import TIER_LIMIT_MAX, Binding, DistributionSettings, Reseller, ResellerTotals

NEW_MEMBER_WINDOW = timedelta(days=7)


def distribution_settings_get() -> DistributionSettings:
    """The platform's distribution rules (defaults when no operator saved them)."""
    try:  # get(), not first(): one row by primary key needs no ORDER BY (placing an order reads this)
        return DistributionSettings.objects.get(pk=DistributionSettings.SINGLETON_ID)
    except DistributionSettings.DoesNotExist:
        return DistributionSettings()


DEFAULT_TIER_COUNT = 2  # DESIGN §3: two tiers unless the commission plan says otherwise


def _default_tier_count() -> int:
    return DEFAULT_TIER_COUNT


_tier_count_source: Callable[[], int] = _default_tier_count


def tier_count_source_set(source: Callable[[], int]) -> None:
    """Say who knows how many tiers earn now. The commission plans live in
    ``commissions``, above this app, so commissions registers its answer at
    start-up (``CommissionsConfig.ready``); until then, 2."""
    global _tier_count_source
    _tier_count_source = source


def tier_limit_get() -> int:
    """How many tiers earn now (the commission plan in effect), never more
    than 3: also how many levels of its team a reseller sees."""
    return max(1, min(_tier_count_source(), TIER_LIMIT_MAX))


def reseller_for_user(user: User) -> Reseller:
    """The caller's reseller, or NotAReseller (404: nothing to show)."""
    reseller = (
        Reseller.objects.select_related("user", "inviter__user", "totals").filter(user_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if reseller is None:
        raise NotAReseller()
    return reseller


@dataclass(frozen=True)
class UplineMember:
    reseller_id: int
    is_active: bool


# the columns of a reseller row that give its bounded upline (itself, inviter, inviter's inviter)
_UPLINE_COLUMNS = ("id", "status", "inviter_id", "inviter__status", "inviter_2_id", "inviter_2__status")


def reseller_upline_columns(prefix: str = "") -> list[str]:
    """The ``values()`` names that read a reseller's upline through a relation
    (``prefix="attributed_reseller__"``), so a caller reading other rows gets
    the upline in the same query; ``reseller_upline_read`` turns them into
    members."""
    return [prefix + column for column in _UPLINE_COLUMNS]


def reseller_upline_read(values, *, tiers: int = TIER_LIMIT_MAX) -> list[UplineMember]:
    """The members read by ``reseller_upline_columns``, tier 1 first."""
    seller, seller_status, inviter, inviter_status, inviter_2, inviter_2_status = values
    chain = [(seller, seller_status), (inviter, inviter_status), (inviter_2, inviter_2_status)]
    tiers = max(1, min(tiers, TIER_LIMIT_MAX))
    return [
        UplineMember(reseller_id, status == ResellerStatus.ACTIVE)
        for reseller_id, status in chain[:tiers]
        if reseller_id is not None
    ]


def reseller_uplines(*, reseller_ids: set[int], tiers: int) -> dict[int, list[UplineMember]]:
    """The resellers a commission on a sale attributed to each of
    ``reseller_ids`` may pay (an order's lines can be attributed to several),
    tier 1 first: the reseller, its inviter, the inviter's inviter, at most
    ``tiers`` (≤ 3) each, in one query whatever their number, the tree's size
    or depth: it reads the bounded path (inviter, inviter_2) kept on each
    reseller. Frozen or pending ones are included, with their status: the
    commission engine pays only active ones (``is_active``)."""
    rows = Reseller.objects.filter(pk__in=reseller_ids).values_list(*reseller_upline_columns())
    return {row[0]: reseller_upline_read(row, tiers=tiers) for row in rows}


@dataclass(frozen=True)
class TeamLevel:
    level: int
    size: int
    new_this_week: int


@dataclass(frozen=True)
class TeamSummary:
    reseller: Reseller
    inviter: Reseller | None
    tier_limit: int
    team_size: int
    team_sales_amount: int
    own_sales_amount: int
    levels: list[TeamLevel]

    @property
    def new_this_week(self) -> int:
        return sum(level.new_this_week for level in self.levels)


def _level_filter(level: int) -> str:
    return Reseller.UPLINE_FIELDS[level]


def team_summary(*, reseller: Reseller, now: datetime | None = None) -> TeamSummary:
    """What a reseller's team page heads with: its inviter, team size and
    sales (one row of totals, whatever the team's size), the size of each
    level it may see (the platform's tier limit, at most 3) and who joined
    those levels in the last 7 days (one count per level)."""
    tier_limit = tier_limit_get()
    totals = ResellerTotals.objects.filter(pk=reseller.pk).first() or ResellerTotals(reseller=reseller)
    since = (now or timezone.now()) - NEW_MEMBER_WINDOW
    levels = []
    for level in range(1, tier_limit + 1):
        size = totals.level_size(level)
        recent = (
            Reseller.objects.filter(**{_level_filter(level): reseller, "joined_at__gte": since}).count() if size else 0
        )
        levels.append(TeamLevel(level=level, size=size, new_this_week=recent))
    inviter = (
        Reseller.objects.select_related("user").filter(pk=reseller.inviter_id).first() if reseller.inviter_id else None
    )
    return TeamSummary(
        reseller=reseller,
        inviter=inviter,
        tier_limit=tier_limit,
        team_size=totals.team_size,
        team_sales_amount=totals.team_sales_amount,
        own_sales_amount=totals.own_sales_amount,
        levels=levels,
    )


class TeamMemberList(Sequence):
    """The members of one level of a team, newest first, for a paginator.

    Its length comes from the team's totals row (no COUNT over a big team),
    and a page is read in two steps: the ids from the downline index, then
    only those rows with their users and totals; so a deep page skips index
    entries, not joined rows."""

    def __init__(self, *, reseller: Reseller, level: int, size: int):
        self.level = level
        self._size = size
        self._ids = (
            Reseller.objects.filter(**{_level_filter(level): reseller})
            .order_by("-joined_at", "-id")
            .values_list("id", flat=True)
        )

    def __len__(self) -> int:
        return self._size

    def count(self) -> int:
        return self._size

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = list(self._ids[index])
        rows = Reseller.objects.select_related("user", "totals").in_bulk(ids)
        return [rows[member_id] for member_id in ids if member_id in rows]


def team_members(*, reseller: Reseller, level: int = 1) -> TeamMemberList:
    """The members ``level`` levels below ``reseller`` (1: its direct
    downline), newest first, with their user and totals; paginate it. Levels
    beyond the platform's tier limit are not shown (TeamLevelOutOfRange)."""
    if not 1 <= level <= tier_limit_get():
        raise TeamLevelOutOfRange(fields={"level": [str(TeamLevelOutOfRange.default_message)]})
    totals = ResellerTotals.objects.filter(pk=reseller.pk).first()
    return TeamMemberList(reseller=reseller, level=level, size=totals.level_size(level) if totals else 0)


# --- binding ---------------------------------------------------------------


@dataclass(frozen=True)
class BindingState:
    """A customer's current binding as the rule reads it now."""

    binding: Binding
    in_force: bool  # orders outside any shop are attributed to its reseller
    replaceable_from: datetime | None  # when another reseller's link may take over (None: never)


def binding_state(*, customer: User, now: datetime | None = None) -> BindingState | None:
    """The customer's current binding, read with the platform's rule, or None."""
    if not customer.is_authenticated:
        return None
    binding = _binding_current(customer, related="reseller__user")
    return None if binding is None else _binding_read(binding, now)


def _binding_current(customer: User, *, related: str) -> Binding | None:
    """The customer's binding not ended yet: at most one
    (``binding_one_current_per_customer``), so get() and no ORDER BY."""
    try:
        return Binding.objects.select_related(related).get(customer_id=customer.pk, ended_at__isnull=True)
    except Binding.DoesNotExist:
        return None


def binding_current_sql(*, customer: str, binding: str, reseller: str) -> SqlJoin:
    """``_binding_current`` as SQL, for hand-written statements
    (``orders.services.placing_pg``): the bindings joined to their resellers
    under the aliases given, and the condition that picks the current one of
    the customer ``customer`` (an SQL expression: a parameter). Whether it is
    in force is decided on the row read, by ``binding_reseller_in_force``, as
    ``binding_reseller_for`` decides it; ``distribution_settings_sql`` reads
    the settings it needs. ``distribution/tests/test_binding_sql.py`` holds
    the two forms to the same rows."""
    return SqlJoin(
        tables=(
            f"{sql_table(Binding)} {binding} JOIN {sql_table(Reseller)} {reseller}"
            f" ON {reseller}.{sql_column(Reseller, 'id')} = {binding}.{sql_column(Binding, 'reseller')}"
        ),
        condition=(
            f"{binding}.{sql_column(Binding, 'customer')} = {customer}"
            f" AND {binding}.{sql_column(Binding, 'ended_at')} IS NULL"
        ),
    )


def distribution_settings_sql(*, alias: str) -> SqlJoin:
    """The settings row ``distribution_settings_get`` reads, as SQL (absent
    when no operator saved one: the defaults then)."""
    return SqlJoin(
        tables=f"{sql_table(DistributionSettings)} {alias}",
        condition=f"{alias}.{sql_column(DistributionSettings, 'id')} = {int(DistributionSettings.SINGLETON_ID)}",
    )


def _binding_read(binding: Binding, now: datetime | None, settings: DistributionSettings | None = None) -> BindingState:
    settings = settings or distribution_settings_get()
    now = now or timezone.now()
    lifetime = settings.binding_lifetime
    outlived_at = None if lifetime is None else binding.touched_at + lifetime
    outlived = outlived_at is not None and outlived_at <= now
    in_force = not outlived or settings.binding_after_lifetime == BindingAfterLifetime.REPLACEABLE
    if settings.binding_rule == BindingRule.LAST_TOUCH:
        replaceable_from = binding.touched_at
    else:
        replaceable_from = outlived_at
    return BindingState(binding=binding, in_force=in_force, replaceable_from=replaceable_from)


def bindings_outliving_between(*, start: datetime, end: datetime):
    """Current bindings whose lifetime ends in [start, end): the binding rule
    of ``_binding_read`` (the last touch plus the platform's lifetime) as a
    query, for the reminder that a bound customer is about to stop counting
    (notifications). None when bindings are permanent."""
    lifetime = distribution_settings_get().binding_lifetime
    if lifetime is None:
        return Binding.objects.none()
    return Binding.objects.filter(
        ended_at__isnull=True, touched_at__gte=start - lifetime, touched_at__lt=end - lifetime
    )


def binding_reseller_for(*, customer: User, now: datetime | None = None) -> Reseller | None:
    """The reseller an order placed outside any shop is attributed to: the
    customer's binding in force, if any. The orders app snapshots the answer
    on the order, so a later binding never changes a past order. (Placing
    asks this on every such order: it reads the reseller without its user.)"""
    if not customer.is_authenticated:
        return None
    binding = _binding_current(customer, related="reseller")
    if binding is None:
        return None
    return binding_reseller_in_force(binding=binding, settings=distribution_settings_get(), now=now)


def binding_reseller_in_force(
    *, binding: Binding, settings: DistributionSettings, now: datetime | None = None
) -> Reseller | None:
    """``binding_reseller_for`` on a binding (with its reseller) and the
    platform's settings already read: orders' PostgreSQL placing path reads
    both in its one statement. No query."""
    return binding.reseller if _binding_read(binding, now, settings).in_force else None
