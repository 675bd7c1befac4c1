"""WeChat log-in against a local fake of WeChat's OAuth endpoints: inside
WeChat's browser (the official account: silent snsapi_base, then
snsapi_userinfo for someone new) and on a desktop (QR log-in); the state
bound to the session; linking a phone account; adding a number before the
first order; the openid other apps ask for."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from accounts.choices import WechatApp
from accounts.models import User, WechatIdentity
from accounts.selectors import user_wechat_openid
from accounts.sms.console import console_code_for

from .conftest import MP_APP_ID, OPEN_APP_ID
from .factories import PASSWORD, UserFactory
from .fakes import WechatPerson

pytestmark = pytest.mark.django_db

IN_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def _query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _through_wechat(client: Client, response, *, max_hops: int = 4):
    """Follow redirects between our site and the fake WeChat, as a browser
    does (the person agrees each time); answer our last response."""
    for _hop in range(max_hops):
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith("http://127.0.0.1"):
            return response
        at_wechat = requests.get(location.split("#")[0], allow_redirects=False, timeout=5)
        assert at_wechat.status_code == 302, at_wechat.text
        back = urlsplit(at_wechat.headers["Location"])
        response = client.get(back.path, _query(at_wechat.headers["Location"]))
    return response


def _start(client: Client, user_agent: str = IN_WECHAT, **query):
    return client.get("/accounts/wechat/", query, HTTP_USER_AGENT=user_agent)


def test_in_wechat_the_log_in_page_offers_wechat_and_starts_silently(client, wechat):
    page = client.get("/accounts/log-in/", {"next": "/cart/"}, HTTP_USER_AGENT=IN_WECHAT).content.decode()
    assert 'href="/accounts/wechat/?next=%2Fcart%2F"' in page

    response = _start(client, next="/cart/")

    assert response.status_code == 302
    query = _query(response["Location"])
    assert response["Location"].startswith(f"{wechat.url}/connect/oauth2/authorize?")
    assert response["Location"].endswith("#wechat_redirect")
    assert (query["appid"], query["scope"], query["response_type"]) == (MP_APP_ID, "snsapi_base", "code")
    assert query["redirect_uri"] == "http://testserver/accounts/wechat/callback/"
    assert query["state"] == client.session["wechat_oauth"]["state"]


def test_a_new_person_in_wechat_is_asked_for_name_and_avatar_then_for_a_number(client, wechat):
    response = _through_wechat(client, _start(client, next="/cart/"))

    # the silent scope found nobody, so WeChat was asked again for the profile; then the new user exists
    user = User.objects.get(wechat_identities__openid=wechat.person.openid(MP_APP_ID))
    assert user.nickname == "阿丽" and user.phone is None
    identity = user.wechat_identities.get()
    assert (identity.app, identity.unionid) == (WechatApp.OFFICIAL_ACCOUNT, wechat.person.unionid)
    assert identity.avatar_url == wechat.person.avatar_url
    assert response.status_code == 302 and response["Location"] == "/accounts/phone/?next=%2Fcart%2F"
    assert client.get("/").context["user"] == user
    assert len(wechat.exchanged) == 2  # one code per authorisation, each exchanged once


def test_someone_known_logs_in_silently(client, wechat):
    _through_wechat(client, _start(client))
    client.logout()
    before = len(wechat.exchanged)

    returning = Client()
    response = _through_wechat(returning, _start(returning, next="/orders/"))

    assert len(wechat.exchanged) == before + 1  # snsapi_base only: no second authorisation
    assert User.objects.count() == 1
    assert response["Location"] == "/accounts/phone/?next=%2Forders%2F"  # still no number


def test_a_callback_with_another_state_is_refused_and_logs_nobody_in(client, wechat):
    _start(client)
    code = wechat.issue_code(app_id=MP_APP_ID, scope="snsapi_userinfo")

    response = client.get("/accounts/wechat/callback/", {"code": code, "state": "attacker-state"})

    assert response.status_code == 400
    assert "该登录链接已失效" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated
    assert wechat.exchanged == []  # the code was not even exchanged
    assert not User.objects.exists()


def test_a_callback_without_a_log_in_started_in_this_session_is_refused(client, wechat):
    # the login-CSRF attack: a victim's browser is sent the attacker's own callback URL
    attacker = Client()
    started = _start(attacker)
    at_wechat = requests.get(started["Location"].split("#")[0], allow_redirects=False, timeout=5)

    response = client.get("/accounts/wechat/callback/", _query(at_wechat.headers["Location"]))

    assert response.status_code == 400
    assert not client.get("/").context["user"].is_authenticated


def test_a_state_works_once(client, wechat):
    started = _start(client)
    at_wechat = requests.get(started["Location"].split("#")[0], allow_redirects=False, timeout=5)
    callback = _query(at_wechat.headers["Location"])
    client.get("/accounts/wechat/callback/", callback)
    client.logout()

    again = client.get("/accounts/wechat/callback/", callback)

    assert again.status_code == 400


def test_a_code_wechat_does_not_know_is_a_clear_error(client, wechat):
    _start(client)
    state = client.session["wechat_oauth"]["state"]

    response = client.get("/accounts/wechat/callback/", {"code": "made-up-code", "state": state})

    assert response.status_code == 400  # WeChat answered 40029 invalid code
    assert "微信登录未成功" in response.content.decode()
    assert not User.objects.exists()


def test_declining_in_wechat_goes_back_to_the_log_in_page(client, wechat):
    _start(client, next="/cart/")
    state = client.session["wechat_oauth"]["state"]

    response = client.get("/accounts/wechat/callback/", {"state": state})  # no code: the person said no

    assert response.status_code == 302 and response["Location"] == "/accounts/log-in/?next=%2Fcart%2F"


def test_on_a_desktop_it_is_the_qr_log_in(client, wechat):
    response = _start(client, user_agent=DESKTOP)

    assert response["Location"].startswith(f"{wechat.url}/connect/qrconnect?")
    query = _query(response["Location"])
    assert (query["appid"], query["scope"]) == (OPEN_APP_ID, "snsapi_login")


def test_without_wechat_configured_there_is_no_button_and_no_redirect(client, settings):
    settings.WECHAT_MP_APP_ID = settings.WECHAT_OPEN_APP_ID = ""

    page = client.get("/accounts/log-in/", HTTP_USER_AGENT=IN_WECHAT).content.decode()
    response = _start(client)

    assert "/accounts/wechat/" not in page
    assert response.status_code == 302 and response["Location"] == "/accounts/log-in/"


def test_a_phone_account_links_wechat_and_then_logs_in_with_either(client, wechat):
    user = UserFactory(phone="13800138000")
    client.force_login(user)
    assert "绑定微信" in client.get("/accounts/", HTTP_USER_AGENT=DESKTOP).content.decode()

    response = _through_wechat(client, _start(client, user_agent=DESKTOP))

    assert response["Location"] == "/accounts/"
    assert user.wechat_identities.get().openid == wechat.person.openid(OPEN_APP_ID)
    # logged out, WeChat (on a desktop) logs in to the same account
    fresh = Client()
    assert _through_wechat(fresh, _start(fresh, user_agent=DESKTOP))["Location"] == "/"
    assert fresh.get("/").context["user"] == user
    # and inside WeChat, the official account's openid differs, but the unionid finds the same person
    in_wechat = Client()
    _through_wechat(in_wechat, _start(in_wechat))
    assert in_wechat.get("/").context["user"] == user
    assert set(user.wechat_identities.values_list("app_id", flat=True)) == {MP_APP_ID, OPEN_APP_ID}
    # and the password still works
    assert Client().post("/accounts/log-in/", {"username": "13800138000", "password": PASSWORD}).status_code == 302


def test_a_wechat_account_linked_to_someone_else_cannot_be_linked_again(client, wechat):
    alice = Client()
    _through_wechat(alice, _start(alice))  # alice's WeChat made its own account
    other = UserFactory()
    client.force_login(other)
    # alice's phone, but other's browser session: linking must not steal the identity
    response = _through_wechat(client, _start(client))

    assert response.status_code == 409
    assert not other.wechat_identities.exists()


def test_a_new_wechat_user_adds_a_number_by_code_before_checking_out(client, wechat):
    _through_wechat(client, _start(client))

    gate = client.get("/checkout/")
    assert gate.status_code == 302 and gate["Location"] == "/accounts/phone/?next=%2Fcheckout%2F"
    page = client.get(gate["Location"])
    assert "下单前请绑定手机号" in page.content.decode()
    client.post("/accounts/phone/", {"action": "send", "phone": "13800138000", "next": "/checkout/"})
    response = client.post(
        "/accounts/phone/",
        {"action": "verify", "phone": "13800138000", "code": console_code_for("13800138000"), "next": "/checkout/"},
    )

    assert response["Location"] == "/checkout/"
    user = User.objects.get(phone="13800138000")
    assert user.phone_verified_at is not None and user.wechat_identities.exists()
    assert client.get("/checkout/").status_code == 200


def test_a_wechat_user_who_adds_the_number_of_an_existing_account_becomes_that_account(client, wechat):
    existing = UserFactory(phone="13800138000")
    _through_wechat(client, _start(client))
    shell = User.objects.get(wechat_identities__app_id=MP_APP_ID)

    client.post("/accounts/phone/", {"action": "send", "phone": "13800138000"})
    client.post(
        "/accounts/phone/", {"action": "verify", "phone": "13800138000", "code": console_code_for("13800138000")}
    )

    assert client.get("/").context["user"] == existing
    assert existing.wechat_identities.get().app_id == MP_APP_ID
    shell.refresh_from_db()
    assert not shell.is_active
    # next time WeChat logs in to the phone account
    again = Client()
    _through_wechat(again, _start(again))
    assert again.get("/").context["user"] == existing


def test_a_code_sent_to_log_in_does_not_add_a_number(client, wechat):
    _through_wechat(client, _start(client))
    Client().post("/accounts/log-in/", {"method": "sms", "action": "send", "phone": "13800138000"})
    assert console_code_for("13800138000")

    response = client.post(
        "/accounts/phone/", {"action": "verify", "phone": "13800138000", "code": console_code_for("13800138000")}
    )

    assert response.status_code == 200
    assert not User.objects.filter(phone="13800138000").exists()


def test_the_openid_selector_answers_the_official_accounts_openid(client, wechat):
    _through_wechat(client, _start(client))
    user = User.objects.get()

    assert user_wechat_openid(user) == wechat.person.openid(MP_APP_ID)
    assert user_wechat_openid(user, OPEN_APP_ID) is None
    assert user_wechat_openid(UserFactory()) is None


def test_one_openid_is_one_identity_even_when_two_log_ins_race(wechat):
    from accounts.services import WechatProfile, user_log_in_by_wechat

    profile = WechatProfile(app=WechatApp.OFFICIAL_ACCOUNT, app_id=MP_APP_ID, openid="o-same", nickname="小李")

    first, created = user_log_in_by_wechat(profile=profile)
    second, again = user_log_in_by_wechat(profile=profile)

    assert (created, again) == (True, False) and first == second
    assert WechatIdentity.objects.count() == 1


def test_someone_without_a_unionid_is_still_one_person_per_app(client, wechat):
    wechat.person = WechatPerson(key="bob", nickname="老王", has_unionid=False)

    _through_wechat(client, _start(client))

    identity = WechatIdentity.objects.get()
    assert identity.unionid == "" and identity.user.nickname == "老王"
