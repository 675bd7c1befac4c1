import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import OperatorFactory, UserFactory
from catalog.choices import ProductStatus
from catalog.services import product_set_status
from catalog.tests.factories import ProductFactory, SkuFactory, SupplierStaffFactory
from commissions.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request
from commissions.tests.factories import credit_withdrawable
from distribution.services import reseller_freeze, reseller_join, reseller_move
from distribution.tests.factories import ResellerFactory
from shops.choices import ShopStatus
from shops.services import shop_set_status
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def audit_page(client, **query):
    response = client.get(reverse("audit:log"), query)
    assert response.status_code == 200
    return response


def rows(response):
    return [
        (entry.actor.phone if entry.actor else None, entry.action, entry.subject, entry.reason)
        for entry in response.context["entries"]
    ]


@pytest.fixture
def operator(client):
    user = OperatorFactory(phone="13800000009")
    client.force_login(user)
    return user


def test_operators_see_who_moved_froze_and_paid_what_and_why_newest_first(client, operator):
    top, other = ResellerFactory(), ResellerFactory()
    member = ResellerFactory(inviter=top)
    reseller_move(reseller=member, new_inviter=other, actor=operator, reason="邀请人填错了")
    reseller_freeze(reseller=member, actor=operator, reason="刷单")
    credit_withdrawable(other.pk, 50_000, "start")
    approved = withdrawal_request(reseller=other, amount=20_000)
    withdrawal_approve(operator=operator, withdrawal_id=approved.pk)
    rejected = withdrawal_request(reseller=other, amount=10_000)
    withdrawal_reject(operator=operator, withdrawal_id=rejected.pk, reason="收款账户信息不符")

    found = rows(audit_page(client))

    assert [(phone, reason) for phone, _action, _subject, reason in found] == [
        ("13800000009", "收款账户信息不符"),
        ("13800000009", ""),
        ("13800000009", "刷单"),
        ("13800000009", "邀请人填错了"),
    ]
    subjects = [subject for *_rest, subject, _reason in found]
    assert f"#{rejected.pk}" in subjects[0] and f"#{approved.pk}" in subjects[1]
    assert f"#{member.pk}" in subjects[2] and f"#{member.pk}" in subjects[3]
    assert f"#{top.pk} → #{other.pk}" in found[3][2]  # the move says from where to where
    assert "¥200.00" in found[1][2]


def test_what_people_do_for_themselves_is_not_an_operators_action(client, operator):
    inviter = ResellerFactory()
    reseller_join(user=UserFactory(), invite_code=inviter.invite_code)
    credit_withdrawable(inviter.pk, 50_000, "start")
    withdrawal_request(reseller=inviter, amount=20_000)  # the reseller's own request

    assert rows(audit_page(client)) == []


def test_shops_and_admin_changes_are_listed_and_the_log_filters_by_area_and_operator(client, operator):
    shop = ShopFactory()
    shop_set_status(shop=shop, status=ShopStatus.SUSPENDED, by=operator, as_operator=True, reason="售卖假货")
    colleague = OperatorFactory()
    member = ResellerFactory(inviter=ResellerFactory())
    reseller_freeze(reseller=member, actor=colleague, reason="投诉")
    LogEntry.objects.log_actions(
        user_id=colleague.pk, queryset=[shop], action_flag=CHANGE, change_message=[{"changed": {"fields": ["Name"]}}]
    )

    assert len(rows(audit_page(client))) == 3
    shops_only = rows(audit_page(client, area="catalogue"))
    assert [(phone, reason) for phone, _action, _subject, reason in shops_only] == [("13800000009", "售卖假货")]
    assert shop.slug in shops_only[0][2]
    assert [entry[3] for entry in rows(audit_page(client, area="tree"))] == ["投诉"]
    by_colleague = rows(audit_page(client, actor=colleague.pk))
    assert {entry[0] for entry in by_colleague} == {colleague.phone} and len(by_colleague) == 2
    assert rows(audit_page(client, area="no-such-area")) == rows(audit_page(client))  # ignored, not an error


