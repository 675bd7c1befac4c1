import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.exceptions import RoleChangeRefused
from accounts.tests.factories import UserFactory
from distribution.choices import (
    RESELLER_MOVE_KINDS,
    RESELLER_TRANSITIONS,
    BindingSource,
    ResellerEventKind,
    ResellerStatus,
)
from distribution.codes import ALPHABET, LENGTH
from distribution.exceptions import (
    AlreadyReseller,
    InvalidStatusChange,
    InviteCodeUnknown,
    InviterNotActive,
    MoveChangesNothing,
    MoveWouldCreateCycle,
    ReasonRequired,
)
from distribution.models import Binding, Reseller, ResellerEvent, ResellerSale
from distribution.services import (
    reseller_approve,
    reseller_create_root,
    reseller_freeze,
    reseller_join,
    reseller_move,
    reseller_sale_record,
    reseller_unfreeze,
    team_sales_roll_up,
)

from .factories import ResellerFactory
from .recount import tree_bounded_path_errors, tree_recount, tree_totals

pytestmark = pytest.mark.django_db


def test_an_operator_creates_a_root_reseller_with_a_short_unambiguous_code(operator):
    user = UserFactory()

    reseller = reseller_create_root(user=user, actor=operator)

    assert reseller.inviter is None and reseller.is_active
    assert len(reseller.invite_code) == LENGTH and set(reseller.invite_code) <= set(ALPHABET)
    assert not set(reseller.invite_code) & set("0O1IL")
    user.refresh_from_db()
    assert user.role == Role.RESELLER
    event = reseller.events.get()
    assert (event.kind, event.actor) == (ResellerEventKind.CREATED_ROOT, operator)


def test_a_customer_joins_with_an_invite_code_as_typed(operator):
    inviter = ResellerFactory()
    user = UserFactory()

    reseller = reseller_join(user=user, invite_code=f" {inviter.invite_code.lower()[:3]} {inviter.invite_code[3:]}")

    assert reseller.inviter == inviter
    assert reseller.status == ResellerStatus.ACTIVE
    assert inviter.totals.__class__.objects.get(pk=inviter.pk).team_size == 1
    joined = reseller.events.get()
    assert (joined.kind, joined.actor, joined.new_inviter) == (ResellerEventKind.JOINED, user, inviter)


def test_joining_pays_nobody_and_binds_the_new_reseller_to_its_inviter():
    inviter = ResellerFactory()
    user = UserFactory()

    reseller_join(user=user, invite_code=inviter.invite_code)

    assert not ResellerSale.objects.exists()  # no recruiting bonus of any kind is recorded
    binding = Binding.objects.get(customer=user)
    assert (binding.reseller, binding.source) == (inviter, BindingSource.INVITE_CODE)


def test_invite_codes_are_unique_across_many_resellers():
    root = ResellerFactory()
    codes = {root.invite_code} | {ResellerFactory(inviter=root).invite_code for _ in range(50)}

    assert len(codes) == 51 == Reseller.objects.count()


@pytest.mark.parametrize("required, status", [(False, ResellerStatus.ACTIVE), (True, ResellerStatus.PENDING)])
def test_the_approval_setting_decides_whether_new_resellers_wait(distribution_settings, required, status):
    distribution_settings(reseller_approval_required=required)

    reseller = reseller_join(user=UserFactory(), invite_code=ResellerFactory().invite_code)

    assert reseller.status == status


def test_an_operator_approves_a_pending_reseller_once(distribution_settings, operator):
    distribution_settings(reseller_approval_required=True)
    reseller = reseller_join(user=UserFactory(), invite_code=ResellerFactory().invite_code)

    reseller_approve(reseller=reseller, actor=operator)

    reseller.refresh_from_db()
    assert reseller.is_active
    assert reseller.events.filter(kind=ResellerEventKind.APPROVED, actor=operator).exists()
    with pytest.raises(InvalidStatusChange):
        reseller_approve(reseller=reseller, actor=operator)


def test_a_pending_reseller_cannot_invite_yet(distribution_settings):
    distribution_settings(reseller_approval_required=True)
    pending = reseller_join(user=UserFactory(), invite_code=ResellerFactory().invite_code)

    with pytest.raises(InviterNotActive):
        reseller_join(user=UserFactory(), invite_code=pending.invite_code)


@pytest.mark.parametrize("code", ["", "NOPE22", "ABC"])
def test_an_unknown_invite_code_is_refused_and_changes_nothing(code):
    user = UserFactory()

    with pytest.raises(InviteCodeUnknown):
        reseller_join(user=user, invite_code=code)

    user.refresh_from_db()
    assert user.role == Role.CUSTOMER
    assert not Reseller.objects.filter(user=user).exists()


