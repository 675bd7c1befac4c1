import io

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from accounts.choices import Role
from accounts.phone import mask_phone
from accounts.tests.factories import PASSWORD, UserFactory, sign_up_code
from distribution.choices import BindingSource, ResellerStatus
from distribution.models import Binding, Reseller
from distribution.services import reseller_sale_record, team_sales_roll_up

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {"phone": "13512345678", "nickname": "小王", "password1": "a-long-pass-42", "password2": "a-long-pass-42"}


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert results, "no QR code found"
    return results[0].text


# --- team page ---------------------------------------------------------------


def test_the_team_page_shows_the_inviter_the_figures_and_masked_downline(client):
    inviter = ResellerFactory(user__nickname="林小美")
    me = ResellerFactory(inviter=inviter)
    child = ResellerFactory(inviter=me, user__nickname="陈阿杰", user__phone="13712345678")
    ResellerFactory(inviter=child)
    reseller_sale_record(reseller_id=child.id, amount=12_345, key="k")
    team_sales_roll_up()
    client.force_login(me.user)

    page = client.get(reverse("distribution:team")).content.decode()

    assert "林小美" in page  # the inviter, above: its name shows
    assert "陈**" in page and "137****5678" in page  # below: masked
    assert "陈阿杰" not in page and "13712345678" not in page
    assert "¥123.45" in page
    assert me.invite_code in page
    assert reverse("distribution:invite") in page  # the invite poster, one tap away


def test_the_team_page_pages_the_direct_downline(client):
    me = ResellerFactory()
    for _ in range(23):
        ResellerFactory(inviter=me)
    client.force_login(me.user)

    first = client.get(reverse("distribution:team")).content.decode()
    second = client.get(reverse("distribution:team"), {"page": 2}).content.decode()

    assert first.count('class="member"') == 20
    assert second.count('class="member"') == 3


def test_a_frozen_reseller_sees_why_its_shop_is_closed(client):
    me = ResellerFactory(status=ResellerStatus.FROZEN)
    client.force_login(me.user)

    page = client.get(reverse("distribution:team")).content.decode()

    assert "冻结" in page


def test_a_customer_opening_the_team_page_is_sent_to_join(client):
    client.force_login(UserFactory())

    response = client.get(reverse("distribution:team"))

    assert response.status_code == 302 and response.url == reverse("distribution:join")


def test_the_team_page_needs_a_log_in(client):
    response = client.get(reverse("distribution:team"))

    assert response.status_code == 302 and reverse("accounts:login") in response.url


# --- invite link, QR code, poster -------------------------------------------


def test_the_invite_page_shows_the_link_and_code(client):
    me = ResellerFactory()
    client.force_login(me.user)

    page = client.get(reverse("distribution:invite")).content.decode()

    assert f"/join/?ref={me.invite_code}" in page
    assert reverse("distribution:invite_poster") in page


def test_the_qr_code_and_the_poster_open_the_invite_link(client):
    me = ResellerFactory(user__nickname="林小美")
    client.force_login(me.user)
    link = f"http://testserver/join/?ref={me.invite_code}"

    qr = client.get(reverse("distribution:invite_qr"))
    poster = client.get(reverse("distribution:invite_poster"))

    assert qr["Content-Type"] == poster["Content-Type"] == "image/png"
    assert decode_qr(qr.content) == link
    assert decode_qr(poster.content) == link
    assert Image.open(io.BytesIO(poster.content)).size == (750, 1200)


def test_only_resellers_have_a_poster(client):
    client.force_login(UserFactory())

    assert client.get(reverse("distribution:invite_poster")).status_code == 404


# --- joining -----------------------------------------------------------------


def test_the_invite_link_fills_in_the_code_and_names_the_inviter(client):
    inviter = ResellerFactory(user__nickname="林小美")

    page = client.get(f"/join/?ref={inviter.invite_code}").content.decode()

    assert "林小美" in page
    assert f'value="{inviter.invite_code}"' in page


def test_a_visitor_signs_up_with_an_invite_code_and_becomes_a_reseller(client):
    inviter = ResellerFactory()

    code = sign_up_code(client, SIGN_UP["phone"], url="/join/")
    response = client.post(
        reverse("distribution:join"),
        {**SIGN_UP, "code": code, "invite_code": inviter.invite_code, "become_reseller": "on"},
    )

    assert response.status_code == 302 and response.url == reverse("distribution:team")
    reseller = Reseller.objects.get(user__phone="13512345678")
    assert reseller.inviter == inviter
    binding = Binding.objects.get(customer=reseller.user)
    assert (binding.reseller, binding.source) == (inviter, BindingSource.INVITE_CODE)
    assert client.get(reverse("distribution:team")).status_code == 200  # logged in


