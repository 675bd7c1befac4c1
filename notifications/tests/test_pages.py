"""The inbox page, its unread badge in the menu and the shopper's tab bar,
marking read, the settings page, and the inbox API: each answers in a
bounded number of queries and shows only the person's own messages."""

from itertools import count

import pytest

from accounts.tests.factories import UserFactory
from notifications.models import Message, Preference

pytestmark = pytest.mark.django_db

_events = count(1)


def _messages(user, n, *, read=False):
    from django.utils import timezone

    start = next(_events) * 1000
    return Message.objects.bulk_create(
        [
            Message(
                recipient=user,
                kind="order_shipped",
                source_event_id=start + i,
                title=f"订单 {i} 已发货",
                body=f"您的订单 {i} 已由顺丰速运发出。",
                link=f"/orders/{i}/",
                read_at=timezone.now() if read else None,
            )
            for i in range(n)
        ]
    )


def test_the_inbox_shows_my_messages_newest_first_and_the_unread_count_in_the_menu(
    client, django_assert_max_num_queries
):
    me, stranger = UserFactory(), UserFactory()
    _messages(me, 3)
    _messages(me, 2, read=True)
    _messages(stranger, 4)
    client.force_login(me)

    with django_assert_max_num_queries(8):  # session, user, page count and rows, one unread count
        page = client.get("/messages/").content.decode()

    assert page.count('class="inbox-message') == 5 and page.count('class="inbox-message unread"') == 3
    assert "data-inbox-unread>3</span>" in page  # the menu's badge and the tab bar's: one count
    assert "订单 0 已发货" in page and "消息" in page


def test_the_badge_costs_one_query_on_any_page_and_shows_nothing_at_zero(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = UserFactory()
    client.force_login(me)
    assert "data-inbox-unread" not in client.get("/orders/").content.decode()
    _messages(me, 120)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/orders/").content.decode()

    assert page.count("data-inbox-unread>99+</span>") == 2  # the top menu and the tab bar
    inbox_queries = [query["sql"] for query in queries.captured_queries if "notifications_message" in query["sql"]]
    assert len(inbox_queries) == 1 and inbox_queries[0].startswith("SELECT COUNT(*)")


def test_opening_a_message_marks_it_read_and_follows_its_link(client):
    me = UserFactory()
    first, second = _messages(me, 2)
    client.force_login(me)

    response = client.post("/messages/read/", {"id": first.pk, "next": first.link})

    assert response.status_code == 302 and response["Location"] == first.link
    assert list(Message.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == [second.pk]


def test_someone_else_s_message_cannot_be_marked_read(client):
    me, stranger = UserFactory(), UserFactory()
    (theirs,) = _messages(stranger, 1)
    client.force_login(me)

    client.post("/messages/read/", {"id": theirs.pk})
    response = client.post(
        "/api/v1/notifications/messages/read/", {"ids": [theirs.pk]}, content_type="application/json"
    )

    assert response.json() == {"marked": 0, "unread": 0}
    assert Message.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_on_the_page_and_the_api_counts(client):
    me = UserFactory()
    _messages(me, 3)
    client.force_login(me)
    assert client.get("/api/v1/notifications/messages/unread-count/").json() == {"unread": 3}

    client.post("/messages/read/")

    assert client.get("/api/v1/notifications/messages/unread-count/").json() == {"unread": 0}


def test_the_inbox_api_lists_only_my_messages_in_bounded_queries(client, django_assert_max_num_queries):
    me, stranger = UserFactory(), UserFactory()
    _messages(me, 30)
    _messages(stranger, 5)
    client.force_login(me)

    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/notifications/messages/").json()

    assert body["count"] == 30 and {row["is_read"] for row in body["results"]} == {False}


def test_a_bad_mark_read_body_is_a_400_that_changes_nothing(client):
    me = UserFactory()
    _messages(me, 2)
    client.force_login(me)

    response = client.post("/api/v1/notifications/messages/read/", {"ids": ["x", -1]}, content_type="application/json")

    assert response.status_code == 400 and "ids" in response.json()["fields"]
    assert Message.objects.filter(read_at__isnull=True).count() == 2


def test_the_settings_page_saves_channels_and_keeps_the_inbox_of_money_kinds(client):
    me = UserFactory()
    client.force_login(me)
    page = client.get("/messages/settings/").content.decode()
    assert "退款到账" in page and "订单发货" in page and "邮件" not in page  # buyers choose no e-mail

    client.post("/messages/settings/", {"kind": "refund_paid", "channels": ["sms"]})
    client.post("/messages/settings/", {"kind": "order_shipped", "channels": []})

    chosen = dict(Preference.objects.filter(user=me).values_list("kind", "channels"))
    assert chosen == {"refund_paid": ["inbox", "sms"], "order_shipped": []}


def test_the_settings_page_refuses_another_audience_s_kind_with_a_message(client):
    me = UserFactory()
    client.force_login(me)

    response = client.post("/messages/settings/", {"kind": "withdrawal_waiting", "channels": ["inbox"]}, follow=True)

    assert "请选择这类消息可用的通知方式" in response.content.decode()
    assert not Preference.objects.exists()