def test_a_reseller_cannot_join_twice():
    reseller = ResellerFactory(inviter=ResellerFactory())

    with pytest.raises(AlreadyReseller):
        reseller_join(user=reseller.user, invite_code=ResellerFactory().invite_code)


def test_supplier_staff_cannot_become_resellers():
    user = UserFactory(role=Role.SUPPLIER_STAFF)

    with pytest.raises(RoleChangeRefused):
        reseller_join(user=user, invite_code=ResellerFactory().invite_code)

    assert not Reseller.objects.filter(user=user).exists()


def test_freezing_needs_a_reason_and_is_audited(operator):
    reseller = ResellerFactory()

    with pytest.raises(ReasonRequired):
        reseller_freeze(reseller=reseller, actor=operator, reason="  ")
    reseller_freeze(reseller=reseller, actor=operator, reason="fake reviews")

    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.FROZEN
    event = reseller.events.get(kind=ResellerEventKind.FROZEN)
    assert (event.actor, event.reason) == (operator, "fake reviews")


def test_a_frozen_reseller_is_unfrozen_with_a_reason(operator):
    reseller = ResellerFactory(status=ResellerStatus.FROZEN)

    reseller_unfreeze(reseller=reseller, actor=operator, reason="appeal accepted")

    reseller.refresh_from_db()
    assert reseller.is_active
    with pytest.raises(InvalidStatusChange):
        reseller_unfreeze(reseller=reseller, actor=operator, reason="again")


STATUS_VERBS = {  # each operator's verb: the call, the status it moves to, the kind of move it records
    "approve": (reseller_approve, ResellerStatus.ACTIVE, ResellerEventKind.APPROVED),
    "freeze": (reseller_freeze, ResellerStatus.FROZEN, ResellerEventKind.FROZEN),
    "unfreeze": (reseller_unfreeze, ResellerStatus.ACTIVE, ResellerEventKind.UNFROZEN),
}


@pytest.mark.parametrize("verb", list(STATUS_VERBS))
@pytest.mark.parametrize("start", ResellerStatus.values)
def test_each_verb_makes_only_its_declared_move(operator, start, verb):
    reseller = ResellerFactory(status=start)
    call, target, kind = STATUS_VERBS[verb]
    reason = {} if verb == "approve" else {"reason": "r"}
    allowed = (start, target) in RESELLER_TRANSITIONS and RESELLER_MOVE_KINDS[(start, target)] == kind

    if allowed:
        call(reseller=reseller, actor=operator, **reason)
    else:
        with pytest.raises(InvalidStatusChange) as refused:
            call(reseller=reseller, actor=operator, **reason)
        assert refused.value.extra["current_state"] == start

    assert Reseller.objects.get(pk=reseller.pk).status == reseller.status == (target if allowed else start)
    moves = reseller.events.filter(kind__in=[kind for _call, _target, kind in STATUS_VERBS.values()])
    assert list(moves.values_list("kind", "actor")) == ([(kind, operator.pk)] if allowed else [])


def test_a_frozen_reseller_invites_nobody(operator):
    reseller = ResellerFactory()
    reseller_freeze(reseller=reseller, actor=operator, reason="complaints")

    with pytest.raises(InviterNotActive):
        reseller_join(user=UserFactory(), invite_code=reseller.invite_code)


def test_freezing_keeps_the_team_where_it_is(operator):
    root = ResellerFactory()
    middle = ResellerFactory(inviter=root)
    ResellerFactory(inviter=middle)

    reseller_freeze(reseller=middle, actor=operator, reason="complaints")

    assert root.downline.get() == middle
    assert tree_totals() == tree_recount()


def test_a_move_carries_the_whole_team_and_is_audited(operator):
    # given  A → B → C → D and another root E
    a = ResellerFactory()
    b = ResellerFactory(inviter=a)
    c = ResellerFactory(inviter=b)
    ResellerFactory(inviter=c)
    e = ResellerFactory()

    # when B moves under E
    reseller_move(reseller=b, new_inviter=e, actor=operator, reason="asked to change team")

    # then B's team came along and the totals of both uplines are right
    b.refresh_from_db()
    assert b.inviter == e
    c.refresh_from_db()
    assert (c.inviter_id, c.inviter_2_id, c.inviter_3_id) == (b.id, e.id, None)
    assert tree_bounded_path_errors() == []
    totals = tree_totals()
    assert totals == tree_recount()
    assert totals[a.id]["team_size"] == 0
    assert (totals[e.id]["team_size"], totals[e.id]["level_3_size"]) == (3, 1)
    event = ResellerEvent.objects.get(kind=ResellerEventKind.MOVED)
    assert (event.reseller, event.actor, event.previous_inviter, event.new_inviter, event.reason) == (
        b,
        operator,
        a,
        e,
        "asked to change team",
    )


