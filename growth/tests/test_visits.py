"""The visit log: a referred view costs one RPUSH; the drain writes batches
once, whatever the number of drains, and takes over a dead drain's batch
after the window."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import run_together
from distribution.tests.factories import ResellerFactory
from growth import visits
from growth.choices import Channel
from growth.models import Visit, VisitBatch
from orders.tests.factories import shop_selling
from shops.models import ShopVisitor
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.django_db]


def _item(reseller, shop, *, key="v" * 32, product_id=None, channel=Channel.LINK, at=None):
    return visits._item(
        at=at or timezone.now(),
        invite_code=reseller.invite_code,
        shop_id=shop.pk,
        product_id=product_id,
        channel=channel,
        key=key,
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_a_shared_product_link_records_a_visit_by_one_push_that_the_drain_writes(
    client, visit_buffer, django_assert_max_num_queries
):
    reseller = ResellerFactory(invite_code="M8N3P5")
    shop, sku = shop_selling(shop=ShopFactory(owner=reseller))

    client.get(f"/s/{shop.slug}/p/{sku.product_id}/?ref=M8N3P5&ch=poster")
    client.get(f"/s/{shop.slug}/?ref=M8N3P5")
    client.get(f"/s/{shop.slug}/")  # not referred: a visitor (ShopVisitor) but no visit

    assert Visit.objects.count() == 0  # nothing written on the request
    assert visits.visits_buffered() == 2
    assert visits.visits_drain() == 2
    rows = sorted(Visit.objects.values_list("reseller_id", "shop_id", "product_id", "channel"), key=str)
    assert rows == sorted(
        [(reseller.pk, shop.pk, sku.product_id, Channel.POSTER), (reseller.pk, shop.pk, None, Channel.LINK)], key=str
    )
    # the same browser: the visit log and ShopVisitor share one key (one owner for "a visitor")
    assert set(Visit.objects.values_list("visitor_key", flat=True)) == set(
        ShopVisitor.objects.values_list("visitor_key", flat=True)
    )
    assert visits.visits_buffered() == 0


@pytest.mark.redis
@pytest.mark.postgres
def test_a_made_up_code_records_nothing(client, visit_buffer):
    shop = ShopFactory()
    client.get(f"/s/{shop.slug}/?ref=ZZZZ99")
    client.get(f"/s/{shop.slug}/?ref=%3Cscript%3E")

    visits.visits_drain()
    assert Visit.objects.count() == 0


@pytest.mark.redis
@pytest.mark.postgres
def test_a_batch_whose_drain_died_is_written_once_after_the_window(visit_buffer):
    reseller = ResellerFactory()
    shop = ShopFactory(owner=reseller)
    visit_buffer.rpush(visits._key(visits.QUEUE_KEY), *[_item(reseller, shop, key=f"{n:032d}") for n in range(5)])
    now = time.time()
    dead_batch, items = visits.visits_claim(batch_size=3, now=now)  # a drain claims 3 and dies
    assert len(items) == 3

    assert visits.visits_drain(now=now + 1) == 2  # within the window: only the unclaimed two
    assert Visit.objects.count() == 2

    assert visits.visits_drain(now=now + visits.STALE_AFTER + 1) == 3  # after it: the dead batch
    assert Visit.objects.count() == 5
    assert Visit.objects.filter(batch=dead_batch).count() == 3

    # the "dead" drain wakes up and writes its batch: nothing twice
    assert visits.visits_store(batch_id=dead_batch, items=items) == 0
    assert Visit.objects.count() == 5
    assert visits.visits_drain(now=now + 2 * visits.STALE_AFTER) == 0


@pytest.mark.redis
@pytest.mark.postgres
def test_a_drain_that_wrote_but_died_before_forgetting_its_batch_is_not_written_again(visit_buffer):
    reseller = ResellerFactory()
    shop = ShopFactory(owner=reseller)
    visit_buffer.rpush(visits._key(visits.QUEUE_KEY), *[_item(reseller, shop, key=f"{n:032d}") for n in range(4)])
    now = time.time()
    batch_id, items = visits.visits_claim(now=now)
    visits.visits_store(batch_id=batch_id, items=items)  # committed, then the worker died before release

    assert visits.visits_drain(now=now + visits.STALE_AFTER + 1) == 0
    assert Visit.objects.count() == 4
    assert visit_buffer.exists(visits._batch_key(batch_id)) == 0  # and the batch is forgotten now


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_never_count_a_visit_twice(visit_buffer):
    reseller = ResellerFactory()
    shop = ShopFactory(owner=reseller)
    total = 2_000
    visit_buffer.rpush(visits._key(visits.QUEUE_KEY), *[_item(reseller, shop, key=f"{n:032d}") for n in range(total)])

    outcomes = run_together(
        lambda: visits.visits_drain(batch_size=50, max_batches=1_000),
        lambda: visits.visits_drain(batch_size=50, max_batches=1_000),
    )

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert sum(outcomes) == total
    assert Visit.objects.count() == total
    assert Visit.objects.values("visitor_key").distinct().count() == total
    assert VisitBatch.objects.count() >= 2


@pytest.mark.postgres
def test_without_redis_the_visit_is_written_at_once(client, settings):
    settings.REDIS_URL = ""
    reseller = ResellerFactory(invite_code="K2X9Q7")
    shop = ShopFactory(owner=reseller)

    client.get(f"/s/{shop.slug}/?ref=K2X9Q7&ch=code")

    assert list(Visit.objects.values_list("reseller_id", "channel")) == [(reseller.pk, Channel.CODE)]


@pytest.mark.postgres
def test_visits_past_retention_are_forgotten():
    reseller = ResellerFactory()
    shop = ShopFactory(owner=reseller)
    old = timezone.now() - timedelta(days=200)
    visits.visits_store(batch_id=uuid.uuid4(), items=[_item(reseller, shop, at=old), _item(reseller, shop)])

    assert visits.visits_prune(days=180) == 1
    assert Visit.objects.count() == 1


@pytest.mark.redis
@pytest.mark.postgres
def test_a_visitor_who_scans_a_shop_poster_is_counted_and_bound_as_a_poster_visitor(client, visit_buffer):
    """The poster's own QR code (decoded from the PNG) is what a phone opens:
    the visit and, once the visitor logs in, the binding both say poster,
    and the roll-up counts the new customer on the poster channel."""
    import io

    import zxingcpp
    from PIL import Image

    from accounts.tests.factories import PASSWORD, UserFactory
    from distribution.choices import BindingSource
    from distribution.models import Binding
    from growth.models import DailyStat
    from growth.stats import stats_recompute

    reseller = ResellerFactory(invite_code="M8N3P5")
    shop, _sku = shop_selling(shop=ShopFactory(owner=reseller))
    poster = client.get(f"/s/{shop.slug}/poster.png")
    (link,) = [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(poster.content)))]
    customer = UserFactory()

    client.get(link.removeprefix("http://testserver"))
    client.post("/accounts/log-in/", {"username": customer.phone, "password": PASSWORD})
    visits.visits_drain()
    stats_recompute(first=timezone.localdate(), last=timezone.localdate())

    assert list(Visit.objects.values_list("channel", flat=True)) == [Channel.POSTER]
    assert Binding.objects.get(customer=customer).source == BindingSource.POSTER
    row = DailyStat.objects.get(reseller=reseller, channel=Channel.POSTER)
    assert (row.visits, row.new_bindings) == (1, 1)
    assert not DailyStat.objects.filter(reseller=reseller, channel=Channel.LINK).exists()
