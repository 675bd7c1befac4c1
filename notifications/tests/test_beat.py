"""The beat tasks' messages: a supplier hears of paid parcels in one digest
(never one message per order, never twice), a reseller of bound customers
about to stop counting as theirs (once per binding and touch)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.services import supplier_staff_add
from distribution.choices import BindingSource
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from notifications.models import Message
from notifications.services import bindings_expiring_emit, ship_digests_emit
from orders.tests.factories import pay, place, shop_selling
from socialshop.events import events_consume

pytestmark = pytest.mark.django_db


def _consume():
    events_consume(consumer="notifications")  # what the after-commit wake-up does (tests keep one transaction)


def test_a_supplier_hears_of_several_paid_orders_in_one_digest_and_never_twice(settings):
    settings.SMS_PROVIDER = "accounts.sms.console.ConsoleSmsProvider"
    shop, sku = shop_selling()
    staff = UserFactory(email="ship@supplier.example.com")
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    first, second = (pay(place(shop=shop, sku=sku)) for _ in range(2))
    _consume()

    assert ship_digests_emit() == 1
    _consume()
    assert ship_digests_emit() == 0  # nothing new: nobody is told again
    _consume()

    (digest,) = Message.objects.filter(recipient=staff, kind="ship_digest")
    assert digest.title == "2 个订单待发货"
    assert first.number in digest.body and second.number in digest.body

    third = pay(place(shop=shop, sku=sku))
    _consume()
    ship_digests_emit()
    _consume()
    newest = Message.objects.filter(recipient=staff, kind="ship_digest").order_by("-pk").first()
    assert newest.title == "1 个订单待发货" and third.number in newest.body and first.number not in newest.body


def test_a_reseller_hears_once_of_bound_customers_about_to_expire(settings):
    now = timezone.now()
    reseller = ResellerFactory()
    soon, later = UserFactory(), UserFactory()
    binding_touch(customer=soon, reseller=reseller, source=BindingSource.INVITE_CODE, at=now - timedelta(days=28))
    binding_touch(customer=later, reseller=reseller, source=BindingSource.INVITE_CODE, at=now - timedelta(days=10))

    assert bindings_expiring_emit(now=now) == 1
    assert bindings_expiring_emit(now=now + timedelta(hours=12)) == 0  # told once
    _consume()

    (message,) = Message.objects.filter(recipient=reseller.user, kind="binding_expiring")
    assert message.title == "1 位锁粉客户即将到期"
    assert "再次通过您的链接访问即可续期" in message.body

    # the customer comes back through the link: the binding is renewed, and its next end is told again
    binding_touch(customer=soon, reseller=reseller, source=BindingSource.INVITE_CODE, at=now + timedelta(days=1))
    assert bindings_expiring_emit(now=now + timedelta(days=29)) == 1


def test_permanent_bindings_are_never_about_to_expire(settings):
    from distribution.models import DistributionSettings

    DistributionSettings.objects.update_or_create(
        pk=DistributionSettings.SINGLETON_ID, defaults={"binding_lifetime_days": None}
    )
    binding_touch(
        customer=UserFactory(),
        reseller=ResellerFactory(),
        source=BindingSource.INVITE_CODE,
        at=timezone.now() - timedelta(days=400),
    )
    assert bindings_expiring_emit() == 0


def test_a_settlement_batch_tells_each_reseller_once_what_became_withdrawable(settings):
    from commissions.models import Commission
    from commissions.services.accrual import commissions_create_for_order, commissions_mature
    from commissions.services.settlement import commissions_settle_matured
    from orders.models import Order
    from orders.services.lifecycle import order_confirm_receipt
    from orders.tests.factories import ship
    from shops.tests.factories import ShopFactory

    settings.SMS_PROVIDER = "accounts.sms.console.ConsoleSmsProvider"
    parent = ResellerFactory()
    seller = ResellerFactory(inviter=parent)
    shop, sku = shop_selling(shop=ShopFactory(owner=seller), price=12_000)
    orders = [pay(place(shop=shop, sku=sku)) for _ in range(2)]
    for order in orders:
        commissions_create_for_order(order_id=order.pk)
        ship(order)
        order_confirm_receipt(order_id=order.pk, buyer=order.buyer)
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(
        after_sales_ends_at=timezone.now() - timedelta(days=1)
    )
    for order in orders:
        commissions_mature(order_id=order.pk)

    commissions_settle_matured()
    commissions_settle_matured()  # nothing left: no second message
    _consume()

    (message,) = Message.objects.filter(recipient=seller.user, kind="commissions_settled")
    mine = Commission.objects.filter(beneficiary=seller)
    from socialshop.money import format_yuan

    assert message.title == f"{format_yuan(sum(c.net_amount for c in mine))} 已可提现"
    assert message.body.startswith(f"{mine.count()} 笔佣金")
    assert Message.objects.filter(recipient=parent.user, kind="commissions_settled").count() == 1


def test_operators_hear_when_a_reconciliation_check_breaks_not_every_hour_it_stays_broken(settings, mailoutbox):
    from accounts.tests.factories import OperatorFactory
    from commissions.reconciliation import reconciliation_record
    from orders.models import Order

    settings.EVENTS_LAG_ALERT_MINUTES = 0
    operator = OperatorFactory(email="ops@example.com")
    assert reconciliation_record().ok
    shop, sku = shop_selling()
    order = pay(place(shop=shop, sku=sku))
    assert Order.objects.get(pk=order.pk).paid_at  # paid, and nobody handled order.paid: a break

    assert not reconciliation_record().ok
    assert not reconciliation_record().ok  # still broken: no second message
    _consume()

    (message,) = Message.objects.filter(recipient=operator, kind="reconcile_break")
    assert message.title.startswith("对账发现") and "异常项" in message.body
