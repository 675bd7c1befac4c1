import pytest

pytestmark = pytest.mark.django_db


def test_pages_speak_simplified_chinese_by_default(client):
    page = client.get("/accounts/log-in/").content.decode()

    assert 'lang="zh-hans"' in page
    assert "登录" in page


def test_a_visitor_can_switch_to_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/log-in/").content.decode()
    assert 'lang="en"' in page
    assert "Log in" in page

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get("/accounts/log-in/").content.decode()


def test_times_are_shown_in_shanghai_time(settings):
    from django.utils import timezone

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert str(timezone.get_current_timezone()) == "Asia/Shanghai"
