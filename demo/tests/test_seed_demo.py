import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.choices import Role
from accounts.models import User
from catalog.models import Product, ProductImage, Supplier
from demo.world import DEMO_PASSWORD
from distribution.models import Binding, Reseller
from shops.models import Shop, ShopSkuPrice

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "catalog", "distribution", "shops", "orders", "commissions", "coupons", "flash"]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count() for app in OUR_APPS for model in apps.get_app_config(app).get_models()
    }


def test_seed_demo_builds_a_small_believable_world(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert User.objects.filter(role=Role.OPERATOR, is_staff=True).count() == 1
    assert Supplier.objects.count() == 3
    assert all(supplier.products.count() >= 3 for supplier in Supplier.objects.all())
    assert all(supplier.memberships.exists() for supplier in Supplier.objects.all())
    # every product has a real picture Pillow can open
    for image in ProductImage.objects.all():
        with image.image.open("rb") as handle:
            assert handle.read(3) == b"\xff\xd8\xff"  # JPEG
    # a tree a few levels deep, each reseller with a shop
    deepest = Reseller.objects.get(user__phone="13700000005")
    depth = 0
    while deepest.inviter_id:
        deepest = deepest.inviter
        depth += 1
    assert depth >= 3
    assert Shop.objects.count() == Reseller.objects.count()
    assert User.objects.filter(role=Role.CUSTOMER).count() >= 3
    # the demo log-ins work
    assert client.login(phone="13700000001", password=DEMO_PASSWORD)


def test_seed_demo_twice_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # what its tasks do after commit too
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _row_counts()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert _row_counts() == first
    assert Product.objects.exists()


def test_the_home_page_shows_the_demo_shops(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    page = client.get("/").content.decode()

    for shop in Shop.objects.all():
        assert shop.name in page


def test_seed_demo_binds_each_demo_customer_to_a_reseller():
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    customers = User.objects.filter(role=Role.CUSTOMER)
    assert Binding.objects.filter(customer__in=customers, ended_at__isnull=True).count() == customers.count()
    assert Binding.objects.get(customer__phone="13600000001").reseller.user.phone == "13700000001"


def test_the_demo_shops_have_avatars_and_products_at_their_prices(client):
    from shops.selectors import shop_picks_visible

    call_command("seed_demo", stdout=open("/dev/null", "w"))

    for shop in Shop.objects.all():
        assert shop.avatar
        assert shop_picks_visible(shop=shop).count() >= 4
        assert client.get(f"/s/{shop.slug}/").status_code == 200
    assert ShopSkuPrice.objects.exists()  # some picks carry the shop's own price


def test_seed_demo_has_orders_in_every_state(django_capture_on_commit_callbacks):
    from orders.choices import OrderStatus, RefundStatus
    from orders.models import Order, Refund

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert {RefundStatus.REQUESTED, RefundStatus.REJECTED, RefundStatus.SUCCEEDED} <= set(
        Refund.objects.values_list("status", flat=True)
    )
    assert Order.objects.filter(refunded_amount__gt=0, status=OrderStatus.COMPLETED).exists()  # a partial refund


def test_seed_demo_has_money_in_every_state_and_the_books_reconcile(django_capture_on_commit_callbacks):
    from commissions.choices import CommissionState, PayoutBatchStatus, WithdrawalStatus
    from commissions.models import Commission, PayoutBatch, Withdrawal
    from commissions.reconciliation import reconcile

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    states = set(Commission.objects.values_list("state", flat=True))
    assert {CommissionState.FROZEN, CommissionState.SETTLED, CommissionState.CANCELLED} <= states
    assert Commission.objects.filter(clawed_back_amount__gt=0).exists()
    assert {WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED} <= set(
        Withdrawal.objects.values_list("status", flat=True)
    )
    assert {WithdrawalStatus.PAID, WithdrawalStatus.FAILED} <= set(Withdrawal.objects.values_list("status", flat=True))
    assert PayoutBatch.objects.filter(status=PayoutBatchStatus.DONE).exists()
    assert [result.name for result in reconcile() if not result.ok] == []


def test_the_quick_start_shows_a_coupon_to_claim_and_a_flash_sale_of_today(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from flash.models import FlashCampaign

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert "全场满99减10" in client.get("/coupons/").content.decode()
    campaign = FlashCampaign.objects.get()
    assert timezone.localtime(campaign.starts_at).date() == timezone.localdate()
    hall = client.get("/flash/").content.decode()
    assert "玻尿酸补水面膜（10片）" in hall and "¥39.00" in hall
