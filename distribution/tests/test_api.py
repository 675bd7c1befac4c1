import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from distribution.choices import BindingSource
from distribution.models import Binding, Reseller
from distribution.services import binding_touch, reseller_sale_record, team_sales_roll_up

from .factories import ResellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_a_reseller_reads_its_team(api, tier_count):
    tier_count(2)
    inviter = ResellerFactory(user__nickname="林小美", user__phone="13700000001")
    me = ResellerFactory(inviter=inviter)
    child = ResellerFactory(inviter=me)
    ResellerFactory(inviter=child)
    reseller_sale_record(reseller_id=child.id, amount=35_800, key="k")
    team_sales_roll_up()
    api.force_authenticate(me.user)

    body = api.get("/api/v1/distribution/team/").json()

    assert body["invite_code"] == me.invite_code
    assert body["invite_url"] == f"http://testserver/join/?ref={me.invite_code}"
    assert body["inviter"] == {"nickname": "林小美", "phone": "137****0001"}
    assert (body["team_size"], body["team_sales_amount"], body["own_sales_amount"]) == (2, "358.00", "0.00")
    assert body["tier_limit"] == 2
    assert body["levels"] == [{"level": 1, "size": 1, "new_this_week": 1}, {"level": 2, "size": 1, "new_this_week": 1}]


def test_team_members_are_paginated_and_masked(api):
    me = ResellerFactory()
    for index in range(3):
        ResellerFactory(inviter=me, user__nickname="张三丰", user__phone=f"1381234567{index}")
    api.force_authenticate(me.user)

    body = api.get("/api/v1/distribution/team/members/", {"page_size": 2}).json()

    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    member = body["results"][0]
    assert (member["nickname"], member["phone"]) == ("张**", "138****5672")
    assert set(member) == {"nickname", "phone", "status", "joined_at", "own_sales_amount", "team_size"}


def test_a_level_beyond_the_tier_limit_is_refused(api, tier_count):
    tier_count(2)
    api.force_authenticate(ResellerFactory().user)

    response = api.get("/api/v1/distribution/team/members/", {"level": 3})

    assert response.status_code == 400
    assert response.json()["code"] == "team_level_out_of_range"


def test_a_customer_has_no_team_to_read(api):
    api.force_authenticate(UserFactory())

    response = api.get("/api/v1/distribution/team/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_team_needs_authentication(api):
    response = api.get("/api/v1/distribution/team/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_customer_reads_its_own_binding(api):
    reseller = ResellerFactory(user__nickname="林小美")
    customer = UserFactory()
    binding_touch(customer=customer, reseller=reseller, source=BindingSource.LINK)
    binding_touch(customer=UserFactory(), reseller=ResellerFactory(), source=BindingSource.LINK)  # someone else's
    api.force_authenticate(customer)

    body = api.get("/api/v1/distribution/binding/").json()

    assert body["reseller"] == {"nickname": "林小美", "invite_code": reseller.invite_code}
    assert body["source"] == "link" and body["in_force"] is True


def test_an_unbound_customer_gets_404(api):
    api.force_authenticate(UserFactory())

    response = api.get("/api/v1/distribution/binding/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_an_app_reports_the_link_it_was_opened_from(api):
    reseller = ResellerFactory()
    customer = UserFactory()
    api.force_authenticate(customer)

    response = api.post("/api/v1/distribution/binding/", {"invite_code": reseller.invite_code.lower()}, format="json")

    assert response.status_code == 200
    assert Binding.objects.get(customer=customer).reseller == reseller


def test_binding_oneself_through_the_api_is_refused(api):
    reseller = ResellerFactory()
    api.force_authenticate(reseller.user)

    response = api.post("/api/v1/distribution/binding/", {"invite_code": reseller.invite_code}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "self_binding_refused"
    assert not Binding.objects.exists()


def test_a_customer_joins_through_the_api(api):
    inviter = ResellerFactory()
    customer = UserFactory()
    api.force_authenticate(customer)

    response = api.post("/api/v1/distribution/join/", {"invite_code": inviter.invite_code}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert Reseller.objects.get(user=customer).inviter == inviter


@pytest.mark.parametrize("body, code", [({"invite_code": "NOPE22"}, "invite_code_unknown"), ({}, "validation_error")])
def test_joining_with_a_bad_code_is_a_clear_400(api, body, code):
    api.force_authenticate(UserFactory())

    response = api.post("/api/v1/distribution/join/", body, format="json")

    assert response.status_code == 400 and response.json()["code"] == code


def test_the_schema_documents_every_distribution_operation(api):
    api.force_authenticate(UserFactory())

    schema = api.get("/api/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    assert {"get"} <= set(paths["/api/v1/distribution/team/"])
    assert "level" in {p["name"] for p in paths["/api/v1/distribution/team/members/"]["get"]["parameters"]}
    assert {"get", "post"} <= set(paths["/api/v1/distribution/binding/"])
    assert "post" in paths["/api/v1/distribution/join/"]
    for operations in (paths[path] for path in paths if path.startswith("/api/v1/distribution/")):
        for operation in operations.values():
            assert operation.get("summary")
