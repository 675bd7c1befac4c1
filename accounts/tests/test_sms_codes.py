"""SMS codes: issued, stored as a digest, good for five minutes and once,
locked after five wrong tries, only the newest counting; the services
behind the log-in page and the API."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.choices import SmsPurpose
from accounts.exceptions import (
    AccountDisabled,
    SmsCodeExpired,
    SmsCodeInvalid,
    SmsCodeLocked,
    SmsCodeMissing,
    SmsSendProviderThrottled,
    SmsSendUnavailable,
)
from accounts.forms import sms_code_clean
from accounts.models import SmsCode, User
from accounts.services import sms_code_send, sms_code_verify, user_log_in_by_sms
from accounts.sms.console import console_code_for
from conftest import run_together

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def _send(phone=PHONE, purpose=SmsPurpose.LOG_IN) -> str:
    sms_code_send(phone=phone, purpose=purpose)
    return console_code_for(phone)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_six_digits_stored_only_as_a_keyed_digest(caplog):
    caplog.set_level(logging.DEBUG)

    code = _send()

    row = SmsCode.objects.get(phone=PHONE)
    assert len(code) == 6 and code.isdigit()
    stored = " ".join(str(getattr(row, field.attname)) for field in SmsCode._meta.fields)
    assert code not in stored.replace(PHONE, "")  # nowhere in the row
    # only the console provider's own line shows it; every other log line masks the number and omits the code
    others = [record for record in caplog.records if record.name != "accounts.sms.console"]
    assert others and all(code not in record.getMessage() for record in others)
    assert all(PHONE not in record.getMessage() for record in caplog.records)


def test_the_code_logs_in_once():
    code = _send()

    sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=code)

    with pytest.raises(SmsCodeMissing):
        sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=code)


def test_a_code_expires_after_five_minutes():
    code = _send()

    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        with pytest.raises(SmsCodeExpired):
            sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=code)
    with time_machine.travel(timezone.now() + timedelta(minutes=4, seconds=50)):
        sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=code)  # still good just before


def test_five_wrong_codes_lock_it_even_for_the_right_code():
    code = _send()
    for left in (4, 3, 2, 1):
        with pytest.raises(SmsCodeInvalid) as wrong:
            sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=_wrong(code))
        assert wrong.value.extra["attempts_left"] == left
    with pytest.raises(SmsCodeLocked):  # the fifth wrong one
        sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=_wrong(code))

    with pytest.raises(SmsCodeLocked):
        sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=code)
    assert SmsCode.objects.get().failed_attempts == 5
    # a new code works again
    sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=_send())


def test_only_the_newest_code_counts_and_only_for_its_purpose():
    first = _send()
    second = _send()
    bind = _send(purpose=SmsPurpose.BIND_PHONE)

    if first != second:
        with pytest.raises(SmsCodeInvalid):
            sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=first)
    if bind != second:
        with pytest.raises(SmsCodeInvalid):
            sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=bind)
    sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=second)
    sms_code_verify(phone=PHONE, purpose=SmsPurpose.BIND_PHONE, code=bind)


def test_a_code_for_another_number_does_not_work():
    code = _send()

    with pytest.raises(SmsCodeMissing):
        sms_code_verify(phone="13900139000", purpose=SmsPurpose.LOG_IN, code=code)


def test_logging_in_with_a_code_signs_a_new_number_up_without_a_password():
    user, created = user_log_in_by_sms(phone="+86 138 0013 8000", code=_send())

    assert created is True
    assert user.phone == PHONE and user.phone_verified_at is not None
    assert not user.has_usable_password()
    assert User.objects.filter(phone=PHONE).count() == 1


def test_an_existing_number_logs_in_to_its_account():
    existing = UserFactory(phone=PHONE)

    user, created = user_log_in_by_sms(phone=PHONE, code=_send())

    assert (user.pk, created) == (existing.pk, False)
    assert user.has_usable_password()  # its password still works too


def test_a_disabled_account_cannot_log_in_by_code():
    UserFactory(phone=PHONE, is_active=False)

    with pytest.raises(AccountDisabled):
        user_log_in_by_sms(phone=PHONE, code=_send())


def test_a_provider_that_refuses_the_message_is_a_clear_error(tencent_sms):
    tencent_sms.statuses["+8613800138000"] = "FailedOperation.TemplateIncorrectOrUnapproved"

    with pytest.raises(SmsSendUnavailable):
        sms_code_send(phone=PHONE, purpose=SmsPurpose.LOG_IN)


def test_tencents_own_limit_for_the_number_says_try_later(tencent_sms):
    tencent_sms.statuses["+8613800138000"] = "LimitExceeded.PhoneNumberDailyLimit"

    with pytest.raises(SmsSendProviderThrottled) as refused:
        sms_code_send(phone=PHONE, purpose=SmsPurpose.LOG_IN)

    assert refused.value.http_status == 429 and refused.value.extra["limit"] == "provider"


# --- the code's grammar ------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=999_999), st.sampled_from(["", " ", "  ", "\t"]))
def test_six_digits_read_as_typed_with_spaces_around(number, space):
    code = f"{number:06d}"

    assert sms_code_clean(f"{space}{code}{space}") == code
    assert sms_code_clean(f"{code[:3]} {code[3:]}") == code  # "123 456", as some phones show it
    full_width = "".join(chr(ord(digit) - ord("0") + ord("０")) for digit in code)
    assert sms_code_clean(full_width) == code


@given(st.text(max_size=12))
def test_anything_else_is_refused_and_nothing_but_six_ascii_digits_passes(text):
    try:
        cleaned = sms_code_clean(text)
    except ValidationError as error:
        assert error.code == "sms_code_malformed"
    else:
        assert len(cleaned) == 6 and all(char in "0123456789" for char in cleaned)


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "", "-12345", "１２３４５"])
def test_codes_that_are_not_six_digits_are_refused(typed):
    with pytest.raises(ValidationError):
        sms_code_clean(typed)


# --- at once, on PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_log_ins_with_one_code_at_once_have_exactly_one_winner():
    code = _send()

    outcomes = run_together(*[lambda: user_log_in_by_sms(phone=PHONE, code=code) for _ in range(4)])

    winners = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(outcome, SmsCodeMissing) for outcome in outcomes if outcome not in winners)
    assert User.objects.filter(phone=PHONE).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_wrong_codes_at_once_are_all_counted():
    code = _send()

    run_together(
        *[lambda: sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=_wrong(code)) for _ in range(5)]
    )

    assert SmsCode.objects.get().failed_attempts == 5
    with pytest.raises(SmsCodeLocked):
        sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOG_IN, code=code)


# --- the number's grammar, as the API reads it -----------------------------------------------------------


@given(
    st.sampled_from(["130", "138", "150", "166", "177", "188", "199"]),
    st.integers(min_value=0, max_value=99_999_999),
    st.sampled_from(["{n}", "+86{n}", "+86 {a} {b} {c}", "{a}-{b}-{c}", " {n} ", "0086{n}", "86{n}"]),
)
def test_a_mainland_number_typed_any_usual_way_reads_as_its_eleven_digits(prefix, rest, shape):
    from accounts.api.serializers import SmsCodeRequestSerializer

    number = f"{prefix}{rest:08d}"
    typed = shape.format(n=number, a=number[:3], b=number[3:7], c=number[7:])

    serializer = SmsCodeRequestSerializer(data={"phone": typed})

    if serializer.is_valid():  # phonenumbers may know a range as unassigned: then refused, never mangled
        assert serializer.validated_data["phone"] == number
    else:
        assert serializer.errors["phone"][0].code == "invalid_phone"


def test_logging_in_by_code_costs_a_handful_of_queries(django_assert_max_num_queries):
    UserFactory(phone=PHONE)
    code = _send()

    with django_assert_max_num_queries(6):  # lock and spend the code, read the user, stamp the number
        user_log_in_by_sms(phone=PHONE, code=code)
