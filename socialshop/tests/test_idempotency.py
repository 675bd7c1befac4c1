"""The one Idempotency-Key contract: its grammar, the claim, the record and
the replay, in the caller's transaction. The endpoints that take a key are
tested through HTTP beside their views (orders, withdrawals) and together in
tests/test_idempotency_keys.py."""

import string
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from socialshop.api.idempotency import idempotency_key
from socialshop.idempotency import (
    KEY_MAX_LENGTH,
    Answer,
    Idempotency,
    IdempotencyKeyReused,
    idempotency_claim,
    idempotency_key_valid,
    idempotency_keys_purge,
    idempotent,
    request_digest,
)
from socialshop.models import IdempotencyKey

ALPHABET = string.ascii_letters + string.digits + "_-:."


class HeaderOnly:
    """A request as the header parser sees it: its headers only."""

    def __init__(self, headers: dict):
        self.headers = headers


# --- the grammar -----------------------------------------------------------------------


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=KEY_MAX_LENGTH))
def test_every_key_of_the_grammar_is_taken_as_sent(key):
    assert idempotency_key_valid(key)
    assert idempotency_key(HeaderOnly({"Idempotency-Key": key})) == key


@given(st.text(max_size=3 * KEY_MAX_LENGTH))
def test_a_key_is_taken_exactly_when_it_is_1_to_64_of_the_alphabet(key):
    expected = 1 <= len(key) <= KEY_MAX_LENGTH and set(key) <= set(ALPHABET)

    assert idempotency_key_valid(key) is expected
    if expected:
        assert idempotency_key(HeaderOnly({"Idempotency-Key": key})) == key
    else:
        with pytest.raises(ValidationError) as refused:
            idempotency_key(HeaderOnly({"Idempotency-Key": key}))
        assert "Idempotency-Key" in refused.value.detail


@pytest.mark.parametrize(
    "key",
    ["", "x" * 65, "x" * 255, "two words", "key\n", "ключ", "１２３", "a/b", "a+b", "ab=", "{uuid}"],
)
def test_what_the_grammar_refuses(key):
    assert not idempotency_key_valid(key)


def test_a_request_without_the_header_has_no_key():
    assert idempotency_key(HeaderOnly({})) is None


def test_the_digest_ignores_the_order_of_the_body_keys_and_sees_everything_else():
    digest = request_digest(method="post", path="/api/v1/orders/", data={"a": 1, "b": [1, 2]})

    assert digest == request_digest(method="POST", path="/api/v1/orders/", data={"b": [1, 2], "a": 1})
    assert digest != request_digest(method="POST", path="/api/v1/withdrawals/", data={"a": 1, "b": [1, 2]})
    assert digest != request_digest(method="POST", path="/api/v1/orders/", data={"a": 1, "b": [2, 1]})


# --- claim, record, replay ---------------------------------------------------------------


def _idempotency(user, key="k-1", digest="d-1", status=201) -> Idempotency:
    return Idempotency(user_id=user.pk, key=key, digest=digest, answer=lambda made: {"made": made}, status=status)


@pytest.mark.django_db
def test_the_first_request_makes_and_keeps_its_answer_the_retry_gets_it_without_making():
    user = UserFactory()
    made = []

    with transaction.atomic():
        first = idempotent(_idempotency(user), lambda: made.append("once") or len(made))
    with transaction.atomic():
        retry = idempotent(_idempotency(user), lambda: made.append("twice") or len(made))

    assert first == Answer(201, {"made": 1}) and retry == Answer(201, {"made": 1}, replayed=True)
    assert made == ["once"]
    kept = IdempotencyKey.objects.get()
    assert (kept.user_id, kept.key, kept.response_status) == (user.pk, "k-1", 201)


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_refused_and_makes_nothing():
    user = UserFactory()
    with transaction.atomic():
        idempotent(_idempotency(user, digest="d-1"), lambda: "first")

    with pytest.raises(IdempotencyKeyReused) as refused, transaction.atomic():
        idempotent(_idempotency(user, digest="d-2"), lambda: pytest.fail("made again"))

    assert refused.value.http_status == 422 and "Idempotency-Key" in refused.value.fields


@pytest.mark.django_db
def test_keys_are_the_users_own():
    first, second = UserFactory(), UserFactory()

    with transaction.atomic():
        answers = [idempotent(_idempotency(user, digest=f"d-{user.pk}"), lambda: "made") for user in (first, second)]

    assert [answer.replayed for answer in answers] == [False, False]
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
def test_a_request_that_fails_keeps_no_key_so_its_retry_runs_again():
    user = UserFactory()

    def fails():
        raise IdempotencyKeyReused("any domain error")

    with pytest.raises(IdempotencyKeyReused), transaction.atomic():
        idempotent(_idempotency(user), fails)
    assert not IdempotencyKey.objects.exists()

    with transaction.atomic():
        assert idempotent(_idempotency(user), lambda: "made") == Answer(201, {"made": "made"})


@pytest.mark.django_db
def test_without_a_key_the_work_is_done_and_nothing_is_kept():
    user = UserFactory()

    with transaction.atomic():
        answers = [idempotent(_idempotency(user, key=None), lambda: "made") for _ in range(2)]

    assert answers == [Answer(201, {"made": "made"})] * 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_the_key_is_claimed_only_inside_the_callers_transaction():
    with pytest.raises(RuntimeError):
        idempotent(_idempotency(UserFactory()), lambda: "made")
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_an_outlived_key_not_purged_yet_is_a_new_request():
    user = UserFactory()
    with transaction.atomic():
        idempotent(_idempotency(user, digest="old"), lambda: "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - IdempotencyKey.RETENTION - timedelta(seconds=1))

    with transaction.atomic():
        claimed = idempotency_claim(user_id=user.pk, key="k-1", digest="new")

    assert isinstance(claimed, int) and IdempotencyKey.objects.get().request_digest == "new"


@pytest.mark.django_db
def test_the_purge_forgets_keys_older_than_the_retention_and_is_safe_twice():
    user = UserFactory()
    with transaction.atomic():
        for key in ("old", "new"):
            idempotent(_idempotency(user, key=key), lambda: "made")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    assert idempotency_keys_purge() == 1
    assert idempotency_keys_purge() == 0
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