def test_a_reseller_can_be_made_a_root(operator):
    a = ResellerFactory()
    b = ResellerFactory(inviter=a)

    reseller_move(reseller=b, new_inviter=None, actor=operator, reason="now a partner of the platform")

    b.refresh_from_db()
    assert b.inviter is None
    assert tree_totals() == tree_recount()


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_a_move_under_its_own_team_is_refused(operator, target):
    a = ResellerFactory()
    child = ResellerFactory(inviter=a)
    grandchild = ResellerFactory(inviter=child)
    new_inviter = {"itself": a, "child": child, "grandchild": grandchild}[target]

    with pytest.raises(MoveWouldCreateCycle):
        reseller_move(reseller=a, new_inviter=new_inviter, actor=operator, reason="mistake")

    assert a.__class__.objects.get(pk=a.pk).inviter_id is None
    assert not ResellerEvent.objects.filter(kind=ResellerEventKind.MOVED).exists()
    assert tree_totals() == tree_recount()


def test_a_move_needs_a_reason_and_a_change(operator):
    a = ResellerFactory()
    b = ResellerFactory(inviter=a)

    with pytest.raises(ReasonRequired):
        reseller_move(reseller=b, new_inviter=ResellerFactory(), actor=operator, reason="")
    with pytest.raises(MoveChangesNothing):
        reseller_move(reseller=b, new_inviter=a, actor=operator, reason="no-op")


def test_sales_roll_up_into_every_ancestor_once():
    # given A → B → C
    a = ResellerFactory()
    b = ResellerFactory(inviter=a)
    c = ResellerFactory(inviter=b)

    # when the orders app reports sales (one twice) and the roll-up runs twice
    assert reseller_sale_record(reseller_id=c.id, amount=12_800, key="order-line:1:paid")
    assert not reseller_sale_record(reseller_id=c.id, amount=12_800, key="order-line:1:paid")
    reseller_sale_record(reseller_id=b.id, amount=5_000, key="order-line:2:paid")
    reseller_sale_record(reseller_id=c.id, amount=-2_800, key="order-line:1:refund:1")
    assert team_sales_roll_up() == 3
    assert team_sales_roll_up() == 0

    # then
    totals = tree_totals()
    assert totals == tree_recount()
    assert (totals[a.id]["team_sales_amount"], totals[b.id]["team_sales_amount"]) == (15_000, 10_000)
    assert (totals[b.id]["own_sales_amount"], totals[c.id]["own_sales_amount"]) == (5_000, 10_000)


def test_sales_move_with_their_seller():
    a = ResellerFactory()
    b = ResellerFactory(inviter=a)
    e = ResellerFactory()
    reseller_sale_record(reseller_id=b.id, amount=9_900, key="k1")
    team_sales_roll_up()
    reseller_sale_record(reseller_id=b.id, amount=100, key="k2")  # reported, not rolled up yet

    reseller_move(reseller=b, new_inviter=e, actor=UserFactory(role=Role.OPERATOR, is_staff=True), reason="x")
    team_sales_roll_up()

    totals = tree_totals()
    assert totals == tree_recount()
    assert (totals[a.id]["team_sales_amount"], totals[e.id]["team_sales_amount"]) == (0, 10_000)


def test_the_roll_up_works_in_batches():
    root = ResellerFactory()
    sellers = [ResellerFactory(inviter=root) for _ in range(5)]
    for index, seller in enumerate(sellers):
        reseller_sale_record(reseller_id=seller.id, amount=100 * (index + 1), key=f"sale-{index}")

    assert team_sales_roll_up(batch_size=2, max_batches=1) == 2
    assert team_sales_roll_up(batch_size=2) == 3

    assert tree_totals()[root.id]["team_sales_amount"] == 1_500


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_joins_and_moves_cost_the_same_number_of_queries_at_any_depth(operator):
    shallow = ResellerFactory()
    deep = shallow
    for _ in range(40):
        deep = ResellerFactory(inviter=deep)
    other = ResellerFactory()

    def join_under(inviter):
        return lambda: reseller_join(user=UserFactory(), invite_code=inviter.invite_code)

    def move(reseller):
        return lambda: reseller_move(reseller=reseller, new_inviter=other, actor=operator, reason="x")

    assert _queries(join_under(shallow)) == _queries(join_under(deep))
    assert _queries(move(ResellerFactory(inviter=shallow))) == _queries(move(ResellerFactory(inviter=deep)))
    assert tree_totals() == tree_recount()
