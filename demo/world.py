"""A believable small world for the demo, built through the services (never
written into tables directly) and safe to run again: every step looks up
what it would create first, by a natural key (phone, name, slug).

Each domain adds its steps to ``demo_world_build``.
"""

import colorsys
import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from catalog.choices import ProductStatus
from catalog.models import Category, Product, Supplier
from catalog.services import (
    SkuInput,
    product_create,
    product_image_add,
    product_set_status,
    supplier_create,
    supplier_staff_add,
)
from commissions.models import Grade, GradeCondition, Withdrawal
from commissions.services.accrual import commissions_create_for_order, commissions_mature
from commissions.services.settlement import commissions_settle_matured
from commissions.services.withdrawals import (
    payout_batch_create,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from distribution.choices import BindingSource
from distribution.models import Binding, Reseller
from distribution.services import binding_touch, reseller_create_root, reseller_join
from orders.choices import Actor
from orders.models import Order
from orders.services.addresses import ShippingAddress, address_save
from orders.services.fulfilment import fulfilment_deliver, fulfilment_ship
from orders.services.lifecycle import order_cancel, order_confirm_receipt
from orders.services.placing import LineRequest, order_place
from orders.services.refunds import refund_decide, refund_request
from sandbox.payments import payment_sandbox_complete
from shops.models import Shop
from shops.selectors import shop_picks_visible
from shops.services import shop_open, shop_pick_product, shop_update
from socialshop.fonts import cjk_font

from .pictures import demo_product_image

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed for the demo on purpose
OPERATOR_PHONE = "13800000000"

CATEGORIES = [
    ("服饰", "apparel"),
    ("美妆", "beauty"),
    ("食品", "food"),
    ("家居", "home"),
]

# supplier → (staff phone, [(title, category slug, description, [(spec, cost, list)])])
SUPPLIERS = {
    "杭州丝语服饰有限公司": (
        "13900000001",
        [
            (
                "真丝印花连衣裙",
                "apparel",
                "桑蚕丝面料，垂感好，夏季通勤。",
                [
                    ({"颜色": "雾蓝", "尺码": "S"}, 16800, 29900),
                    ({"颜色": "雾蓝", "尺码": "M"}, 16800, 29900),
                    ({"颜色": "杏色", "尺码": "M"}, 16800, 29900),
                ],
            ),
            (
                "纯棉宽松T恤",
                "apparel",
                "新疆长绒棉，不起球，不变形。",
                [
                    ({"颜色": "白色", "尺码": "L"}, 3500, 7900),
                    ({"颜色": "黑色", "尺码": "L"}, 3500, 7900),
                ],
            ),
            ("羊毛混纺围巾", "apparel", "柔软亲肤，秋冬百搭。", [({"颜色": "驼色"}, 6000, 12900)]),
        ],
    ),
    "云南山野农产": (
        "13900000002",
        [
            ("云南古树普洱茶饼 357g", "food", "勐海古树料，干仓存放五年。", [({"规格": "单饼"}, 9800, 19800)]),
            (
                "野生菌菇礼盒",
                "food",
                "松茸、牛肝菌、鸡枞菌，冻干锁鲜。",
                [
                    ({"规格": "小盒 200g"}, 8800, 16800),
                    ({"规格": "大盒 500g"}, 19800, 35800),
                ],
            ),
            ("高原蜂蜜 500g", "food", "野生百花蜜，自然结晶。", [({"规格": "单瓶"}, 3200, 6800)]),
        ],
    ),
    "广州花漾美妆": (
        "13900000003",
        [
            ("玻尿酸补水面膜（10片）", "beauty", "深层补水，敏感肌可用。", [({"规格": "一盒"}, 2900, 6900)]),
            ("氨基酸洁面乳", "beauty", "温和清洁，不紧绷。", [({"规格": "120ml"}, 2500, 5900)]),
            (
                "香薰蜡烛",
                "home",
                "大豆蜡，无烟，燃烧 40 小时。",
                [
                    ({"香型": "白茶"}, 3800, 8900),
                    ({"香型": "无花果"}, 3800, 8900),
                ],
            ),
        ],
    ),
}

# phone → (nickname, inviter phone or None, shop name, slug, intro)
RESELLERS = [
    ("13700000001", "林小美", None, "小美的好物分享", "xiaomei", "只卖自己用过的好东西。"),
    ("13700000002", "陈阿杰", "13700000001", "阿杰的茶与山货", "ajie-tea", "云南山里来的好茶好菌。"),
    ("13700000003", "王芳", "13700000001", "芳芳美妆小铺", "fangfang", "护肤十年，给你挑性价比。"),
    ("13700000004", "赵晓晨", "13700000002", "晓晨生活馆", "xiaochen", "家居与穿搭。"),
    ("13700000005", "刘一鸣", "13700000004", "一鸣优选", "yiming", "每天一款，精挑细选。"),
]

PICKS_PER_SHOP = 6

CUSTOMERS = [("13600000001", "张同学"), ("13600000002", "李阿姨"), ("13600000003", "周先生")]

# customer phone → (reseller phone it is bound to (锁粉), how)
BINDINGS = {
    "13600000001": ("13700000001", BindingSource.LINK),
    "13600000002": ("13700000002", BindingSource.INVITE_CODE),
    "13600000003": ("13700000004", BindingSource.LINK),
}


@dataclass
class DemoSummary:
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (who, phone, password)
    shops: list[str] = field(default_factory=list)


def _user(phone: str, nickname: str, role: str = Role.CUSTOMER) -> User:
    existing = User.objects.filter(phone=phone).first()
    if existing is not None:
        return existing
    return user_create(phone=phone, password=DEMO_PASSWORD, nickname=nickname, role=role)


def demo_avatar(name: str, size: int = 320) -> bytes:
    """A shop avatar: the shop name's first character on a warm colour derived from the name."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    background = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.45, 0.92))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse([size * 0.08, size * 0.08, size * 0.92, size * 0.92], outline=(255, 255, 255), width=size // 40)
    font = cjk_font(size // 2)
    letter = name[:1]
    box = draw.textbbox((0, 0), letter, font=font)
    draw.text(
        ((size - (box[2] - box[0])) / 2 - box[0], (size - (box[3] - box[1])) / 2 - box[1]),
        letter,
        font=font,
        fill=(255, 255, 255),
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _catalogue(summary: DemoSummary) -> None:
    categories = {}
    for position, (name, slug) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    for supplier_name, (staff_phone, products) in SUPPLIERS.items():
        supplier = Supplier.objects.filter(name=supplier_name).first() or supplier_create(
            name=supplier_name, contact_name="客服", contact_phone=staff_phone
        )
        staff = _user(staff_phone, f"{supplier_name[:4]}员工")
        supplier_staff_add(supplier=supplier, user=staff)
        summary.logins.append((f"supplier staff of {supplier_name}", staff_phone, DEMO_PASSWORD))
        for number, (title, category_slug, description, variants) in enumerate(products, start=1):
            if Product.objects.filter(supplier=supplier, title=title).exists():
                continue
            skus = [
                SkuInput(
                    code=f"S{supplier.pk:02d}-{number:02d}-{index:02d}",
                    spec=spec,
                    cost_amount=cost,
                    min_resale_amount=cost + (list_price - cost) // 2,
                    list_price_amount=list_price,
                    max_resale_amount=list_price * 2,
                    stock=200,
                )
                for index, (spec, cost, list_price) in enumerate(variants, start=1)
            ]
            product = product_create(
                supplier=supplier,
                category=categories[category_slug],
                title=title,
                description=description,
                skus=skus,
            )
            product_image_add(product=product, data=demo_product_image(title, category_slug))
            product_set_status(product=product, status=ProductStatus.ON_SALE)


def _resellers(summary: DemoSummary) -> None:
    products = list(Product.objects.on_sale().prefetch_related("skus").order_by("id"))
    for index, (phone, nickname, inviter_phone, shop_name, slug, intro) in enumerate(RESELLERS):
        user = _user(phone, nickname)
        reseller = Reseller.objects.filter(user=user).first()
        if reseller is None:
            if inviter_phone is None:
                reseller = reseller_create_root(user=user)
            else:
                inviter = Reseller.objects.get(user__phone=inviter_phone)
                reseller = reseller_join(user=user, invite_code=inviter.invite_code)
        shop = Shop.objects.filter(owner=reseller).first() or shop_open(
            owner=reseller, name=shop_name, slug=slug, intro=intro, avatar=demo_avatar(shop_name)
        )
        if not shop.avatar:  # shops made by an older demo had none
            shop_update(shop=shop, name=shop.name, intro=shop.intro, avatar=demo_avatar(shop.name))
        # each shop picks a different handful; some SKUs marked up, one sold a little below the list price
        for offset in range(PICKS_PER_SHOP):
            product = products[(index * 2 + offset) % len(products)]
            if shop.picks.filter(product=product).exists():
                continue
            first_sku = product.skus.all()[0]
            if offset % 3 == 0:
                price = min(first_sku.list_price_amount + 1000, first_sku.max_resale_amount)
            elif offset % 3 == 1:
                price = max(first_sku.list_price_amount - 500, first_sku.min_resale_amount)
            else:
                price = None  # the list price
            shop_pick_product(shop=shop, product=product, prices={first_sku.id: price} if price else None)
        summary.logins.append((f"reseller, shop /s/{slug}/", phone, DEMO_PASSWORD))
        summary.shops.append(shop.name)


@transaction.atomic
def demo_world_build() -> DemoSummary:
    summary = DemoSummary()
    operator = User.objects.filter(phone=OPERATOR_PHONE).first()
    if operator is None:
        User.objects.create_superuser(phone=OPERATOR_PHONE, password=DEMO_PASSWORD, nickname="平台运营")
    summary.logins.append(("operator (admin at /admin/)", OPERATOR_PHONE, DEMO_PASSWORD))
    _catalogue(summary)
    _resellers(summary)
    for phone, nickname in CUSTOMERS:
        _user(phone, nickname)
        summary.logins.append(("customer", phone, DEMO_PASSWORD))
    _bindings()
    _grades()
    _orders(summary)
    _withdrawals()
    _group_buying()
    _coupon_centre()
    _flash_sale()
    _bargaining()
    _numbers()
    return summary


def _numbers() -> None:
    """The funnel's roll-ups of the last 90 days (the beat keeps them after), so the numbers page and the
    dashboard show the demo's orders at once. Idempotent: a recompute replaces what was there."""
    from datetime import timedelta

    from django.utils import timezone

    from growth.stats import stats_recompute

    today = timezone.localdate()
    stats_recompute(first=today - timedelta(days=89), last=today)


# --- grades (分销等级): the entry grade and two above it, on the resellers' own results -----------------

DEMO_GRADES = [
    # name, badge, colour, rank, tier 1 and tier 2 rates (bp, None: the plan's), conditions
    ("普通店主", "普", "#7cb342", 1, None, None, []),
    ("银牌店主", "银", "#9aa5b1", 2, 3500, None, [("sales_amount", 30_000, 30), ("buying_customers", 2, 30)]),
    ("金牌店主", "金", "#c8a04a", 3, 4000, 1200, [("sales_amount", 300_000, 30), ("completed_orders", 10, 90)]),
]


def _grades() -> None:
    """Before the orders, so that paying them moves the sellers' grades as it would live."""
    for name, badge, colour, rank, tier1, tier2, conditions in DEMO_GRADES:
        grade, created = Grade.objects.get_or_create(
            name=name,
            defaults={
                "badge": badge,
                "colour": colour,
                "rank": rank,
                "tier1_share_bps": tier1,
                "tier2_share_bps": tier2,
            },
        )
        if created:
            for kind, threshold, window in conditions:
                GradeCondition.objects.create(grade=grade, kind=kind, threshold=threshold, window_days=window)


# --- the coupon centre (领券中心): one platform coupon anyone may claim ------------------------------

DEMO_COUPON = "全场满99减10"


def _coupon_centre() -> None:
    from coupons.choices import CouponFunder, CouponKind
    from coupons.models import Coupon

    if Coupon.objects.filter(name=DEMO_COUPON).exists():
        return
    Coupon.objects.create(
        name=DEMO_COUPON,
        kind=CouponKind.AMOUNT_OFF,
        threshold_amount=9_900,
        off_amount=1_000,
        valid_days=7,  # a week from claiming
        funder=CouponFunder.PLATFORM,
        in_centre=True,
    )


# --- a flash sale (秒杀) on a slot of today -------------------------------------------------------------

DEMO_FLASH = "今日秒杀"


def _flash_slot_of_today(now):
    """The slot of today (Beijing time) running now, else the next one, else
    the last one; it runs to the end of the day, so the hall shows it today."""
    from django.conf import settings

    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [midnight + timedelta(hours=hour) for hour in sorted(settings.FLASH_SLOT_HOURS)]
    started = [start for start in starts if start <= now]
    return (started[-1] if started else starts[0]), midnight + timedelta(days=1)


def _flash_sale() -> None:
    from flash.models import FlashCampaign, FlashItem
    from flash.services import flash_items_open

    if FlashCampaign.objects.filter(title=DEMO_FLASH).exists():
        return
    now = timezone.now()
    starts_at, ends_at = _flash_slot_of_today(now)
    campaign = FlashCampaign.objects.create(title=DEMO_FLASH, starts_at=starts_at, ends_at=ends_at, per_person_limit=1)
    sku = Product.objects.get(title="玻尿酸补水面膜（10片）").skus.order_by("pk").first()  # list 69.00, cost 29.00
    FlashItem.objects.create(campaign=campaign, sku=sku, flash_price_amount=3_900, planned_stock=20)
    flash_items_open(now=now)  # a slot already running takes its stock now (the beat would, a minute later)


# --- group buying (拼团): a running campaign with one open group, its leader paid -------------

DEMO_CAMPAIGN = "高原蜂蜜 两人团"


def _group_buying() -> None:
    from groupbuy.models import Campaign
    from groupbuy.services import campaign_create, group_open

    if Campaign.objects.filter(title=DEMO_CAMPAIGN).exists():
        return
    product = Product.objects.get(title="高原蜂蜜 500g")
    sku = product.skus.order_by("pk").first()
    now = timezone.now()
    campaign = campaign_create(
        by=User.objects.get(phone=OPERATOR_PHONE),
        product=product,
        prices={sku.pk: (4_990, 4_590)},  # list 68.00, cost 32.00; the leader pays 45.90
        title=DEMO_CAMPAIGN,
        group_size=2,
        fill_within=timedelta(hours=24),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=30),
    )
    leader = User.objects.get(phone="13600000003")
    member = group_open(
        buyer=leader, campaign_id=campaign.pk, sku_id=sku.pk, quantity=1, address=DEMO_ADDRESSES[leader.phone]
    )
    payment_sandbox_complete(order=Order.objects.get(pk=member.order_id))


