import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_an_api_path_no_view_matches_answers_the_api_error_body(client):
    response = client.get("/api/v1/shops/mine/picks/not-a-number/")

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and response.json()["fields"] == {}


@pytest.mark.django_db
def test_a_page_no_view_matches_is_still_a_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


MENU = re.compile(r'<nav class="topnav".*?</nav>', re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["customer", "reseller", "supplier_staff", "operator"])
def test_the_menu_leads_to_each_role_s_place_and_the_account_page_to_the_rest(client, role):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=role, is_staff=role == "operator"))

    menu = MENU.search(client.get("/").content.decode())[0]
    account = client.get(reverse("account")).content.decode()

    assert reverse("account") in menu
    assert reverse("accounts:api_tokens") not in menu  # for REST clients: reached from the account page
    assert reverse("accounts:api_tokens") in account
    place = {"customer": "orders:list", "reseller": "commissions:workbench", "supplier_staff": "catalog:product_list"}
    assert reverse(place.get(role, "admin:index")) in menu
    assert 'action="/accounts/log-out/"' in account


@pytest.mark.django_db
def test_the_favicon_is_a_real_icon(client):
    from django.contrib.staticfiles import finders
    from PIL import Image

    response = client.get("/favicon.ico")
    page = client.get("/").content.decode()

    assert response.status_code == 302 and response["Location"].endswith("/favicon.ico")
    assert '<link rel="icon" href="/static/favicon.ico"' in page
    with Image.open(finders.find("favicon.ico")) as icon:
        assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
