import pytest

from accounts.tests.factories import PASSWORD, UserFactory, sign_up_code
from distribution.choices import BindingSource
from distribution.models import Binding

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_who_came_through_a_link_is_bound_when_it_logs_in(client):
    reseller = ResellerFactory()
    customer = UserFactory()
    client.get("/", {"ref": reseller.invite_code})

    client.post("/accounts/log-in/", {"username": customer.phone, "password": PASSWORD})

    binding = Binding.objects.get(customer=customer)
    assert (binding.reseller, binding.source) == (reseller, BindingSource.LINK)


def test_a_visitor_who_came_through_a_link_is_bound_when_it_signs_up(client):
    reseller = ResellerFactory()
    client.get("/", {"ref": reseller.invite_code})

    code = sign_up_code(client, "13512345678")
    client.post(
        "/accounts/sign-up/",
        {
            "phone": "13512345678",
            "code": code,
            "nickname": "小王",
            "password1": "a-long-pass-42",
            "password2": "a-long-pass-42",
        },
    )

    assert Binding.objects.get(customer__phone="13512345678").reseller == reseller


def test_the_binding_counts_from_the_visit_not_the_log_in(client):
    reseller = ResellerFactory()
    customer = UserFactory()
    visit = client.get("/", {"ref": reseller.invite_code})
    visited_at = visit.wsgi_request.session["referral"]["at"]

    client.force_login(customer)

    assert Binding.objects.get(customer=customer).bound_at.isoformat() == visited_at


def test_logging_in_without_a_referral_binds_nobody(client):
    customer = UserFactory()

    client.post("/accounts/log-in/", {"username": customer.phone, "password": PASSWORD})

    assert not Binding.objects.exists()


def test_a_reseller_logging_in_after_opening_its_own_link_anonymously_is_not_bound(client):
    reseller = ResellerFactory()
    client.get("/", {"ref": reseller.invite_code})  # not logged in yet: remembered

    client.post("/accounts/log-in/", {"username": reseller.user.phone, "password": PASSWORD})

    assert not Binding.objects.exists()