# --- bargaining (砍价): a running campaign; a customer's bargain, helped once -----------------------

DEMO_BARGAIN = "普洱茶饼 好友帮砍"


def _bargaining() -> None:
    from bargain.models import BargainCampaign
    from bargain.services import bargain_help, bargain_start, campaign_create

    if BargainCampaign.objects.filter(title=DEMO_BARGAIN).exists():
        return
    sku = Product.objects.get(title="云南古树普洱茶饼 357g").skus.order_by("pk").first()  # list 198.00, cost 98.00
    now = timezone.now()
    campaign = campaign_create(
        by=User.objects.get(phone=OPERATOR_PHONE),
        sku=sku,
        title=DEMO_BARGAIN,
        start_price_amount=19_800,
        floor_price_amount=9_900,
        helps_needed=5,
        time_limit=timedelta(hours=48),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=30),
    )
    bargain = bargain_start(starter=User.objects.get(phone="13600000002"), campaign_id=campaign.pk)
    bargain_help(helper=User.objects.get(phone="13600000001"), bargain_id=bargain.pk)


def _bindings() -> None:
    for customer_phone, (reseller_phone, source) in BINDINGS.items():
        customer = User.objects.get(phone=customer_phone)
        if Binding.objects.filter(customer=customer, ended_at__isnull=True).exists():
            continue
        binding_touch(customer=customer, reseller=Reseller.objects.get(user__phone=reseller_phone), source=source)


