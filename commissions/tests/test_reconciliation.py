import pytest
from django.core.management import call_command

from accounts.tests.factories import OperatorFactory
from commissions.models import PayoutItem
from commissions.providers import PayoutProviderUnavailable
from commissions.reconciliation import reconcile
from commissions.services.withdrawals import (
    payout_batch_create,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from distribution.tests.factories import ResellerFactory
from ledger.choices import AccountKind
from ledger.models import LedgerAccount
from sandbox.models import SandboxPayoutRecord
from socialshop.money import format_yuan

from .factories import credit_withdrawable

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(django_capture_on_commit_callbacks):
    """Withdrawals in every end state, through the services."""
    operator = OperatorFactory()
    resellers = [ResellerFactory() for _ in range(3)]
    for reseller in resellers:
        credit_withdrawable(reseller.pk, 30_000, str(reseller.pk))
    paid = withdrawal_request(reseller=resellers[0], amount=10_000)
    withdrawal_approve(operator=operator, withdrawal_id=paid.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_create(operator=operator)
    rejected = withdrawal_request(reseller=resellers[1], amount=10_000)
    withdrawal_reject(operator=operator, withdrawal_id=rejected.pk, reason="no")
    withdrawal_request(reseller=resellers[2], amount=10_000)
    return resellers


def test_books_kept_by_the_services_reconcile(books, capsys):
    assert all(result.ok for result in reconcile())

    call_command("reconcile")

    assert "reconciliation passed" in capsys.readouterr().out


def test_a_tampered_balance_is_reported_and_the_command_fails(books, capsys):
    LedgerAccount.objects.filter(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=books[0].pk).update(balance_amount=1)

    with pytest.raises(SystemExit) as exit_code:
        call_command("reconcile")

    assert exit_code.value.code == 1
    assert "缓存余额为 ¥0.01，但分录合计为 ¥200.00" in capsys.readouterr().out  # operators read Chinese


def test_a_payout_the_provider_made_but_nobody_recorded_is_reported(books):
    item = PayoutItem.objects.get()
    SandboxPayoutRecord.objects.create(
        reference="WD999-LOST",
        reseller_id=item.withdrawal.reseller_id,
        amount=1,
        succeeded=True,
        provider_reference="x",
    )

    breaks = {result.key: result.breaks for result in reconcile()}["no withdrawal is paid twice"]

    assert breaks == ["打款渠道已付款 WD999-LOST，但没有打款明细记录为已付"]


class ProviderWithoutStatements:
    """A payout provider that cannot be asked what it paid (its statements are down)."""

    def payout_send(self, *, reference, reseller_id, amount):
        raise PayoutProviderUnavailable("down")

    def payouts_made(self):
        raise PayoutProviderUnavailable("statements unavailable")


def test_a_provider_that_cannot_say_what_it_paid_is_reported_not_passed(books, settings):
    settings.PAYOUT_PROVIDER = f"{__name__}.ProviderWithoutStatements"

    breaks = {result.key: result.breaks for result in reconcile()}["no withdrawal is paid twice"]

    assert breaks == ["无法从打款渠道查询已付款项：statements unavailable"]


def test_the_periodic_run_alerts_operators_on_the_admin_front_page(books, client, caplog):
    from commissions.tasks import reconcile_task

    client.force_login(OperatorFactory())
    assert reconcile_task.delay().get() is True
    assert (
        "Reconciliation passed" in client.get("/admin/").content.decode()
        or "对账通过" in client.get("/admin/").content.decode()
    )

    LedgerAccount.objects.filter(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=books[0].pk).update(balance_amount=1)
    assert reconcile_task.delay().get() is False

    page = client.get("/admin/").content.decode()
    assert "对账发现异常" in page and "缓存余额为 ¥0.01" in page
    assert "reconciliation found breaks" in caplog.text


def test_a_commission_whose_money_moved_without_it_is_reported(django_capture_on_commit_callbacks):
    from commissions.models import Commission
    from orders.tests.factories import pay, place, shop_selling

    shop, sku = shop_selling(price=12_000)
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert all(result.ok for result in reconcile())
    commission = Commission.objects.filter(kind="tier").first()
    Commission.objects.filter(pk=commission.pk).update(amount=commission.amount + 1)

    breaks = {result.key: result.breaks for result in reconcile()}

    assert breaks["every commission's state matches its ledger entries"] == [
        f"佣金 {commission.pk} 应得 {format_yuan(commission.amount + 1)}，但账本入账 {format_yuan(commission.amount)}"
    ]


def test_a_line_paying_out_more_than_its_margin_is_reported(django_capture_on_commit_callbacks):
    from commissions.models import Commission
    from orders.models import OrderLine
    from orders.tests.factories import pay, place, shop_selling

    shop, sku = shop_selling(price=12_000)
    healthy, broken = place(shop=shop, sku=sku), place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(healthy)
        pay(broken)
    line = OrderLine.objects.get(order=broken)
    margin = line.paid_amount - line.cost_amount * line.quantity
    paid_out = sum(Commission.objects.filter(order_line=line).values_list("amount", flat=True))
    markup = Commission.objects.get(order_line=line, kind="markup")
    Commission.objects.filter(pk=markup.pk).update(amount=markup.amount + margin - paid_out + 1)  # a bug's doing

    breaks = {result.key: result.breaks for result in reconcile()}

    assert breaks["per order line, commissions and markup stay within the margin"] == [
        f"订单明细 {line.pk} 付出 {format_yuan(margin + 1)}，超过毛利 {format_yuan(margin)}"
    ]


def test_a_cancelled_paid_order_not_refunded_in_full_is_reported(django_capture_on_commit_callbacks):
    from orders.choices import Actor, OrderStatus
    from orders.models import Order
    from orders.services.lifecycle import order_cancel
    from orders.tests.factories import pay, place, shop_selling

    shop, sku = shop_selling(price=11_800)
    refunded, on_its_way, broken = (place(shop=shop, sku=sku) for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        for order in (refunded, on_its_way, broken):
            pay(order)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=refunded.pk, by=refunded.buyer, actor_kind=Actor.BUYER, reason="x")
    # cancelled, its refund approved and not executed yet: on its way, not a break
    order_cancel(order_id=on_its_way.pk, by=on_its_way.buyer, actor_kind=Actor.BUYER, reason="x")
    Order.objects.filter(pk=broken.pk).update(status=OrderStatus.CANCELLED)  # a bug's doing: nothing refunded

    breaks = {result.key: result.breaks for result in reconcile()}

    assert breaks["every cancelled paid order is refunded in full"] == [
        f"订单 {broken.number}（id {broken.pk}）支付 ¥118.00 后被取消，但只退款 ¥0.00，另有 ¥0.00 在退款途中"
    ]
