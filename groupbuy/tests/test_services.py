"""Group buying through its services, with the real order, payment (sandbox
provider), refund and commission engines; tasks run in process."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from commissions.models import Commission, CommissionDecision
from commissions.reconciliation import reconcile
from distribution.tests.factories import ResellerFactory
from groupbuy.choices import CommissionMode, GroupStatus, MemberStatus
from groupbuy.exceptions import AlreadyInGroup, CampaignInvalid, GroupClosed, GroupFull, OverPersonLimit
from groupbuy.models import Group, Member, StatusChange
from groupbuy.services import groups_sweep
from orders.choices import OrderStatus, RefundStatus
from orders.exceptions import CancelNotAllowed, InvalidTransition
from orders.models import Order, PaymentIssue
from orders.selectors import fulfilments_for_supplier
from orders.services.lifecycle import order_cancel
from orders.services.payments import payment_notice_apply
from orders.tests.factories import pay as pay_only
from orders.tests.factories import pay_notice, ship
from sandbox.payments import SandboxPaymentProvider
from socialshop.models import Event

from .factories import a_campaign, consumers_run, joined, opened

pytestmark = pytest.mark.django_db


def pay(order: Order) -> Order:
    pay_only(order)
    consumers_run()
    order.refresh_from_db()
    return order


def sweep(**kwargs):
    counts = groups_sweep(**kwargs)
    consumers_run()
    return counts


def _order(member: Member) -> Order:
    return Order.objects.get(pk=member.order_id)


def test_a_group_fills_when_its_last_seat_is_paid_and_only_then_ships():
    campaign = a_campaign(size=2, group_price=8000)
    leader = opened(campaign)
    order = _order(leader)
    assert order.total_amount == 8000 and order.awaiting_group
    pay(order)
    leader.refresh_from_db()
    assert leader.status == MemberStatus.PAID and leader.group.status == GroupStatus.OPEN
    supplier = order.lines.get().sku.product.supplier
    assert not fulfilments_for_supplier(supplier=supplier).exists()  # hidden from the supplier
    with pytest.raises(InvalidTransition):
        ship(order)  # and refused if tried
    friend = joined(leader.group_id)
    pay(_order(friend))
    group = Group.objects.get(pk=leader.group_id)
    assert group.status == GroupStatus.SUCCEEDED
    assert fulfilments_for_supplier(supplier=supplier).count() == 2
    assert ship(order).status == OrderStatus.SHIPPED
    assert Event.objects.filter(type="group.succeeded", aggregate_id=group.pk).count() == 1
    assert set(StatusChange.objects.filter(subject="group").values_list("to_status", flat=True)) == {"succeeded"}


def test_the_leader_pays_the_leaders_price():
    campaign = a_campaign(group_price=8000, leader_price=7000)
    leader = opened(campaign)
    assert _order(leader).total_amount == 7000
    assert _order(joined(leader.group_id)).total_amount == 8000


def test_an_expired_group_refunds_every_paid_member_once_and_gives_the_stock_back():
    campaign = a_campaign(size=3, stock=10)
    leader = opened(campaign)
    pay(_order(leader))
    second = joined(leader.group_id)
    pay(_order(second))
    third = joined(leader.group_id)  # holds a seat, never pays
    sku = Sku.objects.get(pk=_order(leader).lines.get().sku_id)
    assert sku.stock == 7
    later = timezone.now() + timedelta(days=2)
    assert sweep(now=later)[GroupStatus.FAILED] == 1
    assert sweep(now=later)[GroupStatus.FAILED] == 0  # a second sweep finds nothing
    group = Group.objects.get(pk=leader.group_id)
    assert group.status == GroupStatus.FAILED
    for member in (leader, second):
        order = _order(member)
        assert order.status == OrderStatus.CANCELLED and order.refunded_amount == order.paid_amount == 8000
        assert [refund.status for refund in order.refunds.all()] == [RefundStatus.SUCCEEDED]
        member.refresh_from_db()
        assert member.status == MemberStatus.REFUNDED
    third.refresh_from_db()
    assert third.status == MemberStatus.RELEASED and _order(third).status == OrderStatus.CANCELLED
    sku.refresh_from_db()
    assert sku.stock == 10
    assert Event.objects.filter(type="group.failed").count() == 1
    assert CommissionDecision.objects.filter(order_id__in=[leader.order_id, second.order_id]).count() == 2
    assert all(check.ok for check in reconcile())


def test_a_full_group_refuses_one_more_and_a_lapsed_seat_is_freed_for_the_next():
    campaign = a_campaign(size=2)
    leader = opened(campaign)
    holder = joined(leader.group_id)
    with pytest.raises(GroupFull):
        joined(leader.group_id)
    body, headers = pay_notice(_order(holder))  # the holder pays at the gateway; its callback comes late
    Member.objects.filter(pk=holder.pk).update(seat_held_until=timezone.now() - timedelta(seconds=1))
    newcomer = joined(leader.group_id)
    holder.refresh_from_db()
    assert holder.status == MemberStatus.RELEASED and _order(holder).status == OrderStatus.CANCELLED
    # the released buyer's payment arrives after its seat went: the money goes back automatically
    notice = SandboxPaymentProvider().notice_parse(body=body, headers=headers)
    assert payment_notice_apply(notice=notice) == "refunded"
    consumers_run()
    assert PaymentIssue.objects.get(session__order_id=holder.order_id).refund_reference
    assert Group.objects.get(pk=leader.group_id).seats_taken == 2
    assert newcomer.status == MemberStatus.PENDING_PAYMENT


def test_a_buyer_holds_one_open_seat_per_campaign_and_at_most_the_limit():
    campaign = a_campaign(size=3, per_person_limit=2)
    buyer = UserFactory()
    leader = opened(campaign, buyer=buyer)
    with pytest.raises(AlreadyInGroup):
        opened(campaign, buyer=buyer)
    with pytest.raises(AlreadyInGroup):
        joined(leader.group_id, buyer=buyer)
    with pytest.raises(OverPersonLimit):
        joined(leader.group_id, quantity=3)
    assert Member.objects.count() == 1 and Order.objects.count() == 1


def test_a_closed_group_refuses_joins():
    campaign = a_campaign(size=2)
    leader = opened(campaign)
    Group.objects.filter(pk=leader.group_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(GroupClosed):
        joined(leader.group_id)


def test_a_member_cannot_cancel_a_paid_order_while_its_group_is_open():
    campaign = a_campaign(size=2)
    leader = opened(campaign)
    order = pay(_order(leader))
    with pytest.raises(CancelNotAllowed):
        order_cancel(order_id=order.pk, by=order.buyer, actor_kind="buyer", reason="", buyer=order.buyer)


@pytest.mark.parametrize(
    ("mode", "bps", "expected_share"),
    [(CommissionMode.NONE, 0, 0), (CommissionMode.FULL, 0, 1), (CommissionMode.REDUCED, 5000, 0.5)],
)
def test_commissions_only_when_the_group_fills_and_as_the_campaign_says(mode, bps, expected_share):
    from distribution.services import binding_touch

    campaign = a_campaign(size=2, group_price=9000, commission_mode=mode, commission_bps=bps)
    reseller = ResellerFactory()
    buyers = [UserFactory(), UserFactory()]
    for buyer in buyers:
        binding_touch(customer=buyer, reseller=reseller, source="link")
    leader = opened(campaign, buyer=buyers[0])
    pay(_order(leader))
    assert not Commission.objects.exists()  # paid, but the group has not filled
    pay(_order(joined(leader.group_id, buyer=buyers[1])))
    amounts = list(Commission.objects.filter(tier=1).values_list("amount", flat=True))
    assert CommissionDecision.objects.count() == 2
    if expected_share == 0:
        assert amounts == []
    else:
        # the default plan's tier-1 share of the margin (90.00 − 50.00), times the campaign's share
        full = Commission.objects.filter(tier=1).first().base_amount
        assert full == 4000
        assert all(amount > 0 for amount in amounts) and len(amounts) == 2
        if expected_share == 0.5:
            assert all(amount <= full // 2 for amount in amounts)
    assert all(check.ok for check in reconcile())


def test_a_campaign_price_below_cost_or_above_the_list_price_is_refused():
    with pytest.raises(CampaignInvalid) as refused:
        a_campaign(group_price=4000)
    assert "prices." in next(iter(refused.value.fields))
    with pytest.raises(CampaignInvalid):
        a_campaign(size=51)
