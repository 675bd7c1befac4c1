import pytest
from django.urls import reverse

from accounts.models import User

from .factories import PASSWORD, OperatorFactory, UserFactory, sign_up_code

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_customer_and_logs_it_in(client):
    code = sign_up_code(client, "138 0013 8000")
    response = client.post(
        reverse("accounts:sign_up"),
        {
            "phone": "138 0013 8000",
            "code": code,
            "nickname": "小王",
            "password1": "Tea-and-honey-42",
            "password2": "Tea-and-honey-42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(phone="13800138000")
    assert user.nickname == "小王" and user.phone_verified_at is not None
    assert client.get(reverse("home")).context["user"] == user


@pytest.mark.parametrize(
    "phone, field_error",
    [("12345", "phone"), ("13800138000", "phone")],
    ids=["not a mobile number", "already registered"],
)
def test_sign_up_with_a_bad_phone_shows_the_error_and_creates_nothing(client, phone, field_error):
    UserFactory(phone="13800138000")
    before = User.objects.count()

    response = client.post(
        reverse("accounts:sign_up"),
        {
            "phone": phone,
            "code": "123456",
            "nickname": "x",
            "password1": "Tea-and-honey-42",
            "password2": "Tea-and-honey-42",
        },
    )

    assert response.status_code == 200
    assert field_error in response.context["form"].errors
    assert User.objects.count() == before


def test_log_in_with_phone_and_password_then_log_out(client):
    user = UserFactory(phone="13800138000")

    response = client.post(reverse("accounts:login"), {"username": "+86 13800138000", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    assert client.get(reverse("accounts:logout")).status_code == 405  # a link cannot log you out
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "query", "lands_on"),
    [
        ("reseller", "", "/my-shop/"),
        ("reseller", "?next=/team/", "/team/"),
        ("customer", "", "/"),
        ("supplier_staff", "", "/"),
    ],
)
def test_a_reseller_lands_in_its_shop_unless_next_says_otherwise(client, role, query, lands_on):
    UserFactory(phone="13800138000", role=role)

    response = client.post(reverse("accounts:login") + query, {"username": "13800138000", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == lands_on


def test_a_wrong_password_is_a_form_error(client):
    UserFactory(phone="13800138000")

    response = client.post(reverse("accounts:login"), {"username": "13800138000", "password": "nope"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_only_operators_reach_the_admin(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:index")).status_code == 302  # sent to the admin's log-in

    client.force_login(OperatorFactory())
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_operator_adds_a_user_in_the_admin(client):
    client.force_login(OperatorFactory())

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "13800138009",
            "nickname": "新员工",
            "role": "customer",
            "usable_password": "true",
            "password1": "Tea-and-honey-42",
            "password2": "Tea-and-honey-42",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(phone="13800138009").exists()


SIGN_UP = {
    "phone": "138 0013 8000",
    "nickname": "小王",
    "password1": "Tea-and-honey-42",
    "password2": "Tea-and-honey-42",
}


def test_the_log_in_pages_sign_up_link_carries_where_the_visitor_was_going(client):
    # by SMS code (the default tab) a new number signs up as it logs in: no link needed, next is kept
    by_code = client.get("/accounts/log-in/", {"next": "/s/xiaomei/p/1/?ref=ABC123"}).content.decode()
    log_in = client.get(
        "/accounts/log-in/", {"next": "/s/xiaomei/p/1/?ref=ABC123", "method": "password"}
    ).content.decode()
    sign_up = client.get("/accounts/sign-up/", {"next": "/checkout/"}).content.decode()

    assert '<input type="hidden" name="next" value="/s/xiaomei/p/1/?ref=ABC123">' in by_code
    assert 'href="/accounts/sign-up/?next=/s/xiaomei/p/1/%3Fref%3DABC123"' in log_in
    assert '<input type="hidden" name="next" value="/checkout/">' in sign_up
    assert 'href="/accounts/log-in/?next=/checkout/"' in sign_up  # and back, for one who has an account


def test_after_sign_up_the_buyer_goes_on_to_where_it_was_going(client):
    code = sign_up_code(client, SIGN_UP["phone"])
    response = client.post("/accounts/sign-up/?next=/checkout/", {**SIGN_UP, "code": code, "next": "/checkout/"})

    assert response.status_code == 302 and response["Location"] == "/checkout/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/checkout/", "javascript:alert(1)"])
def test_sign_up_never_sends_anyone_to_another_site(client, target):
    page = client.get("/accounts/sign-up/", {"next": target}).content.decode()
    code = sign_up_code(client, SIGN_UP["phone"])
    response = client.post("/accounts/sign-up/", {**SIGN_UP, "code": code, "next": target})

    assert '<input type="hidden" name="next"' not in page and "?next=" not in page.split("<footer")[0]
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_password_sign_up_without_the_right_code_creates_nobody(client):
    code = sign_up_code(client, SIGN_UP["phone"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/sign-up/", {**SIGN_UP, "code": wrong})

    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert not User.objects.filter(phone="13800138000").exists()


def test_getting_the_code_keeps_what_was_typed_but_the_passwords(client):
    response = client.post(
        "/accounts/sign-up/",
        {"action": "send_code", "phone": "13800138000", "nickname": "小王", "password1": "Tea-and-honey-42"},
    )

    page = response.content.decode()
    assert 'value="小王"' in page and "Tea-and-honey-42" not in page
    assert "验证码已发送" in page or response.wsgi_request._messages


def test_getting_a_code_for_a_registered_number_says_so_and_sends_nothing(client):
    from accounts.sms.console import console_code_for

    UserFactory(phone="13800138000")

    response = client.post("/accounts/sign-up/", {"action": "send_code", "phone": "13800138000"})

    assert "已注册" in response.content.decode()
    assert console_code_for("13800138000") is None
