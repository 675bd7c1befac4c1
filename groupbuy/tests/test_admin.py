"""Operators create campaigns in the admin through the service, and decide suppliers' ones."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.tests.factories import SkuFactory
from groupbuy.choices import CampaignStatus
from groupbuy.models import Campaign, StatusChange
from groupbuy.services import campaign_create

pytestmark = pytest.mark.django_db


def _form(sku, **changes):
    now = timezone.localtime()
    return {
        "title": "三人团",
        "sku": sku.pk,
        "group_price": "79.00",
        "leader_price": "",
        "group_size": 3,
        "per_person_limit": 1,
        "commission_mode": "none",
        "commission_percent": "",
        "fill_hours": 24,
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(days=3)).strftime("%Y-%m-%d"),
        "ends_at_1": now.strftime("%H:%M:%S"),
        **changes,
    }


def test_an_operator_creates_a_campaign_and_a_price_below_cost_is_a_form_error(client):
    client.force_login(OperatorFactory())
    sku = SkuFactory()
    url = reverse("admin:groupbuy_campaign_add")

    refused = client.post(url, _form(sku, group_price="40.00"))
    assert refused.status_code == 200 and "成本价" in refused.content.decode()
    assert not Campaign.objects.exists()

    created = client.post(url, _form(sku))
    assert created.status_code == 302, created.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.ACTIVE
    assert campaign.skus.get().group_price_amount == 7900 and campaign.fill_within == timedelta(hours=24)


def test_an_operator_approves_a_suppliers_campaign_with_an_audit_row(client):
    sku = SkuFactory()
    now = timezone.now()
    campaign = campaign_create(
        by=UserFactory(),
        supplier=sku.product.supplier,
        product=sku.product,
        prices={sku.pk: (8000, None)},
        title="供应商的团",
        group_size=2,
        fill_within=timedelta(hours=12),
        starts_at=now,
        ends_at=now + timedelta(days=1),
    )
    assert campaign.status == CampaignStatus.PENDING
    client.force_login(OperatorFactory())

    client.post(reverse("admin:groupbuy_campaign_changelist"), {"action": "approve", "_selected_action": [campaign.pk]})

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    assert StatusChange.objects.filter(subject="campaign", object_id=campaign.pk, to_status="active").exists()
