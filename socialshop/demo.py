"""A believable small world for the demo, built through the services (never
written into tables directly) and safe to run again: every step looks up
what it would create first, by a natural key (phone, name, slug).

Each domain adds its steps to ``demo_world_build``.
"""

import colorsys
import hashlib
import io
from dataclasses import dataclass, field

from django.db import transaction
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
from distribution.choices import BindingSource
from distribution.models import Binding, Reseller
from distribution.services import binding_touch, reseller_create_root, reseller_join
from shops.models import Shop
from shops.services import shop_open, shop_pick_product, shop_update

from .fonts import cjk_font

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


def demo_product_image(title: str, size: int = 800) -> bytes:
    """A product picture: a soft gradient in a colour derived from the title,
    a round 'product' shape and the title in Chinese."""
    hue = int(hashlib.sha256(title.encode()).hexdigest()[:4], 16) / 0xFFFF
    top = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.25, 0.98))
    bottom = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.85))
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        ratio = y / size
        draw.line([(0, y), (size, y)], fill=tuple(int(t + (b - t) * ratio) for t, b in zip(top, bottom, strict=True)))
    accent = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.7, 0.7))
    draw.ellipse([size * 0.25, size * 0.18, size * 0.75, size * 0.68], fill=accent, outline=(255, 255, 255), width=8)
    font = cjk_font(size // 14)
    text_box = draw.textbbox((0, 0), title, font=font)
    text_width = text_box[2] - text_box[0]
    draw.text(((size - text_width) / 2, size * 0.78), title, font=font, fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


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
            product_image_add(product=product, data=demo_product_image(title))
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
    return summary


def _bindings() -> None:
    for customer_phone, (reseller_phone, source) in BINDINGS.items():
        customer = User.objects.get(phone=customer_phone)
        if Binding.objects.filter(customer=customer, ended_at__isnull=True).exists():
            continue
        binding_touch(customer=customer, reseller=Reseller.objects.get(user__phone=reseller_phone), source=source)
