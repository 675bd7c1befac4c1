"""A world in which every page of every role has something to show, built
with the apps' factories and services (as shoppers, suppliers, the gateway
and operators would): a supplier with a pictured product of several SKUs,
two resellers (an inviter and its invitee) with shops, a reseller without a
shop yet, a bound shopper with a saved address and a full cart, orders in
every state, refunds asked, approved and refused, settled commissions,
withdrawals in every state and a payout batch.

Used by the all-pages browser walk, the page-weight budget and the
constant-query tests (``shop_world`` builds a shop of any size)."""

from dataclasses import dataclass, field
from datetime import timedelta

from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.services import product_image_add
from catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory, SupplierStaffFactory
from commissions.choices import GradeConditionKind
from commissions.models import Grade, GradeCondition, ResellerGrade, Withdrawal
from commissions.services.accrual import commissions_create_for_order, commissions_mature
from commissions.services.grades import reseller_grade_evaluate
from commissions.services.settlement import commissions_settle_matured
from commissions.services.withdrawals import (
    payout_batch_create,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from coupons.choices import CouponFunder
from coupons.tests.factories import CouponFactory, claimed
from demo.world import demo_product_image
from distribution.choices import BindingSource
from distribution.services import binding_touch
from distribution.tests.factories import ResellerFactory
from orders.choices import Actor
from orders.models import Order
from orders.services.addresses import address_save
from orders.services.carts import cart_items_add
from orders.services.fulfilment import fulfilment_deliver
from orders.services.lifecycle import order_cancel, order_confirm_receipt
from orders.services.payments import payment_start
from orders.services.placing import LineRequest
from orders.services.refunds import refund_decide, refund_request
from orders.tests.factories import NOTIFY_URL, RETURN_URL, an_address, pay, place, ship
from shops.models import ShopProduct
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory


@dataclass
class PagesWorld:
    operator: object
    supplier_staff: object  # a SupplierMembership: .user, .supplier
    reseller: object  # the inviter, with a shop, orders and money
    downline: object  # its invitee, with a shop of its own
    reseller_without_shop: object
    shopper: object
    shop: object
    product: object
    sku: object
    pick: object
    orders: dict = field(default_factory=dict)  # state → Order
    refundable: object = None  # (order, line) the shopper may still ask a refund on
    payment_reference: str = ""  # an open sandbox payment of the unpaid order
    group: object = None  # an open 拼团 group the shopper opened (groupbuy)
    coupon: object = None  # in the coupon centre; the shopper holds one (coupons/)
    flash_item: object = None  # a live flash sale of the other product (flash sales)
    bargain: object = None  # the shopper's 砍价 on the dress, helped once by the reseller (bargain)


def _sku_set(product, specs, *, price_step=1000):
    return [
        SkuFactory(
            product=product,
            code=f"S{product.pk:02d}-{index + 1:02d}",
            spec=spec,
            list_price_amount=12_900 + index * price_step,
            max_resale_amount=30_000,
        )
        for index, spec in enumerate(specs)
    ]


def pages_world_build() -> PagesWorld:
    operator = OperatorFactory(nickname="平台运营小王")
    staff = SupplierStaffFactory(supplier__name="杭州丝语服饰有限公司", user__nickname="丝语客服")
    category = CategoryFactory(name="服饰", slug="apparel")
    product = ProductFactory(
        supplier=staff.supplier, category=category, title="真丝印花连衣裙", description="桑蚕丝面料，垂感好。"
    )
    skus = _sku_set(
        product, [{"颜色": "雾蓝", "尺码": "M"}, {"颜色": "杏色", "尺码": "M"}, {"颜色": "杏色", "尺码": "L"}]
    )
    product_image_add(product=product, data=demo_product_image(product.title, size=400))
    other = ProductFactory(supplier=staff.supplier, category=category, title="纯棉宽松T恤")
    _sku_set(other, [{"颜色": "白色"}])
    product_image_add(product=other, data=demo_product_image(other.title, size=400))

    reseller = ResellerFactory(user__nickname="林小美")
    downline = ResellerFactory(user__nickname="陈阿杰", inviter=reseller)
    without_shop = ResellerFactory(user__nickname="王芳", inviter=reseller)
    shop = ShopFactory(owner=reseller, name="小美的好物分享", slug="xiaomei", intro="只卖自己用过的好东西。")
    ShopFactory(owner=downline, name="阿杰的茶与山货", slug="ajie")
    shop_pick_product(shop=shop, product=product, prices={skus[0].pk: skus[0].list_price_amount + 1000})
    shop_pick_product(shop=shop, product=other)
    shop_pick_product(shop=downline.shop, product=product)
    pick = ShopProduct.objects.get(shop=shop, product=product)

    shopper = UserFactory(nickname="张同学")
    address_save(user=shopper, address=an_address(recipient_name="张同学"))
    binding_touch(customer=shopper, reseller=reseller, source=BindingSource.LINK)
    world = PagesWorld(
        operator=operator,
        supplier_staff=staff,
        reseller=reseller,
        downline=downline,
        reseller_without_shop=without_shop,
        shopper=shopper,
        shop=shop,
        product=product,
        sku=skus[0],
        pick=pick,
    )
    _orders(world, skus)
    cart_items_add(user=shopper, entries=[LineRequest(skus[1].pk, 2, shop.slug), LineRequest(skus[2].pk, 1, shop.slug)])
    _money(world)
    _grades(world)
    _group_buying(world, other)
    _coupons(world)
    world.flash_item = _flash_sale(other.skus.get())
    world.bargain = _bargaining(world)
    return world


def _bargaining(world: PagesWorld):
    """A running 砍价 on the dress; the shopper started one and the reseller helped it once."""
    from django.utils import timezone

    from bargain.services import bargain_help, bargain_start, campaign_create

    now = timezone.now()
    campaign = campaign_create(
        by=world.operator,
        sku=world.sku,
        title="好友帮砍 · 真丝连衣裙",
        start_price_amount=world.sku.list_price_amount,
        floor_price_amount=world.sku.cost_amount,
        helps_needed=5,
        time_limit=timedelta(hours=24),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
    )
    bargain = bargain_start(starter=world.shopper, campaign_id=campaign.pk)
    bargain_help(helper=world.reseller.user, bargain_id=bargain.pk)
    return bargain


def _group_buying(world: PagesWorld, product) -> None:
    """A running 拼团 on the T-shirt, with one open group the shopper opened."""
    from django.utils import timezone

    from groupbuy.services import campaign_create, group_open

    sku = product.skus.get()
    now = timezone.now()
    campaign = campaign_create(
        by=world.operator,
        product=product,
        prices={sku.pk: (sku.list_price_amount - 3000, None)},
        title="两人拼团 · 纯棉T恤",
        group_size=2,
        fill_within=timedelta(hours=24),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        per_person_limit=2,
    )
    member = group_open(buyer=world.shopper, campaign_id=campaign.pk, sku_id=sku.pk, quantity=1, address=an_address())
    world.group = member.group


def _coupons(world: PagesWorld) -> None:
    """A platform coupon in the centre that the shopper claimed, a supplier's it has not, and the
    reseller's own promo code (its 优惠码 page)."""
    from coupons.services import reseller_code_create

    reseller_code_create(reseller=world.reseller, code="XIAOMEI10", name="小美立减", off_amount=1_000)
    world.coupon = CouponFactory(name="全场满100减20")
    claimed(world.coupon, user=world.shopper)
    CouponFactory(
        name="山货满300减50",
        threshold_amount=30_000,
        off_amount=5_000,
        funder=CouponFunder.SUPPLIER,
        funder_supplier=world.product.supplier,
    )


def _flash_sale(sku):
    """A flash sale on now, as an operator sets it up in the admin."""
    from datetime import timedelta

    from django.utils import timezone

    from flash.models import FlashCampaign, FlashItem

    now = timezone.now()
    campaign = FlashCampaign.objects.create(
        title="限时秒杀", starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2), per_person_limit=1
    )
    return FlashItem.objects.create(campaign=campaign, sku=sku, flash_price_amount=3_900, planned_stock=20)


