"""The pages: cart before and after log-in, checkout with a saved address,
the buyer's order page, a reseller's shop orders, the supplier's
shipments."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.services import supplier_staff_add
from orders.choices import Actor, FulfilmentStatus, OrderStatus, RefundStatus
from orders.models import Address, CartItem, FulfilmentGroup, Order, Refund
from orders.services.addresses import address_save
from orders.services.lifecycle import order_cancel
from orders.services.placing import LineRequest, order_place
from orders.services.refunds import refund_decide, refund_request

from .factories import an_address, pay, place, shop_selling

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {
    "address": "new",
    "new-recipient_name": "李四",
    "new-phone": "139 0013 9000",
    "new-province_code": "11",
    "new-city_code": "1101",
    "new-district_code": "110105",
    "new-street": "建国路 88 号",
    "note": "请尽快发货",
}


def _log_in(client, user):
    assert client.post("/accounts/log-in/", {"username": user.phone, "password": PASSWORD}).status_code == 302


def test_the_product_page_has_the_buy_form_for_the_chosen_sku(client):
    shop, sku = shop_selling(price=12_000)

    page = client.get(f"/s/{shop.slug}/p/{sku.product_id}/").content.decode()

    # the picker's radios belong to the cart form: it posts the one chosen, with or without JavaScript
    assert 'action="/cart/add/" class="buy" id="buy"' in page
    assert re.search(rf'name="sku" form="buy" value="{sku.pk}"[^>]* checked', page)
    assert 'type="hidden" name="sku"' not in page
    assert 'name="shop" value="' + shop.slug in page
    assert "/static/orders/orders.css" in page  # the buy form is styled on the shop's page too


def test_a_visitors_cart_lives_in_the_session_and_joins_the_account_at_log_in(client):
    shop, sku = shop_selling(price=12_000)
    buyer = UserFactory()

    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 2})
    cart = client.get("/cart/").content.decode()
    assert "¥240.00" in cart and not CartItem.objects.exists()

    _log_in(client, buyer)

    item = CartItem.objects.get(user=buyer)
    assert (item.shop, item.sku, item.quantity) == (shop, sku, 2)
    assert "¥240.00" in client.get("/cart/").content.decode()


def test_something_not_buyable_is_not_added(client):
    shop, _ = shop_selling()
    _, elsewhere = shop_selling()

    response = client.post("/cart/add/", {"shop": shop.slug, "sku": elsewhere.pk, "quantity": 1}, follow=True)

    assert "cannot be bought" in response.content.decode() or "无法" in response.content.decode()
    assert not client.session.get("cart")


def test_checkout_places_the_order_and_saves_the_address_for_next_time(client):
    shop, sku = shop_selling(price=12_000, stock=5)
    buyer = UserFactory()
    _log_in(client, buyer)
    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 2})

    response = client.post("/checkout/", NEW_ADDRESS)

    order = Order.objects.get(buyer=buyer)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert order.total_amount == 24_000 and order.region_label == "北京市 朝阳区" and order.phone == "13900139000"
    assert order.note == "请尽快发货" and not CartItem.objects.filter(user=buyer).exists()
    saved = Address.objects.get(user=buyer)
    assert saved.street == "建国路 88 号"
    # next time the saved address is offered and used
    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert "建国路 88 号" in page
    client.post("/checkout/", {"address": str(saved.pk)})
    assert Order.objects.filter(buyer=buyer).count() == 2


def test_checkout_shows_address_errors_and_places_nothing(client):
    shop, sku = shop_selling()
    buyer = UserFactory()
    _log_in(client, buyer)
    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})

    response = client.post("/checkout/", {**NEW_ADDRESS, "new-phone": "12345", "new-district_code": "440106"})

    assert response.status_code == 400 and not Order.objects.exists()


def test_beside_a_saved_address_the_new_address_fields_are_not_required_in_the_browser():
    shop, sku = shop_selling()
    returning, first_time = UserFactory(), UserFactory()
    address_save(user=returning, address=an_address())

    def checkout_page(buyer):
        browser = Client()
        _log_in(browser, buyer)
        browser.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})
        return browser.get("/checkout/").content.decode()

    returning_page, first_time_page = checkout_page(returning), checkout_page(first_time)

    # orders.js makes the marked fields required only while "A new address" is chosen
    assert re.search(r'<input[^>]*name="new-recipient_name"[^>]*data-required-for-new', returning_page)
    assert not re.search(r'<input[^>]*name="new-recipient_name"[^>]*required(?!-)', returning_page)
    assert re.search(r'<input[^>]*name="new-recipient_name"[^>]*required(?!-)', first_time_page)


def test_a_new_address_chosen_and_left_blank_is_a_clear_chinese_error(client):
    shop, sku = shop_selling()
    buyer = UserFactory()
    address_save(user=buyer, address=an_address())
    _log_in(client, buyer)
    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})

    response = client.post("/checkout/", {"address": "new", "new-street": "建国路 88 号"})

    page = response.content.decode()
    assert response.status_code == 400 and not Order.objects.exists()
    assert "请在下方填写新地址，或选择已保存的地址。" in page and "该字段是必填项。" in page


def test_the_address_lists_refresh_without_javascript(client):
    shop, sku = shop_selling()
    _log_in(client, UserFactory())
    client.post("/cart/add/", {"shop": shop.slug, "sku": sku.pk, "quantity": 1})

    page = client.post("/checkout/", {"address": "new", "new-province_code": "44", "refresh": "1"}).content.decode()

    assert page.count("<option") > 34 and "广州市" in page and not Order.objects.exists()


def test_regions_as_json_for_the_form(client):
    assert {"code": "4401", "name": "广州市"} in client.get("/regions/?parent=44").json()["regions"]


def test_the_buyer_sees_its_order_and_pays_through_the_sandbox(client):
    shop, sku = shop_selling()
    buyer = UserFactory()
    order = place(buyer=buyer, shop=shop, sku=sku)
    _log_in(client, buyer)

    page = client.get(f"/orders/{order.pk}/")
    paying = client.post(f"/orders/{order.pk}/pay/")

    assert page.status_code == 200 and 'id="pay"' in page.content.decode()
    assert paying.status_code == 302 and "/sandbox/pay/" in paying["Location"]
    assert client.get(f"/orders/{place(shop=shop, sku=sku).pk}/").status_code == 404  # someone else's


def _cancel(order):
    return order_cancel(order_id=order.pk, by=order.buyer, actor_kind=Actor.BUYER, reason="不想要了")


@pytest.mark.parametrize(
    ("then", "parcel_reads", "never"),
    [
        (lambda order: order, "待付款", "待发货"),
        (lambda order: _cancel(order), "已取消", "待发货"),
        (pay, "待发货", "待付款"),
        (lambda order: _cancel(pay(order)), "已取消", "待发货"),
    ],
    ids=["unpaid", "cancelled unpaid", "paid", "cancelled after paying"],
)
def test_the_parcel_reads_as_waiting_for_the_payment_until_the_order_is_paid(client, then, parcel_reads, never):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    then(order)
    _log_in(client, order.buyer)

    page = client.get(f"/orders/{order.pk}/").content.decode()

    parcel = page.split(f"<h2>{sku.product.supplier.name}</h2>")[1].split("</div>")[0]
    assert parcel_reads in parcel and never not in parcel


def test_the_history_speaks_chinese_and_a_rejection_note_shows_with_its_refund(client):
    shop, sku = shop_selling()
    order = pay(place(shop=shop, sku=sku))
    refund = refund_request(
        order_id=order.pk, line_id=order.lines.get().pk, buyer=order.buyer, amount=1_000, reason="少发了一件"
    )
    refund_decide(refund_id=refund.pk, by=None, actor_kind=Actor.OPERATOR, approve=False, note="已核实足量发货")
    _log_in(client, order.buyer)

    page = client.get(f"/orders/{order.pk}/").content.decode()

    history = page.split('class="history"')[1].split("</ul>")[0]
    assert "订单 待付款 → 待发货" in history and "退款 — → 已申请" in history and "退款 已申请 → 已拒绝" in history
    assert "pending_payment" not in history and "paid:" not in history  # codes and operators' notes stay in the admin
    assert "已核实足量发货" in page.split('class="history"')[0]  # beside the refund it decided


def test_a_cancelled_orders_parcel_never_reads_to_ship_whatever_it_recorded():
    parcel = FulfilmentGroup(order=Order(status=OrderStatus.CANCELLED), status=FulfilmentStatus.TO_SHIP)

    assert parcel.status_for_buyer[0] == FulfilmentStatus.CANCELLED


def test_the_buyer_sees_the_tracking_number(client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    buyer = UserFactory()
    order = place(buyer=buyer, shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    group = order.fulfilments.get()
    _log_in(client, staff)
    client.post(f"/supplier/orders/{group.pk}/ship/", {"carrier": "SF", "tracking_number": "SF7777777777"})
    client.logout()
    _log_in(client, buyer)

    page = client.get(f"/orders/{order.pk}/").content.decode()

    assert "SF7777777777" in page
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_the_order_history_names_statuses_in_chinese_and_the_reasons_read_in_chinese_where_shown(
    client, django_capture_on_commit_callbacks
):
    # given an order paid, shipped by its supplier and received, and another the buyer cancelled after paying
    shop, sku = shop_selling()
    buyer = UserFactory()
    order, cancelled = place(buyer=buyer, shop=shop, sku=sku), place(buyer=buyer, shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
        pay(cancelled)
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    _log_in(client, staff)
    client.post(f"/supplier/orders/{order.fulfilments.get().pk}/ship/", {"carrier": "SF", "tracking_number": "SF7777"})
    client.logout()
    _log_in(client, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/orders/{order.pk}/confirm-receipt/")
        client.post(f"/orders/{cancelled.pk}/cancel/")

    # when the buyer reads both orders
    page = client.get(f"/orders/{order.pk}/").content.decode()
    cancelled_page = client.get(f"/orders/{cancelled.pk}/").content.decode()

    # then every move reads as statuses' names in Chinese, no raw value and no operators' note (the buyer's page)
    history = page.split('<ul class="history">', 1)[1].split("</ul>", 1)[0]
    assert "订单 待付款 → 待发货" in history
    assert "包裹 待发货 → 已发货" in history
    assert "订单 待发货 → 已发货" in history
    assert "订单 已发货 → 已完成" in history
    assert "支付成功" not in history and "所有包裹已发出" not in history
    assert not re.findall(r"[a-z_]{4,}", history), history  # pending_payment, every parcel shipped, sandbox …
    cancelled_history = cancelled_page.split('<ul class="history">', 1)[1].split("</ul>", 1)[0]
    assert "已取消" in cancelled_history and not re.findall(r"[a-z_]{4,}", cancelled_history)
    refunds = cancelled_page.split("<h2>退款</h2>", 1)[1].split("</div>", 1)[0]
    assert "买家取消" in refunds and "cancelled" not in refunds
    # and the system's reasons, where they are shown (the admin's inline, operators' pages), read in Chinese
    with translation.override("zh-hans"):
        reasons = [change.reason_label for change in order.status_changes.order_by("changed_at", "id")]
        cancelled_reasons = [change.reason_label for change in cancelled.status_changes.all()]
    assert any(reason.startswith("支付成功（交易号 SBX") for reason in reasons), reasons
    assert "顺丰速运 SF7777" in reasons and "所有包裹已发出" in reasons and "已确认收货" in reasons
    assert "买家取消" in cancelled_reasons
    assert not re.findall(r"[a-z_]{4,}", " ".join(reasons + cancelled_reasons))


def test_the_supplier_portal_lists_paid_parcels_and_ships_from_a_csv(client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    orders = [place(shop=shop, sku=sku) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        for order in orders:
            pay(order)
    unpaid = place(shop=shop, sku=sku)
    _log_in(client, staff)

    listing = client.get("/supplier/orders/").content.decode()
    groups = [order.fulfilments.get() for order in orders]
    upload = SimpleUploadedFile(
        "ship.csv",
        f"fulfilment_id,carrier,tracking_number\n{groups[0].pk},SF,SF2222222222\n{groups[1].pk},SF,x\n".encode(),
    )
    result = client.post("/supplier/orders/upload/", {"file": upload}).content.decode()

    assert all(f'id="shipment-{group.pk}"' in listing for group in groups)
    assert f'id="shipment-{unpaid.fulfilments.get().pk}"' not in listing
    assert "SF2222222222" not in result and 'id="row-errors"' in result and "3" in result
    assert FulfilmentGroup.objects.get(pk=groups[0].pk).status == FulfilmentStatus.SHIPPED
    assert FulfilmentGroup.objects.get(pk=groups[1].pk).status == FulfilmentStatus.TO_SHIP
    assert client.get("/supplier/orders/to-ship.csv").content.decode().count("\n") == 2


def test_the_to_ship_export_opens_in_excel_and_goes_back_up_as_it_came(client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    _log_in(client, staff)

    export = client.get("/supplier/orders/to-ship.csv").content
    assert export.startswith(b"\xef\xbb\xbf" + "发货单号".encode())  # the BOM: Excel reads it as UTF-8, not GBK
    header, row = csv.reader(io.StringIO(export.decode("utf-8-sig")))
    row[1:3] = ["SF", "SF3333333333"]  # the supplier fills in carrier and tracking number
    filled = io.StringIO()
    filled.write("\ufeff")  # Excel keeps the mark when it saves as CSV UTF-8
    csv.writer(filled).writerows([header, row])
    client.post("/supplier/orders/upload/", {"file": SimpleUploadedFile("to-ship.csv", filled.getvalue().encode())})

    assert order.fulfilments.get().status == FulfilmentStatus.SHIPPED


def test_another_supplier_gets_404_and_a_customer_403(client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    order = place(shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    group = order.fulfilments.get()
    stranger = UserFactory()
    supplier_staff_add(supplier=shop_selling()[1].product.supplier, user=stranger)

    _log_in(client, stranger)
    assert client.get(f"/supplier/orders/{group.pk}/").status_code == 404
    assert (
        client.post(f"/supplier/orders/{group.pk}/ship/", {"carrier": "SF", "tracking_number": "SF1"}).status_code
        == 404
    )
    client.logout()
    _log_in(client, UserFactory())
    assert client.get("/supplier/orders/").status_code == 403


def test_a_reseller_sees_its_shops_orders(client):
    shop, sku = shop_selling(price=12_000)
    order = place(shop=shop, sku=sku)
    owner = shop.owner.user
    owner.set_password(PASSWORD)
    owner.save()
    _log_in(client, owner)

    listing = client.get("/my-shop/orders/").content.decode()
    detail = client.get(f"/my-shop/orders/{order.pk}/").content.decode()

    assert order.number in listing and sku.product.title in detail and "¥20.00" in detail  # the markup
    assert order.street not in detail  # no address for the shop owner


def test_the_buyer_asks_for_a_refund_on_a_page(client, django_capture_on_commit_callbacks):
    shop, sku = shop_selling()
    buyer = UserFactory()
    order = place(buyer=buyer, shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    _log_in(client, buyer)
    line = order.lines.get()

    response = client.post(
        f"/orders/{order.pk}/lines/{line.pk}/refund/",
        {"resolution": "refund_only", "reason_code": "quality", "amount": "30", "description": "瑕疵"},
    )

    assert response.status_code == 302
    refund = order.refunds.get()
    assert (refund.amount, refund.resolution, refund.reason_code) == (3_000, "refund_only", "quality")
    assert refund.reason == "瑕疵"  # the buyer's words, what the supplier reads first


def test_a_request_superseded_by_the_cancellation_shows_so_and_the_supplier_cannot_reject_it(
    client, django_capture_on_commit_callbacks
):
    # given a paid order of 118.00, a request for 50.00 back, then the buyer cancelling the order
    shop, sku = shop_selling(price=11_800)
    buyer = UserFactory()
    order = place(buyer=buyer, shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    request = refund_request(
        order_id=order.pk, line_id=order.lines.get().pk, buyer=buyer, amount=5_000, reason="少发了一件"
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, by=buyer, buyer=buyer, actor_kind=Actor.BUYER, reason="不想要了")
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)

    # when the supplier opens its refunds and tries to reject the request anyway
    _log_in(client, staff)
    listing = client.get("/supplier/refunds/").content.decode()
    rejected = client.post(
        f"/supplier/refunds/{request.pk}/decide/", {"decision": "reject", "note": "不退"}, follow=True
    )

    # then the request reads 已由取消订单退款 with nothing to decide, and the rejection is refused
    row = listing.split(f'id="refund-{request.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "已由取消订单退款" in row and "decide" not in row
    assert "订单当前的状态不允许这样操作" in rejected.content.decode()
    assert Refund.objects.get(pk=request.pk).status == RefundStatus.SUPERSEDED
    # and the buyer's order page shows it too, beside the cancellation's refund of 118.00
    client.logout()
    _log_in(client, buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "已由取消订单退款" in page and "¥118.00" in page


def test_a_formula_typed_as_a_name_reaches_the_suppliers_csv_as_text(client, django_capture_on_commit_callbacks):
    """A spreadsheet would run ``=HYPERLINK(…)``; the export hands it over as text."""
    shop, sku = shop_selling(product__title="@SUM(1+1) 蜂蜜")
    staff = UserFactory()
    supplier_staff_add(supplier=sku.product.supplier, user=staff)
    formula = '=HYPERLINK("http://e.cn","x")'  # the 30 characters a name may have
    order = order_place(
        buyer=UserFactory(),
        lines=[LineRequest(sku_id=sku.pk, quantity=1, shop_slug=shop.slug)],
        address=an_address(recipient_name=formula),
    )
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    _log_in(client, staff)

    export = client.get("/supplier/orders/to-ship.csv")

    header, row = csv.reader(io.StringIO(export.content.decode("utf-8-sig")))
    cells = dict(zip(header, row, strict=True))
    assert cells["收货人"] == "'" + formula
    assert cells["商品"].startswith("'@SUM(1+1) 蜂蜜")
    assert cells["发货单号"] == str(order.fulfilments.get().pk)  # the platform's own number stays a number
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


@pytest.mark.parametrize(
    "typed, said",
    [("0", "必须大于 0"), ("1e1", "半角数字"), ("+10", "半角数字"), ("１０", "半角数字"), ("10.", "半角数字")],
)
def test_the_refund_page_refuses_nothing_and_exotic_amounts_in_chinese(
    client, django_capture_on_commit_callbacks, typed, said
):
    shop, sku = shop_selling()
    buyer = UserFactory()
    order = place(buyer=buyer, shop=shop, sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    _log_in(client, buyer)
    line = order.lines.get()

    response = client.post(f"/orders/{order.pk}/lines/{line.pk}/refund/", {"amount": typed, "reason": "瑕疵"})

    assert response.status_code == 400
    assert said in " ".join(response.context["form"].errors["amount"])
    assert not order.refunds.exists()