# --- orders in every state (built through the services, like a shopper, the
# gateway, suppliers and operators would) ---------------------------------------------

# (note that names the demo order, buyer, shop, product index in the shop's picks, quantity, what happens)
DEMO_ORDERS = [
    ("演示：待付款", "13600000001", "xiaomei", 0, 1, []),
    ("演示：已付款待发货", "13600000001", "xiaomei", 1, 2, ["pay"]),
    ("演示：已发货", "13600000002", "ajie-tea", 0, 1, ["pay", "ship"]),
    ("演示：已送达", "13600000002", "ajie-tea", 1, 1, ["pay", "ship", "deliver"]),
    ("演示：已完成", "13600000003", "fangfang", 0, 1, ["pay", "ship", "confirm"]),
    ("演示：已取消（未付款）", "13600000003", "fangfang", 1, 1, ["cancel"]),
    ("演示：付款后取消（全额退款）", "13600000001", "xiaochen", 0, 1, ["pay", "cancel"]),
    ("演示：售后退款中", "13600000002", "yiming", 0, 2, ["pay", "ship", "refund"]),
    ("演示：部分退款成功", "13600000003", "xiaomei", 2, 2, ["pay", "ship", "confirm", "refund", "approve"]),
    ("演示：退款被拒", "13600000001", "ajie-tea", 2, 1, ["pay", "ship", "refund", "reject"]),
    # money: the after-sales window is over ("settle" runs the settlement sweep as of that moment)
    ("演示：已结算", "13600000002", "xiaomei", 0, 3, ["pay", "ship", "confirm", "settle"]),
    (
        "演示：结算后退款（扣回）",
        "13600000001",
        "fangfang",
        0,
        1,
        ["pay", "ship", "confirm", "settle", "refund", "approve"],
    ),
]
DEMO_ADDRESSES = {
    "13600000001": ShippingAddress("张同学", "13600000001", "44", "4403", "440305", "科技园南区 8 栋 1203"),
    "13600000002": ShippingAddress("李阿姨", "13600000002", "31", "3101", "310104", "漕溪北路 88 弄 5 号 602"),
    "13600000003": ShippingAddress("周先生", "13600000003", "11", "1101", "110105", "建国路 93 号院 3 号楼 1801"),
}