def _orders(world: PagesWorld, skus) -> None:
    shopper, shop, operator = world.shopper, world.shop, world.operator

    def placed(sku=skus[0], quantity=1):
        return place(buyer=shopper, shop=shop, sku=sku, quantity=quantity)

    unpaid = placed()
    world.orders["pending_payment"] = unpaid
    world.payment_reference = payment_start(
        order_id=unpaid.pk, buyer=shopper, notify_url=NOTIFY_URL, return_url=RETURN_URL
    ).reference
    world.orders["paid"] = pay(placed(skus[1], 2))
    world.orders["shipped"] = ship(pay(placed()))
    delivered = ship(pay(placed()))
    for group in delivered.fulfilments.all():
        fulfilment_deliver(fulfilment_id=group.pk, supplier=group.supplier, by=world.supplier_staff.user)
    world.orders["delivered"] = delivered
    completed = ship(pay(placed(quantity=3)))
    world.orders["completed"] = order_confirm_receipt(order_id=completed.pk, buyer=shopper)
    cancelled = placed()
    world.orders["cancelled"] = order_cancel(
        order_id=cancelled.pk, by=shopper, buyer=shopper, actor_kind=Actor.BUYER, reason="不想要了"
    )
    asked = ship(pay(placed(quantity=2)))
    line = asked.lines.get()
    refund_request(
        order_id=asked.pk, line_id=line.pk, buyer=shopper, amount=line.line_total_amount // 2, reason="少了一件"
    )
    world.orders["refund_requested"] = asked
    for decision in (True, False):
        decided = ship(pay(placed()))
        line = decided.lines.get()
        refund = refund_request(
            order_id=decided.pk, line_id=line.pk, buyer=shopper, amount=line.line_total_amount, reason="颜色不对"
        )
        refund_decide(refund_id=refund.pk, approve=decision, by=operator, actor_kind=Actor.OPERATOR)
        world.orders["refund_approved" if decision else "refund_rejected"] = decided
    world.refundable = (world.orders["shipped"], world.orders["shipped"].lines.get())
    for key, order in world.orders.items():
        world.orders[key] = Order.objects.get(pk=order.pk)


