"""Every page of the operators' admin opens on the demo world, and reads as
operators read: money in yuan, never a column of fen."""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from commissions.models import Commission, Withdrawal
from orders.models import Order
from socialshop.money import format_yuan

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "catalog", "distribution", "shops", "orders", "commissions", "webhooks", "flash", "socialshop"}
OUR_APPS |= {"bargain", "coupons", "groupbuy", "growth", "notifications", "payments", "ledger", "audit"}


@pytest.fixture
def operator_client(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    client.force_login(User.objects.get(phone="13800000000"))
    return client


def _our_models():
    return [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


def test_every_list_and_every_record_opens(operator_client):
    for model in _our_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        listed = operator_client.get(reverse(f"{prefix}_changelist"), follow=True)
        assert listed.status_code == 200, model
        assert "（分）" not in listed.content.decode(), model  # a column of fen
        first = model.objects.order_by("pk").first()
        if first is not None:
            shown = operator_client.get(reverse(f"{prefix}_change", args=[first.pk]))
            assert shown.status_code == 200, model
            assert "（分）" not in shown.content.decode(), model


@pytest.mark.parametrize(
    ("model", "amounts"),
    [
        (Order, lambda order: [order.total_amount, order.paid_amount]),
        (Withdrawal, lambda withdrawal: [withdrawal.amount]),
        (Commission, lambda commission: [commission.base_amount, commission.amount]),
    ],
    ids=["order", "withdrawal", "commission"],
)
def test_a_record_shows_its_money_in_yuan(operator_client, model, amounts):
    record = model.objects.filter(**{"amount__gt" if model is not Order else "total_amount__gt": 0}).first()
    change = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"

    page = operator_client.get(reverse(change, args=[record.pk])).content.decode()

    for amount in amounts(record):
        assert format_yuan(amount) in page
    assert "（分）" not in page and "(fen)" not in page
    assert not re.search(r'<input[^>]+name="\w*amount"', page)  # money is read here, never typed


def test_an_order_s_lines_show_their_money_in_yuan(operator_client):
    order = Order.objects.filter(lines__isnull=False).first()
    line = order.lines.first()

    page = operator_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert format_yuan(line.unit_price_amount) in page and format_yuan(line.line_total_amount) in page


# words that stay as they are in Chinese too
LATIN_KEPT = {"ID", "SKU", "API", "URL", "Webhook", "EMS"}


def _english(label) -> bool:
    return any(word not in LATIN_KEPT for word in re.findall(r"[A-Za-z]{2,}", str(label)))


def test_operators_read_every_column_and_field_name_in_chinese():
    from django.contrib.admin.utils import label_for_field
    from django.utils import translation

    english = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in OUR_APPS:
                continue
            shown = [model] + [inline.model for inline in model_admin.inlines]
            for each in shown:
                names = [each._meta.app_config.verbose_name, each._meta.verbose_name, each._meta.verbose_name_plural]
                names += [field.verbose_name for field in each._meta.fields]
                english += [f"{each._meta.label}: {name}" for name in names if _english(name)]
            for column in model_admin.list_display:
                label = label_for_field(column, model, model_admin)
                if _english(label):
                    english.append(f"{model._meta.label} column {column}: {label}")

    assert english == [], "\n".join(english)


def test_the_withdrawals_list_names_its_columns_in_chinese(client):
    from commissions.services.withdrawals import withdrawal_request
    from commissions.tests.factories import credit_withdrawable
    from distribution.tests.factories import ResellerFactory

    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 20_000, "labels")
    withdrawal_request(reseller=reseller, amount=10_000)
    client.force_login(User.objects.create_superuser(phone="13800000008", password="x"))

    page = client.get(reverse("admin:commissions_withdrawal_changelist")).content.decode()

    (results,) = re.findall(r'<table id="result_list">.*?</thead>', page, re.S)
    headers = re.findall(r'<th scope="col"[^>]*>.*?</th>', results, re.S)
    assert headers and not any(_english(re.sub(r"<[^>]+>", "", header)) for header in headers)
    assert "店主" in page