def _orders(summary: DemoSummary) -> None:
    operator = User.objects.get(phone=OPERATOR_PHONE)
    for note, phone, slug, pick_index, quantity, steps in DEMO_ORDERS:
        buyer = User.objects.get(phone=phone)
        if Order.objects.filter(buyer=buyer, note=note).exists():
            continue
        shop = Shop.objects.get(slug=slug)
        pick = shop_picks_visible(shop=shop)[pick_index]
        sku = pick.product.active_skus[0]
        address_save(user=buyer, address=DEMO_ADDRESSES[phone])
        order = order_place(
            buyer=buyer, lines=[LineRequest(sku.pk, quantity, slug)], address=DEMO_ADDRESSES[phone], note=note
        )
        _order_steps(order, steps, operator)


def _order_steps(order: Order, steps: list[str], operator: User) -> None:
    refund = None
    for step in steps:
        if step == "pay":
            payment_sandbox_complete(order=order)
        elif step in ("ship", "deliver"):
            for group in order.fulfilments.select_related("supplier"):
                staff = User.objects.filter(supplier_membership__supplier=group.supplier).first()
                if step == "ship":
                    fulfilment_ship(
                        fulfilment_id=group.pk,
                        supplier=group.supplier,
                        by=staff,
                        carrier="SF",
                        tracking_number=f"SF{1_300_000_000 + group.pk}",
                    )
                else:
                    fulfilment_deliver(fulfilment_id=group.pk, supplier=group.supplier, by=staff)
        elif step == "confirm":
            order_confirm_receipt(order_id=order.pk, buyer=order.buyer)
        elif step == "cancel":
            order_cancel(
                order_id=order.pk, by=order.buyer, buyer=order.buyer, actor_kind=Actor.BUYER, reason="不想要了"
            )
        elif step == "refund":
            line = order.lines.first()
            refund = refund_request(
                order_id=order.pk,
                line_id=line.pk,
                buyer=order.buyer,
                amount=line.line_total_amount // 2,
                reason="少了一件",
            )
        elif step in ("approve", "reject"):
            refund_decide(refund_id=refund.pk, approve=step == "approve", by=operator, actor_kind=Actor.OPERATOR)
        elif step == "settle":
            _settle_as_of(order)


