import pytest
from django.http import HttpResponse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from distribution.choices import BindingSource, ResellerStatus
from distribution.models import Binding
from distribution.referrals import (
    COOKIE_NAME,
    COOKIE_SALT,
    SESSION_KEY,
    referral_code_from_request,
    referral_from_request,
)

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db


def test_a_shared_link_remembers_the_resellers_code_in_session_and_cookie(client):
    reseller = ResellerFactory()

    response = client.get("/", {"ref": reseller.invite_code.lower()})

    assert client.session[SESSION_KEY]["code"] == reseller.invite_code
    assert response.cookies[COOKIE_NAME]["httponly"]
    assert referral_code_from_request(response.wsgi_request) == reseller.invite_code


def test_the_cookie_outlives_the_session(client):
    reseller = ResellerFactory()
    client.get("/", {"ref": reseller.invite_code})

    client.session.flush()
    request = client.get("/").wsgi_request

    assert SESSION_KEY not in request.session
    assert referral_code_from_request(request) == reseller.invite_code


@pytest.mark.parametrize("code", ["NOPE22", "<script>", "A" * 200, ""])
def test_unknown_or_malformed_codes_record_nothing(client, code):
    response = client.get("/", {"ref": code})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert COOKIE_NAME not in response.cookies


def test_a_forged_cookie_is_ignored(client):
    client.cookies[COOKIE_NAME] = "ABCDEF"

    assert referral_code_from_request(client.get("/").wsgi_request) is None


def test_a_reseller_opening_its_own_link_is_not_referred(client):
    reseller = ResellerFactory()
    client.force_login(reseller.user)

    client.get("/", {"ref": reseller.invite_code})

    assert SESSION_KEY not in client.session


def test_a_logged_in_visitor_is_bound_by_the_link_at_once(client):
    reseller = ResellerFactory()
    customer = UserFactory()
    client.force_login(customer)

    client.get("/", {"ref": reseller.invite_code})

    binding = Binding.objects.get(customer=customer)
    assert (binding.reseller, binding.source) == (reseller, BindingSource.LINK)


def test_a_reseller_opening_its_own_link_binds_nobody(client):
    reseller = ResellerFactory()
    client.force_login(reseller.user)

    client.get("/", {"ref": reseller.invite_code})

    assert not Binding.objects.exists()


def test_a_frozen_resellers_link_records_nothing(client):
    reseller = ResellerFactory(status=ResellerStatus.FROZEN)

    client.get("/", {"ref": reseller.invite_code})

    assert SESSION_KEY not in client.session


def test_the_cookie_remembers_when_the_visit_happened(client):
    reseller = ResellerFactory()
    client.get("/", {"ref": reseller.invite_code})
    client.session.flush()

    referral = referral_from_request(client.get("/").wsgi_request)

    assert referral.code == reseller.invite_code
    assert abs((timezone.now() - referral.at).total_seconds()) < 60


def test_a_poster_link_binds_a_logged_in_visitor_with_source_poster(client):
    reseller = ResellerFactory()
    customer = UserFactory()
    client.force_login(customer)

    client.get("/", {"ref": reseller.invite_code, "ch": "poster"})

    binding = Binding.objects.get(customer=customer)
    assert (binding.reseller, binding.source) == (reseller, BindingSource.POSTER)


@pytest.mark.parametrize("channel", ["poster", "", "code", "<script>"])
def test_a_visitor_from_a_poster_is_bound_as_poster_when_it_logs_in_even_after_the_session(client, channel):
    reseller = ResellerFactory()
    customer = UserFactory()
    client.get("/", {"ref": reseller.invite_code, "ch": channel})
    client.session.flush()  # only the cookie is left

    client.post("/accounts/log-in/", {"username": customer.phone, "password": PASSWORD})

    expected = BindingSource.POSTER if channel == "poster" else BindingSource.LINK
    assert Binding.objects.get(customer=customer).source == expected


def test_a_cookie_set_before_the_source_was_kept_still_refers_as_a_link(client):
    reseller = ResellerFactory()
    signer = HttpResponse()
    signer.set_signed_cookie(
        COOKIE_NAME, f"{reseller.invite_code}:{int(timezone.now().timestamp())}", salt=COOKIE_SALT
    )  # the two-part cookie of before
    client.cookies[COOKIE_NAME] = signer.cookies[COOKIE_NAME].value

    referral = referral_from_request(client.get("/").wsgi_request)

    assert (referral.code, referral.source) == (reseller.invite_code, BindingSource.LINK)
    assert abs((timezone.now() - referral.at).total_seconds()) < 60