def test_a_visitor_signs_up_with_an_invite_code_as_a_customer_and_is_bound(client):
    inviter = ResellerFactory()

    code = sign_up_code(client, SIGN_UP["phone"], url="/join/")
    client.post(reverse("distribution:join"), {**SIGN_UP, "code": code, "invite_code": inviter.invite_code.lower()})

    user = Binding.objects.get(reseller=inviter).customer
    assert (user.phone, user.role) == ("13512345678", Role.CUSTOMER)
    assert not Reseller.objects.filter(user=user).exists()


def test_a_wrong_invite_code_is_a_form_error_and_creates_nobody(client):
    code = sign_up_code(client, SIGN_UP["phone"], url="/join/")
    response = client.post(reverse("distribution:join"), {**SIGN_UP, "code": code, "invite_code": "NOPE22"})

    assert response.status_code == 200
    assert "邀请码" in response.content.decode()
    assert not Reseller.objects.exists() and not Binding.objects.exists()
    assert not UserFactory._meta.model.objects.filter(phone="13512345678").exists()


def test_a_logged_in_customer_joins_with_the_code(client, distribution_settings):
    distribution_settings(reseller_approval_required=True)
    inviter = ResellerFactory()
    customer = UserFactory()
    client.force_login(customer)

    response = client.post(reverse("distribution:join"), {"invite_code": inviter.invite_code})

    assert response.status_code == 302
    assert Reseller.objects.get(user=customer).status == ResellerStatus.PENDING


def test_a_reseller_opening_the_join_page_goes_to_its_team(client):
    client.force_login(ResellerFactory().user)

    assert client.get(reverse("distribution:join")).url == reverse("distribution:team")


def test_supplier_staff_are_told_they_cannot_join(client):
    client.force_login(UserFactory(role=Role.SUPPLIER_STAFF))
    inviter = ResellerFactory()

    response = client.post(reverse("distribution:join"), {"invite_code": inviter.invite_code})

    assert response.status_code == 200
    assert not Reseller.objects.filter(user__role=Role.SUPPLIER_STAFF).exists()


# --- binding -----------------------------------------------------------------


def test_a_customer_sees_its_binding(client):
    reseller = ResellerFactory(user__nickname="林小美")
    customer = UserFactory()
    client.get("/", {"ref": reseller.invite_code})
    client.post("/accounts/log-in/", {"username": customer.phone, "password": PASSWORD})

    page = client.get(reverse("distribution:binding")).content.decode()

    assert "林小美" in page


def test_an_unbound_customer_is_told_so(client):
    client.force_login(UserFactory())

    page = client.get(reverse("distribution:binding")).content.decode()

    assert "没有绑定" in page or "not bound" in page


def test_the_sign_up_page_offers_the_invite_code_sign_up(client):
    assert reverse("distribution:join") in client.get(reverse("accounts:sign_up")).content.decode()


def test_nobody_sees_a_phone_number_of_their_team_unmasked(client):
    me = ResellerFactory()
    members = [ResellerFactory(inviter=me) for _ in range(3)]
    client.force_login(me.user)

    page = client.get(reverse("distribution:team")).content.decode()

    for member in members:
        assert member.user.phone not in page
        assert mask_phone(member.user.phone) in page


def test_the_invite_pages_log_in_link_comes_back_with_the_code_and_where_the_visitor_was_going(client):
    inviter = ResellerFactory()
    path = f"/join/?ref={inviter.invite_code}&next=/s/shop/p/1/"

    page = client.get(path).content.decode()

    assert f"/accounts/log-in/?next=/join/%3Fref%3D{inviter.invite_code}%26next%3D/s/shop/p/1/" in page
    assert '<input type="hidden" name="next" value="/s/shop/p/1/">' in page


def test_signing_up_on_the_invite_page_goes_on_to_next(client):
    inviter = ResellerFactory()
    code = sign_up_code(client, SIGN_UP["phone"], url="/join/")

    response = client.post(
        "/join/?next=/checkout/", {**SIGN_UP, "code": code, "invite_code": inviter.invite_code, "next": "/checkout/"}
    )

    assert response.status_code == 302 and response.url == "/checkout/"


def test_an_invite_sign_up_without_the_code_creates_nobody(client):
    inviter = ResellerFactory()

    response = client.post(
        reverse("distribution:join"), {**SIGN_UP, "code": "000000", "invite_code": inviter.invite_code}
    )

    assert response.status_code == 200
    assert not UserFactory._meta.model.objects.filter(phone=SIGN_UP["phone"]).exists()
