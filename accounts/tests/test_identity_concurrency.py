"""Identity's exactly-once rules under concurrency, on PostgreSQL: one
authenticator code opens one session even when two requests bring it at
the same moment; two "log out other devices" at once end each other's
sessions: both succeed, nobody is left logged in."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UserSession

from .factories import OperatorFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(actions):
    """Run each action in its own thread, released at once; their results."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_authenticator_code_verifies_one_session_when_two_bring_it_at_once(settings):
    settings.OPERATOR_TOTP_REQUIRED = True
    operator = OperatorFactory()
    device = TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    browsers = []
    for _ in range(2):
        browser = Client()
        browser.force_login(operator)
        browsers.append(browser)

    statuses = _together(
        [
            lambda browser=browser: browser.post("/accounts/two-factor/verify/", {"token": code}).status_code
            for browser in browsers
        ]
    )

    assert sorted(statuses) == [302, 400]  # the replay is refused
    assert sorted(browser.get("/admin/").status_code for browser in browsers) == [200, 302]


def test_two_devices_logging_out_each_other_at_once_both_succeed():
    user = UserFactory()
    browsers = []
    for _ in range(4):
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
    first, second = browsers[:2]

    statuses = _together(
        [
            lambda browser=browser: browser.post("/accounts/sessions/end-others/").status_code
            for browser in (first, second)
        ]
    )

    assert statuses == [302, 302]
    user.refresh_from_db()
    assert user.session_epoch == 2  # both raised it: the user row was locked by each in turn
    # each ended the other (and the rest): nobody is left logged in, nothing half-done
    assert not any(browser.get("/accounts/").status_code == 200 for browser in browsers)
    assert not UserSession.objects.filter(user=user, ended_at__isnull=True).exists()
