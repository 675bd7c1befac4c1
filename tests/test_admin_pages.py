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

OUR_APPS = {"accounts", "catalog", "distribution", "shops", "orders", "commissions", "webhooks", "socialshop"}


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
        first = model.objects.order_by("pk").first()
        if first is not None:
            shown = operator_client.get(reverse(f"{prefix}_change", args=[first.pk]))
            assert shown.status_code == 200, model


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