def _money(world: PagesWorld) -> None:
    """Commissions for the paid orders, the completed one settled, and the
    reseller's withdrawals in every state with a payout batch."""
    for order in Order.objects.filter(paid_at__isnull=False):
        commissions_create_for_order(order_id=order.pk)
    completed = world.orders["completed"]
    commissions_mature(order_id=completed.pk)
    completed.refresh_from_db()
    commissions_settle_matured(now=completed.after_sales_ends_at + timedelta(seconds=1))
    reseller, operator = world.reseller, world.operator
    amounts = [1_000, 1_000, 1_000, 1_000]
    made = [withdrawal_request(reseller=reseller, amount=amount) for amount in amounts]
    withdrawal_approve(operator=operator, withdrawal_id=made[0].pk)
    withdrawal_approve(operator=operator, withdrawal_id=made[1].pk)
    withdrawal_reject(operator=operator, withdrawal_id=made[2].pk, reason="收款账户信息不完整")
    payout_batch_create(operator=operator, withdrawal_ids=[made[0].pk])
    assert Withdrawal.objects.filter(reseller=reseller).count() == len(amounts)


def _grades(world: PagesWorld) -> None:
    """Two grades (分销等级): the entry one, which the reseller holds (a change recorded), and 银牌店主 with
    conditions the reseller is working toward."""
    entry = Grade.objects.create(name="普通店主", badge="普", colour="#7cb342", rank=1)
    silver = Grade.objects.create(
        name="银牌店主", badge="银", colour="#9aa5b1", rank=2, tier1_share_bps=3500, hold_days=30
    )
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.SALES, threshold=100_000, window_days=30)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.BUYING_CUSTOMERS, threshold=5, window_days=30)
    GradeCondition.objects.create(grade=silver, kind=GradeConditionKind.COMPLETED_ORDERS, threshold=3, window_days=90)
    reseller_grade_evaluate(reseller_id=world.reseller.pk)
    assert ResellerGrade.objects.get(reseller=world.reseller).grade == entry


def shop_world(*, products: int, skus_per_product: int, pictures_per_product: int):
    """A shop that picked ``products`` products, each with that many SKUs and
    pictures: for the constant-query and page-weight tests."""
    shop = ShopFactory(name="小美的好物分享", slug=f"size-{products}-{skus_per_product}-{pictures_per_product}")
    category = CategoryFactory(name="服饰", slug="apparel")
    picked = []
    for number in range(products):
        product = ProductFactory(category=category, title=f"真丝印花连衣裙 {number + 1} 号")
        skus = _sku_set(product, [{"尺码": size} for size in "SMLX"[:skus_per_product]] or [{"规格": "标准"}])
        for picture in range(pictures_per_product):
            product_image_add(product=product, data=demo_product_image(f"{product.title}{picture}", size=200))
        shop_pick_product(shop=shop, product=product, prices={skus[0].pk: skus[0].list_price_amount + 500})
        picked.append(product)
    return shop, picked