def _settle_as_of(order: Order) -> None:
    """Commissions for every paid demo order (the engine, as the order-paid
    task runs it), then the settlement sweep as of the end of this order's
    after-sales window: what has matured by then becomes withdrawable."""
    order.refresh_from_db()
    for order_id in Order.objects.filter(paid_at__isnull=False).values_list("pk", flat=True):
        commissions_create_for_order(order_id=order_id)
    for order_id in Order.objects.filter(completed_at__isnull=False).values_list("pk", flat=True):
        commissions_mature(order_id=order_id)
    commissions_settle_matured(now=order.after_sales_ends_at + timedelta(seconds=1))


# --- withdrawals in every state (a reseller's requests, an operator's decisions, a payout batch) ---

WITHDRAWING_RESELLER = "13700000001"
# (amount in fen, what happens); 11.13 ends in 13 fen: the sandbox fails it (a test amount)
DEMO_WITHDRAWALS = [
    (2_000, ["approve", "batch"]),
    (1_113, ["approve", "batch"]),
    (1_000, ["reject"]),
    (1_000, ["approve"]),
    (1_000, []),
]


def _withdrawals() -> None:
    operator = User.objects.get(phone=OPERATOR_PHONE)
    reseller = Reseller.objects.get(user__phone=WITHDRAWING_RESELLER)
    if Withdrawal.objects.filter(reseller=reseller).exists():  # made with the rest, in one transaction
        return
    to_batch = []
    for amount, steps in DEMO_WITHDRAWALS:
        withdrawal = withdrawal_request(reseller=reseller, amount=amount)
        for step in steps:
            if step == "approve":
                withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
            elif step == "reject":
                withdrawal_reject(operator=operator, withdrawal_id=withdrawal.pk, reason="收款账户信息不完整")
            elif step == "batch":
                to_batch.append(withdrawal.pk)
    if to_batch:
        payout_batch_create(operator=operator, withdrawal_ids=to_batch)  # paid by a worker after commit
