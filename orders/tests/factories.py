"""Worlds for order tests, built through the services (an order is placed,
paid, shipped as a shopper, the gateway and a supplier would)."""

from accounts.tests.factories import UserFactory
from catalog.tests.factories import SkuFactory
from orders.choices import Actor
from orders.models import Order
from orders.services.addresses import ShippingAddress
from orders.services.fulfilment import fulfilment_ship
from orders.services.payments import payment_start
from orders.services.placing import LineRequest, order_place
from sandbox.payments import payment_sandbox_complete, sandbox_callback, sandbox_charge_finish
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory

NOTIFY_URL = "http://testserver/payments/sandbox/notify/"
RETURN_URL = "http://testserver/orders/0/"


def an_address(**changes) -> ShippingAddress:
    fields = {
        "recipient_name": "张三",
        "phone": "13800138000",
        "province_code": "44",
        "city_code": "4401",
        "district_code": "440106",
        "street": "体育西路 1 号 2 栋 301",
    }
    return ShippingAddress(**{**fields, **changes})


def shop_selling(*, stock: int = 100, price: int | None = None, shop=None, sku=None, **sku_fields):
    """A public shop that picked one product; its SKU (list price 100.00,
    bounds 60.00–200.00, cost 50.00) at ``price`` (None: the list price)."""
    shop = shop or ShopFactory()
    sku = sku or SkuFactory(stock=stock, **sku_fields)
    shop_pick_product(shop=shop, product=sku.product, prices={sku.pk: price} if price else None)
    return shop, sku


def place(*, buyer=None, shop=None, sku=None, quantity: int = 1, lines=None) -> Order:
    buyer = buyer or UserFactory()
    if lines is None:
        lines = [LineRequest(sku_id=sku.pk, quantity=quantity, shop_slug=shop.slug if shop else None)]
    return order_place(buyer=buyer, lines=lines, address=an_address())


def pay_notice(order: Order, *, pay: bool = True):
    """The shopper opens the payment and pays (or fails) in the sandbox;
    returns the callback the gateway would POST: ``(body, headers)``."""
    session = payment_start(order_id=order.pk, buyer=order.buyer, notify_url=NOTIFY_URL, return_url=RETURN_URL)
    charge = sandbox_charge_finish(reference=session.reference, pay=pay)
    return sandbox_callback(charge)


def pay(order: Order) -> Order:
    """Pay the order end to end through the sandbox (its callback applied)."""
    payment_sandbox_complete(order=order)
    order.refresh_from_db()
    return order


def ship(order: Order, *, tracking: str = "SF1234567890") -> Order:
    for group in order.fulfilments.select_related("supplier"):
        staff = UserFactory(role="supplier_staff")
        fulfilment_ship(
            fulfilment_id=group.pk,
            supplier=group.supplier,
            by=staff,
            carrier="SF",
            tracking_number=tracking,
            actor_kind=Actor.SUPPLIER,
        )
    order.refresh_from_db()
    return order
