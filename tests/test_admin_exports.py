"""The admin lists' exports (django-import-export): an operator exports the
orders, resellers, commissions and withdrawals as Excel (or CSV), with
Chinese headers, money in yuan and no formula; the dashboard's own Excel
export is in growth's tests."""

import io

import openpyxl
import pytest
from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from commissions.models import Commission, Withdrawal
from commissions.services.withdrawals import withdrawal_request
from commissions.tests.factories import credit_withdrawable
from distribution.tests.factories import ResellerFactory
from orders.tests.factories import pay, place, shop_selling
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

XLSX, CSV = "0", "1"  # IMPORT_EXPORT_FORMATS' order


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    seller = ResellerFactory(user__nickname="林小美", user__phone="13712345678")
    shop, sku = shop_selling(shop=ShopFactory(owner=seller, name="小美的好物分享"), price=12_345)
    buyer = UserFactory(nickname='=HYPERLINK("http://evil.example","点我")', phone="13912345678")
    with django_capture_on_commit_callbacks(execute=True):
        order = pay(place(buyer=buyer, shop=shop, sku=sku))
    credit_withdrawable(seller.pk, 50_000, "export")
    withdrawal_request(reseller=seller, amount=20_000)
    return seller, order


def sheet_of(response) -> list[list]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def export(client, model: str, *, file_format=XLSX, **extra):
    """What the export page posts: the format, the (only) resource, every column ticked."""
    page = client.get(f"/admin/{model}/export/")
    form = page.context["form"]
    data = {"format": file_format, "resource": "0", **extra}
    data.update({name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)})
    return client.post(f"/admin/{model}/export/", data)


def test_an_operator_exports_the_orders_as_excel_in_yuan_with_chinese_headers(client, world):
    _seller, order = world
    client.force_login(OperatorFactory())

    rows = sheet_of(export(client, "orders/order"))

    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "订单号" in header and "实付（元）" in header and "买家手机号" in header
    assert first["订单号"] == order.number
    assert first["实付（元）"] == 123.45  # a number of yuan, not 12345 fen
    assert first["买家"] == '\'=HYPERLINK("http://evil.example","点我")'  # text, never a formula
    assert first["状态"] == order.get_status_display() and first["付款时间"].startswith(
        f"{timezone.localdate(order.paid_at):%Y-%m-%d}"
    )


def test_the_export_action_exports_only_the_selected_rows_and_csv_is_offered(
    client, world, django_capture_on_commit_callbacks
):
    seller, order = world
    with django_capture_on_commit_callbacks(execute=True):
        other = pay(place(buyer=UserFactory(), shop=seller.shop, sku=order.lines.get().sku))
    client.force_login(OperatorFactory())

    chosen = client.post("/admin/orders/order/", {"action": "export_admin_action", "_selected_action": [order.pk]})
    csv = export(client, "orders/order", file_format=CSV, export_items=[order.pk])

    assert chosen.status_code == 200 and "导出" in chosen.content.decode()
    body = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv") and order.number in body and "123.45" in body
    assert other.number not in body  # only what was selected


def test_resellers_commissions_and_withdrawals_export_their_money_in_yuan(client, world):
    seller, order = world
    client.force_login(OperatorFactory())

    resellers = sheet_of(export(client, "distribution/reseller"))
    commissions = sheet_of(export(client, "commissions/commission"))
    withdrawals = sheet_of(export(client, "commissions/withdrawal"))

    reseller = dict(zip(resellers[0], next(row for row in resellers[1:] if seller.invite_code in row), strict=True))
    assert (reseller["昵称"], reseller["店铺"]) == ("林小美", "小美的好物分享")
    commission = Commission.objects.filter(order=order).first()
    assert commission is not None  # paying made the seller's commission
    row = dict(zip(commissions[0], commissions[1], strict=True))
    assert row["订单号"] == order.number and row["赚取（元）"] == float(commission.amount) / 100
    withdrawal = Withdrawal.objects.get(reseller=seller)
    row = dict(zip(withdrawals[0], withdrawals[1], strict=True))
    assert row["金额（元）"] == 200 and row["状态"] == withdrawal.get_status_display()


def test_exporting_needs_the_admin(client, world):
    client.force_login(world[0].user)  # a reseller

    response = client.get("/admin/orders/order/export/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