@pytest.mark.parametrize("who", ["anonymous", "reseller", "customer"])
def test_only_operators_read_the_audit_log(client, who):
    reseller_freeze(reseller=ResellerFactory(), actor=OperatorFactory(), reason="秘密原因")
    if who != "anonymous":
        client.force_login(ResellerFactory().user if who == "reseller" else UserFactory())

    response = client.get(reverse("audit:log"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "秘密原因" not in response.content.decode()


def test_a_page_costs_the_same_queries_for_a_few_entries_or_many(client, operator):
    def freeze_and_suspend(count):
        for _ in range(count):
            reseller_freeze(reseller=ResellerFactory(), actor=operator, reason="x")
            shop_set_status(shop=ShopFactory(), status=ShopStatus.SUSPENDED, by=operator, as_operator=True)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            audit_page(client)
        return captured.captured_queries

    freeze_and_suspend(2)
    few = queries()
    freeze_and_suspend(30)
    assert len(queries()) == len(few)
    assert len(audit_page(client).context["entries"]) == 50  # a page


def test_the_admin_front_page_leads_to_the_audit_log(client, operator):
    assert reverse("audit:log") in client.get(reverse("admin:index")).content.decode()


def test_an_operators_actions_stay_in_the_log_after_it_is_demoted_and_a_promoted_reseller_brings_none(client, operator):
    former = OperatorFactory()
    reseller_freeze(reseller=ResellerFactory(), actor=former, reason="刷单")
    former.role, former.is_staff = Role.CUSTOMER, False
    former.save()
    promoted = ResellerFactory()
    credit_withdrawable(promoted.pk, 50_000, "start")
    withdrawal_request(reseller=promoted, amount=20_000)  # its own request, before it became an operator
    promoted.user.role, promoted.user.is_staff = Role.OPERATOR, True
    promoted.user.save()

    assert [(phone, reason) for phone, _action, _subject, reason in rows(audit_page(client))] == [
        (former.phone, "刷单")
    ]
    assert len(rows(audit_page(client, actor=former.pk))) == 1  # a former operator can still be looked up


def test_a_supplier_taking_its_own_product_off_sale_is_not_an_operators_action(client, operator):
    staff = SupplierStaffFactory()
    own, other = (ProductFactory(supplier=staff.supplier, status=ProductStatus.DRAFT) for _ in range(2))
    for product in (own, other):
        SkuFactory(product=product)
        product_set_status(product=product, status=ProductStatus.ON_SALE, by=operator)
    product_set_status(product=own, status=ProductStatus.OFF_SALE, by=staff.user)
    product_set_status(product=other, status=ProductStatus.OFF_SALE, by=operator)

    found = rows(audit_page(client, area="catalogue"))

    assert [phone for phone, *_rest in found] == [operator.phone] * 3  # two put on sale, one taken off


def test_the_log_pages_newest_first_without_gaps_or_repeats(client, operator):
    for _ in range(60):
        reseller_freeze(reseller=ResellerFactory(), actor=operator, reason="x")

    first, second = audit_page(client), audit_page(client, page=2)

    assert len(first.context["entries"]) == 50 and first.context["has_older"]
    assert len(second.context["entries"]) == 10 and not second.context["has_older"]
    subjects = [entry.subject for entry in first.context["entries"] + second.context["entries"]]
    assert len(set(subjects)) == 60
    times = [entry.at for entry in first.context["entries"] + second.context["entries"]]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("page", ["abc", "²", "-1", "0", "99999999999999999999", ""])
def test_a_page_number_that_is_not_one_shows_the_first_page(client, operator, page):
    reseller_freeze(reseller=ResellerFactory(), actor=operator, reason="x")

    response = audit_page(client, page=page, actor="²")

    assert response.context["page"] == 1


def test_the_audit_log_wears_the_admin_s_chinese_header_and_user_tools(client, operator):
    page = audit_page(client).content.decode()

    assert "微店分销 · 运营后台" in page and "Django" not in page
    assert 'id="user-tools"' in page and 'id="logout-form"' in page


def test_a_withdrawal_paid_in_a_batch_names_the_batch_in_chinese(client, operator, django_capture_on_commit_callbacks):
    from commissions.services.withdrawals import payout_batch_create

    reseller = ResellerFactory()
    credit_withdrawable(reseller.pk, 50_000, "start")
    withdrawal = withdrawal_request(reseller=reseller, amount=20_000)
    withdrawal_approve(operator=operator, withdrawal_id=withdrawal.pk)
    with django_capture_on_commit_callbacks(execute=True):
        batch = payout_batch_create(operator=operator)

    found = rows(audit_page(client, area="money"))

    reasons = [reason for _phone, action, _subject, reason in found if action.endswith("打款中")]
    assert reasons == [f"打款批次 #{batch.pk}"]
    assert not any("batch" in " ".join(row[1:]) for row in found)
