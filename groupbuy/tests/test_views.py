"""The group-buying pages, as a phone's browser posts them (Django's client)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groupbuy.choices import MemberStatus
from groupbuy.models import Group, Member
from orders.models import Order
from orders.tests.factories import shop_selling

from .factories import a_campaign, campaign_sku_id, joined, opened

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {
    "address": "new",
    "new-recipient_name": "李四",
    "new-phone": "13700137000",
    "new-province_code": "31",
    "new-city_code": "3101",
    "new-district_code": "310104",
    "new-street": "漕溪北路 1 号",
}


def test_a_buyer_opens_a_group_from_the_campaign_page_and_is_sent_to_pay(client):
    campaign = a_campaign(size=2, group_price=8000)
    buyer = UserFactory()
    client.force_login(buyer)

    response = client.post(
        reverse("groupbuy:campaign", args=[campaign.pk]),
        {"sku_id": campaign_sku_id(campaign), "quantity": 1, **NEW_ADDRESS},
    )

    member = Member.objects.get(buyer=buyer)
    assert response.status_code == 302 and response["Location"] == reverse("orders:pay", args=[member.order_id])
    assert member.is_leader and Order.objects.get(pk=member.order_id).total_amount == 8000
    assert buyer.addresses.count() == 1  # kept for next time, as checkout does


def test_a_bad_address_is_a_form_error_and_places_nothing(client):
    campaign = a_campaign()
    client.force_login(UserFactory())

    response = client.post(
        reverse("groupbuy:campaign", args=[campaign.pk]),
        {"sku_id": campaign_sku_id(campaign), "quantity": 1, **NEW_ADDRESS, "new-phone": "12345"},
    )

    assert response.status_code == 400
    assert not Member.objects.exists() and not Order.objects.exists() and not Group.objects.exists()


def test_the_group_page_shows_masked_members_the_seats_left_and_a_join_form(client, django_assert_max_num_queries):
    campaign = a_campaign(size=3)
    leader = opened(campaign, buyer=UserFactory(nickname="张三丰"))
    client.force_login(UserFactory())

    with django_assert_max_num_queries(12):
        response = client.get(reverse("groupbuy:group", args=[leader.group_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "张**" in page and "张三丰" not in page
    assert "还差 3 人成团" in page  # nobody has paid yet
    assert 'id="seat-form"' in page


def test_joining_from_the_group_page_takes_a_seat_and_a_full_group_refuses_with_a_message(client):
    campaign = a_campaign(size=2)
    leader = opened(campaign)
    joiner = UserFactory()
    client.force_login(joiner)
    url = reverse("groupbuy:group", args=[leader.group_id])

    response = client.post(url, {"sku_id": campaign_sku_id(campaign), "quantity": 1, **NEW_ADDRESS})
    assert response.status_code == 302
    assert Member.objects.get(buyer=joiner).status == MemberStatus.PENDING_PAYMENT

    client.force_login(UserFactory())
    refused = client.post(url, {"sku_id": campaign_sku_id(campaign), "quantity": 1, **NEW_ADDRESS})
    assert refused.status_code == 400
    assert "名额已满" in refused.content.decode()
    assert Member.objects.count() == 2


def test_the_campaign_page_lists_open_groups_to_join(client, django_assert_max_num_queries):
    campaign = a_campaign(size=3)
    groups = [opened(campaign).group_id for _ in range(4)]
    joined(groups[2])

    with django_assert_max_num_queries(10):
        response = client.get(reverse("groupbuy:campaign", args=[campaign.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(f'data-group="{groups[2]}"') < page.index(f'data-group="{groups[0]}"')  # the fullest first


def test_my_groups_lists_the_buyers_seats(client, django_assert_max_num_queries):
    campaign = a_campaign(size=2)
    buyer = UserFactory()
    for _ in range(3):
        member = opened(campaign, buyer=buyer)
        Member.objects.filter(pk=member.pk).update(holds_open_seat=False)  # as if each group had ended
    client.force_login(buyer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("groupbuy:mine"))

    assert response.status_code == 200
    assert response.content.decode().count("data-member-status=") == 3


def test_the_product_page_offers_the_group_price_and_groups_to_join(client):
    shop, sku = shop_selling()
    campaign = a_campaign(sku=sku, group_price=7900)
    leader = opened(campaign)

    response = client.get(reverse("shops:product", args=[shop.slug, sku.product_id]))

    page = response.content.decode()
    assert 'id="group-offer"' in page and "79.00" in page
    assert f'data-group="{leader.group_id}"' in page


def test_an_unknown_group_is_a_404_page(client):
    assert client.get(reverse("groupbuy:group", args=[987654])).status_code == 404
    assert client.get(reverse("groupbuy:campaign", args=[987654])).status_code == 404


def test_the_group_page_shows_a_qr_code_of_its_link(client):
    from io import BytesIO

    from PIL import Image

    leader = opened(a_campaign(size=2))
    page = client.get(reverse("groupbuy:group", args=[leader.group_id])).content.decode()
    assert reverse("groupbuy:group_qr", args=[leader.group_id]) in page

    image = client.get(reverse("groupbuy:group_qr", args=[leader.group_id]))
    assert image["Content-Type"] == "image/png"
    assert Image.open(BytesIO(image.content)).size[0] >= 160


def test_the_product_pages_group_offer_costs_constant_queries(client, django_assert_num_queries):
    from django.template import Context, Template

    shop, sku = shop_selling()
    campaign = a_campaign(sku=sku)
    template = Template("{% load groupbuy %}{% group_offer product_id %}")
    for _group in range(3):
        opened(campaign)
        with django_assert_num_queries(5):  # the campaign, its SKUs; the open groups, their SKUs and members
            template.render(Context({"product_id": sku.product_id}))
