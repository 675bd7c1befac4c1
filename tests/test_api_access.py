"""Who may call what: every API operation × every role, from one table.

The table below lists each operation of the OpenAPI schema with the status
each role gets. A new endpoint missing from the table fails
``test_every_operation_is_in_the_table``; a wrong permission fails
``test_each_role_gets_the_expected_status``. There are two resellers and two
suppliers, so an object of the other tenant must answer 404 (not 403: no
enumeration) — paths name objects of *reseller_a* / *supplier_a*, and the
``_b`` roles are the strangers.

Roles: anonymous, customer, reseller_a, reseller_b, supplier_a, supplier_b,
operator.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import UserSession
from accounts.tests.factories import OperatorFactory, UserFactory
from bargain.tests.factories import a_campaign as a_bargain_campaign
from bargain.tests.factories import started
from catalog.services import supplier_staff_add
from catalog.tests.factories import SkuFactory, SupplierFactory
from commissions.models import Commission
from commissions.services.accrual import commissions_create_for_order
from commissions.services.payout_accounts import payout_account_add
from commissions.services.withdrawals import withdrawal_request
from commissions.tests.factories import credit_withdrawable
from coupons.services import reseller_code_create
from coupons.tests.factories import CouponFactory
from distribution.tests.factories import ResellerFactory
from flash.tests.factories import a_flash_item
from groupbuy.tests.factories import a_campaign, opened
from orders.services.placing import LineRequest, order_place
from orders.tests.factories import an_address, pay
from shops.services import shop_pick_product
from shops.tests.factories import ShopFactory
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "reseller_a", "reseller_b", "supplier_a", "supplier_b", "operator"]


@dataclass(frozen=True)
class Access:
    method: str
    path: str  # as in the schema, e.g. /api/v1/orders/{id}/
    statuses: dict[str, int]  # role → expected status
    params: dict[str, str] = field(default_factory=dict)  # path parameter → name of a world object
    body: dict | Callable | None = None  # a callable gets the world's objects (for ids in bodies)
    needs_redis: bool = False  # the flash-sale gate: without Redis it answers 503 to everyone signed in


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, status) for role in ROLES}


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return everyone(status, anonymous=401, **overrides)


def owner_only(owner: str, status: int) -> dict[str, int]:
    """``owner`` gets ``status``; every other signed-in role 404; anonymous 401."""
    return signed_in(404, **{owner: status})


def resellers_only(status: int, **overrides: int) -> dict[str, int]:
    """Resellers get ``status`` (or an override); other signed-in roles 403."""
    return signed_in(403, **{"reseller_a": status, "reseller_b": status, **overrides})


ENDPOINT = {"id": "endpoint_of_reseller_a"}
DELIVERY = {"id": "delivery_of_reseller_a"}
PICK = {"pick_id": "pick_of_reseller_a"}
NEW_ENDPOINT = {"url": "https://partner.example.com/hooks", "events": ["order.paid"]}
INVITE_OF_RESELLER_A = {"invite_code": "AAAAAA"}
ORDER = {"order_id": "order_of_reseller_a"}
PARCEL = {"fulfilment_id": "parcel_of_supplier_a"}
GROUP = {"group_id": "open_group"}
BARGAIN = {"bargain_id": "bargain_of_reseller_a"}

TABLE: list[Access] = [
    Access("GET", "/api/v1/me/", signed_in(200)),
    # the account's browser sessions and its number: everyone their own (the table's users have no session)
    Access("GET", "/api/v1/me/sessions/", signed_in(200)),
    Access("POST", "/api/v1/me/sessions/end-all/", signed_in(200), body={}),
    Access("DELETE", "/api/v1/me/sessions/{id}/", owner_only("reseller_a", 204), {"id": "session_of_reseller_a"}),
    Access("POST", "/api/v1/me/phone/codes/", signed_in(202), body={"to": "current"}),
    Access(
        "POST",
        "/api/v1/me/phone/",
        signed_in(400),  # no code was sent
        body={"old_code": "123456", "new_phone": "13912345678", "new_code": "654321"},
    ),
    # log-in by SMS code: anyone asks a code; a code never sent logs nobody in
    Access("POST", "/api/v1/auth/sms-codes/", everyone(202), body={"phone": "13800138000"}),
    Access("POST", "/api/v1/auth/sms-log-in/", everyone(400), body={"phone": "13800138000", "code": "123456"}),
    # partners' webhooks: anyone signed in manages their own
    Access("GET", "/api/v1/webhooks/endpoints/", signed_in(200)),
    Access("POST", "/api/v1/webhooks/endpoints/", signed_in(201), body=NEW_ENDPOINT),
    Access("GET", "/api/v1/webhooks/endpoints/{id}/", owner_only("reseller_a", 200), ENDPOINT),
    Access("PATCH", "/api/v1/webhooks/endpoints/{id}/", owner_only("reseller_a", 200), ENDPOINT, {"is_active": False}),
    Access("DELETE", "/api/v1/webhooks/endpoints/{id}/", owner_only("reseller_a", 204), ENDPOINT),
    Access("POST", "/api/v1/webhooks/endpoints/{id}/ping/", owner_only("reseller_a", 202), ENDPOINT, {}),
    Access("GET", "/api/v1/webhooks/deliveries/", signed_in(200)),
    Access("GET", "/api/v1/webhooks/deliveries/{id}/", owner_only("reseller_a", 200), DELIVERY),
    Access("POST", "/api/v1/webhooks/deliveries/{id}/replay/", owner_only("reseller_a", 202), DELIVERY, {}),
    # notifications: anyone signed in reads and sets their own
    Access("GET", "/api/v1/notifications/messages/", signed_in(200)),
    Access("GET", "/api/v1/notifications/messages/unread-count/", signed_in(200)),
    Access("POST", "/api/v1/notifications/messages/read/", signed_in(200), body={}),
    Access("GET", "/api/v1/notifications/preferences/", signed_in(200)),
    Access(
        "PUT",
        "/api/v1/notifications/preferences/",
        signed_in(200),
        body={"kind": "order_shipped", "channels": ["inbox"]},
    ),
    # money: resellers only, their own
    Access("GET", "/api/v1/withdrawals/", resellers_only(200)),
    Access("POST", "/api/v1/withdrawals/", resellers_only(201, reseller_b=400), body={"amount": "10.00"}),
    Access("GET", "/api/v1/withdrawals/{id}/", resellers_only(404, reseller_a=200), {"id": "withdrawal_of_reseller_a"}),
    Access("GET", "/api/v1/money/", resellers_only(200)),
    Access("GET", "/api/v1/payout-accounts/", resellers_only(200)),
    Access(
        "POST",
        "/api/v1/payout-accounts/",
        resellers_only(201),
        body={"kind": "bank", "account": "6222020200112233445", "real_name": "张三", "bank_name": "工商银行"},
    ),
    Access(
        "DELETE", "/api/v1/payout-accounts/{id}/", resellers_only(404, reseller_a=204), {"id": "account_of_reseller_a"}
    ),
    Access("GET", "/api/v1/commissions/", resellers_only(200)),
    Access("GET", "/api/v1/commissions/{id}/", resellers_only(404, reseller_a=200), {"id": "commission_of_reseller_a"}),
    # the catalogue: anyone reads; a supplier's staff add pictures to their own products
    Access("GET", "/api/v1/catalog/products/", everyone(200)),
    Access("GET", "/api/v1/catalog/products/{id}/", everyone(200), {"id": "product_of_supplier_a"}),
    Access(
        "POST",
        "/api/v1/catalog/supplier/products/{product_id}/images/",
        signed_in(403, supplier_a=415, supplier_b=404),  # supplier_a: the table sends no multipart body
        {"product_id": "product_of_supplier_a"},
    ),
    # shops: anyone browses; a reseller runs its own (reseller_b has none yet)
    Access("GET", "/api/v1/shops/{slug}/", everyone(200), {"slug": "shop_of_reseller_a"}),
    Access("GET", "/api/v1/shops/{slug}/products/", everyone(200), {"slug": "shop_of_reseller_a"}),
    Access(
        "GET",
        "/api/v1/shops/{slug}/products/{product_id}/",
        everyone(200),
        {"slug": "shop_of_reseller_a", "product_id": "product_of_supplier_a"},
    ),
    Access("GET", "/api/v1/shops/mine/", resellers_only(200, reseller_b=404)),
    Access(
        "POST", "/api/v1/shops/mine/", resellers_only(201, reseller_a=409), body={"name": "新店", "slug": "new-shop"}
    ),
    Access("PATCH", "/api/v1/shops/mine/", resellers_only(200, reseller_b=404), body={"intro": "新简介"}),
    Access("GET", "/api/v1/shops/mine/picks/", resellers_only(200, reseller_b=404)),
    Access("POST", "/api/v1/shops/mine/picks/", resellers_only(409, reseller_b=404), body={"product_id": 0}),
    Access("GET", "/api/v1/shops/mine/picks/{pick_id}/", resellers_only(404, reseller_a=200), PICK),
    Access(
        "PATCH", "/api/v1/shops/mine/picks/{pick_id}/", resellers_only(404, reseller_a=200), PICK, {"is_hidden": True}
    ),
    Access("DELETE", "/api/v1/shops/mine/picks/{pick_id}/", resellers_only(404, reseller_a=204), PICK),
    # the team: resellers only, their own; bindings: anyone signed in, their own
    Access("GET", "/api/v1/distribution/team/", resellers_only(200)),
    Access("GET", "/api/v1/distribution/team/members/", resellers_only(200)),
    Access("GET", "/api/v1/distribution/binding/", signed_in(404)),  # nobody is bound in this world
    Access("POST", "/api/v1/distribution/binding/", signed_in(200, reseller_a=400), body=INVITE_OF_RESELLER_A),
    Access("POST", "/api/v1/distribution/join/", signed_in(409, customer=201), body=INVITE_OF_RESELLER_A),
    Access("DELETE", "/api/v1/distribution/binding/", signed_in(404)),  # nobody is bound in this world
    # growth: a reseller's customer book and funnel; nobody is bound to anyone in this world
    Access("GET", "/api/v1/growth/customers/", resellers_only(200)),
    Access(
        "PATCH",
        "/api/v1/growth/customers/{customer_id}/",
        resellers_only(404),
        {"customer_id": "reseller_a"},
        {"tags": "宝妈", "note": ""},
    ),
    Access(
        "POST",
        "/api/v1/growth/customers/{customer_id}/reminders/",
        resellers_only(404),
        {"customer_id": "reseller_a"},
        lambda objects: {"due_on": timezone.localdate().isoformat(), "text": "回访"},
    ),
    Access("GET", "/api/v1/growth/funnel/", resellers_only(200)),
    # grades (分销等级): a reseller reads its own grade and its progress
    Access("GET", "/api/v1/grade/", resellers_only(200)),
    # orders: anyone signed in buys and sees only its own (reseller_a bought the paid order of the world)
    Access("GET", "/api/v1/orders/", signed_in(200)),
    Access("POST", "/api/v1/orders/", signed_in(201), body=lambda objects: objects["new_order_body"]),
    Access("GET", "/api/v1/orders/{order_id}/", owner_only("reseller_a", 200), ORDER),
    Access("POST", "/api/v1/orders/{order_id}/pay/", owner_only("reseller_a", 409), ORDER, {}),  # paid already
    Access("POST", "/api/v1/orders/{order_id}/cancel/", owner_only("reseller_a", 200), ORDER, {}),
    Access("POST", "/api/v1/orders/{order_id}/confirm-receipt/", owner_only("reseller_a", 409), ORDER, {}),
    Access(
        "POST",
        "/api/v1/orders/{order_id}/refunds/",
        owner_only("reseller_a", 201),
        ORDER,
        lambda objects: {"line_id": objects["order_of_reseller_a"].lines.get().pk, "amount": "1.00", "reason": "破损"},
    ),
    # a reseller reads its shop's orders (reseller_b has no shop)
    Access("GET", "/api/v1/shop-orders/", resellers_only(200, reseller_b=404)),
    Access("GET", "/api/v1/shop-orders/{order_id}/", resellers_only(404, reseller_a=200), ORDER),
    # a supplier reads and ships its own parcels
    Access("GET", "/api/v1/fulfilments/", signed_in(403, supplier_a=200, supplier_b=200)),
    Access("GET", "/api/v1/fulfilments/{fulfilment_id}/", signed_in(403, supplier_a=200, supplier_b=404), PARCEL),
    Access(
        "POST",
        "/api/v1/fulfilments/{fulfilment_id}/ship/",
        signed_in(403, supplier_a=200, supplier_b=404),
        PARCEL,
        {"carrier": "SF", "tracking_number": "SF1234567890"},
    ),
    Access("GET", "/api/v1/regions/", everyone(200)),
    # group buying (拼团): anyone reads a group and a campaign (shared links); anyone signed in opens and joins
    Access("POST", "/api/v1/groups/", signed_in(201), body=lambda objects: objects["group_open_body"]),
    Access("GET", "/api/v1/groups/mine/", signed_in(200)),
    Access("GET", "/api/v1/groups/{group_id}/", everyone(200), GROUP),
    Access(
        "POST",
        "/api/v1/groups/{group_id}/join/",
        signed_in(201),
        GROUP,
        lambda objects: {key: value for key, value in objects["group_open_body"].items() if key != "campaign_id"},
    ),
    Access("GET", "/api/v1/groups/campaigns/{campaign_id}/", everyone(200), {"campaign_id": "group_campaign"}),
    # coupons: the centre is public; claiming and one's own coupons need a sign-in
    Access("GET", "/api/v1/coupons/", everyone(200)),
    Access("GET", "/api/v1/coupons/mine/", signed_in(200)),
    Access("POST", "/api/v1/coupons/{coupon_id}/claim/", signed_in(201), {"coupon_id": "coupon_in_centre"}, {}),
    # a reseller's own promo codes: resellers only, each its own
    Access("GET", "/api/v1/coupons/promo-codes/", resellers_only(200)),
    Access("POST", "/api/v1/coupons/promo-codes/", resellers_only(201), body={"code": "SPRING5", "off_amount": "5"}),
    Access(
        "POST",
        "/api/v1/coupons/promo-codes/{coupon_id}/stop/",
        resellers_only(200, reseller_b=404),
        {"coupon_id": "promo_code_of_reseller_a"},
    ),
    # flash sales: anyone reads the campaigns; anyone signed in taps (the world's slot has ended: 409) and
    # places with an admission token (nobody's here: 404)
    Access("GET", "/api/v1/flash/campaigns/", everyone(200)),
    Access(
        "POST",
        "/api/v1/flash/items/{item_id}/grab/",
        signed_in(409),
        {"item_id": "flash_item_ended"},
        {},
        needs_redis=True,
    ),
    Access(
        "POST",
        "/api/v1/flash/orders/",
        signed_in(404),
        body=lambda objects: {
            "token": "no-such-token",
            "shipping_address": objects["new_order_body"]["shipping_address"],
        },
    ),
    # bargaining (砍价): anyone reads a bargain (its shared link); anyone signed in starts one (reseller_a has
    # one in the campaign already), helps a friend's (not its own) and buys only its own
    Access(
        "POST",
        "/api/v1/bargains/",
        signed_in(201, reseller_a=409),
        body=lambda objects: {"campaign_id": objects["bargain_of_reseller_a"].campaign_id},
    ),
    Access("GET", "/api/v1/bargains/mine/", signed_in(200)),
    Access("GET", "/api/v1/bargains/{bargain_id}/", everyone(200), BARGAIN),
    Access("POST", "/api/v1/bargains/{bargain_id}/help/", signed_in(201, reseller_a=409), BARGAIN, {}),
    Access(
        "POST",
        "/api/v1/bargains/{bargain_id}/buy/",
        owner_only("reseller_a", 201),
        BARGAIN,
        lambda objects: {"shipping_address": objects["new_order_body"]["shipping_address"]},
    ),
]


@dataclass
class World:
    users: dict
    objects: dict


@pytest.fixture
def world() -> World:
    reseller_a, reseller_b = ResellerFactory(invite_code=INVITE_OF_RESELLER_A["invite_code"]), ResellerFactory()
    supplier_a, supplier_b = SupplierFactory(), SupplierFactory()
    staff_a, staff_b = UserFactory(), UserFactory()
    supplier_staff_add(supplier=supplier_a, user=staff_a)
    supplier_staff_add(supplier=supplier_b, user=staff_b)
    users = {
        "anonymous": None,
        "customer": UserFactory(role=Role.CUSTOMER),
        "reseller_a": reseller_a.user,
        "reseller_b": reseller_b.user,
        "supplier_a": staff_a,
        "supplier_b": staff_b,
        "operator": OperatorFactory(),
    }
    credit_withdrawable(reseller_a.pk, 10_000, "access-table")
    endpoint = webhook_endpoint_create(user=reseller_a.user, url="https://partner.example.com/a", events=["order.paid"])
    shop = ShopFactory(owner=reseller_a)
    product = SkuFactory(product__supplier=supplier_a).product
    objects = {
        "reseller_a": reseller_a,
        "product_of_supplier_a": product,
        "shop_of_reseller_a": shop,
        "pick_of_reseller_a": shop_pick_product(shop=shop, product=product),
        "supplier_a": supplier_a,
        "endpoint_of_reseller_a": endpoint,
        "delivery_of_reseller_a": WebhookDelivery.objects.create(endpoint=endpoint, event_type="ping", body="{}"),
        "withdrawal_of_reseller_a": withdrawal_request(reseller=reseller_a, amount=2_000),
        "account_of_reseller_a": payout_account_add(
            reseller=reseller_a, kind="alipay", account="13800138000", real_name="张三"
        ),
    }
    sku = product.skus.get()
    order = order_place(buyer=reseller_a.user, lines=[LineRequest(sku.pk, 1, shop.slug)], address=an_address())
    objects["order_of_reseller_a"] = pay(order)
    objects["parcel_of_supplier_a"] = order.fulfilments.get()
    # a customer buys in reseller_a's shop: reseller_a earns a commission
    sold = pay(order_place(buyer=users["customer"], lines=[LineRequest(sku.pk, 1, shop.slug)], address=an_address()))
    commissions_create_for_order(order_id=sold.pk)
    objects["commission_of_reseller_a"] = Commission.objects.filter(beneficiary=reseller_a).first()
    objects["session_of_reseller_a"] = UserSession.objects.create(user=reseller_a.user, session_key="a" * 32)
    objects["coupon_in_centre"] = CouponFactory()
    objects["promo_code_of_reseller_a"] = reseller_code_create(
        reseller=reseller_a, code="ACCESSA1", name="", off_amount=500
    )
    objects["new_order_body"] = {
        "lines": [{"sku_id": sku.pk, "quantity": 1, "shop": shop.slug}],
        "shipping_address": {
            "recipient_name": "王五",
            "phone": "13700137000",
            "province_code": "31",
            "city_code": "3101",
            "district_code": "310104",
            "street": "漕溪北路 1 号",
        },
    }
    # a three-person group opened by someone outside the table's roles: every role may open or join one
    campaign = a_campaign(sku=sku, size=3)
    objects["group_campaign"] = campaign
    objects["open_group"] = opened(campaign).group
    objects["group_open_body"] = {
        "campaign_id": campaign.pk,
        "sku_id": sku.pk,
        "quantity": 1,
        "shipping_address": objects["new_order_body"]["shipping_address"],
    }
    objects["flash_item_ended"] = a_flash_item(starts_in=timedelta(hours=-3), lasts=timedelta(hours=1))
    # reseller_a's bargain, with room for every other role's help
    objects["bargain_of_reseller_a"] = started(a_bargain_campaign(sku=sku, helps=10), starter=reseller_a.user)
    return World(users=users, objects=objects)


def _schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def table_gaps(operations: set[tuple[str, str]], table: list[Access]) -> tuple[set, set]:
    """(operations missing from the table, table rows for operations that are gone)"""
    in_table = {(access.method, access.path) for access in table}
    return operations - in_table, in_table - operations


def test_every_operation_is_in_the_table():
    missing, gone = table_gaps(_schema_operations(), TABLE)

    assert missing == set(), "add the new operations to TABLE"
    assert gone == set(), "TABLE names operations that no longer exist"


def test_an_operation_added_without_a_row_is_caught():
    operations = _schema_operations() | {("POST", "/api/v1/brand-new/")}

    assert table_gaps(operations, TABLE)[0] == {("POST", "/api/v1/brand-new/")}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("access", TABLE, ids=lambda access: f"{access.method} {access.path}")
def test_each_role_gets_the_expected_status(world, access, role, settings):
    if access.needs_redis and not settings.FLASH_REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL=redis://… (the flash-sale gate)")
    client = APIClient()
    if world.users[role] is not None:
        client.force_authenticate(world.users[role])
    path = access.path.format(
        **{
            name: world.objects[ref].slug if name == "slug" else world.objects[ref].pk
            for name, ref in access.params.items()
        }
    )

    body = access.body(world.objects) if callable(access.body) else access.body
    response = (
        client.generic(access.method, path, data=None, format="json")
        if body is None
        else getattr(client, access.method.lower())(path, body, format="json")
    )

    assert response.status_code == access.statuses[role], response.content
