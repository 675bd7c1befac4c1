"""Operators create bargain campaigns in the admin through the service, and end them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OperatorFactory
from bargain.models import BargainCampaign
from catalog.tests.factories import SkuFactory

from .factories import a_campaign, started

pytestmark = pytest.mark.django_db


def _form(sku, **changes):
    now = timezone.localtime()
    return {
        "title": "好友帮砍",
        "sku": sku.pk,
        "start_price": "100.00",
        "floor_price": "60.00",
        "helps_needed": 5,
        "hours": 24,
        "commission_mode": "none",
        "commission_percent": "",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(days=3)).strftime("%Y-%m-%d"),
        "ends_at_1": now.strftime("%H:%M:%S"),
        **changes,
    }


def test_an_operator_creates_a_campaign_and_a_floor_below_cost_is_a_form_error(client):
    client.force_login(OperatorFactory())
    sku = SkuFactory()  # cost 50.00, list 100.00
    url = reverse("admin:bargain_bargaincampaign_add")

    below_cost = client.post(url, _form(sku, floor_price="49.99"))
    too_few_fen = client.post(url, _form(sku, start_price="60.04"))
    assert below_cost.status_code == 200 and "成本价" in below_cost.content.decode()
    assert too_few_fen.status_code == 200 and "每人一分钱" in too_few_fen.content.decode()
    assert not BargainCampaign.objects.exists()

    created = client.post(url, _form(sku, commission_mode="reduced", commission_percent="50"))
    assert created.status_code == 302, created.content.decode()[:2000]
    campaign = BargainCampaign.objects.get()
    assert (campaign.start_price_amount, campaign.floor_price_amount, campaign.helps_needed) == (10000, 6000, 5)
    assert campaign.time_limit == timedelta(hours=24) and campaign.commission_bps == 5000
    shown = client.get(reverse("admin:bargain_bargaincampaign_change", args=[campaign.pk])).content.decode()
    assert "¥60.00" in shown and "¥100.00" in shown


def test_ending_a_campaign_stops_new_bargains_and_keeps_running_ones(client):
    campaign = a_campaign()
    running = started(campaign)
    client.force_login(OperatorFactory())

    client.post(
        reverse("admin:bargain_bargaincampaign_changelist"), {"action": "end", "_selected_action": [campaign.pk]}
    )

    campaign.refresh_from_db()
    assert campaign.ends_at <= timezone.now()
    running.refresh_from_db()
    assert running.expires_at > timezone.now()
    for name in ("bargain", "help", "statuschange"):
        assert client.get(reverse(f"admin:bargain_{name}_changelist")).status_code == 200
