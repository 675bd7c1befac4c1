"""The transactional outbox end to end: paid orders' ``order.paid`` events
handed to the ``commissions`` consumer (``events_consume``: a receipt
locked, the commissions and their ledger postings written, the receipt
marked handled, one transaction per event), beside bare event inserts in
the same run.

    .venv/bin/python bench/events.py            # about a minute on 2 cores

The scratch database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/socialshop_bench_events) is created and
dropped here. The world, through the project's services: a chain of
resellers whose last one runs a shop that picked the catalogue (a third at
its own price, so the seller earns a markup too), a buyer bound to that
reseller, and ``--orders`` orders of two lines (one in the shop, one
attributed through the binding), each placed and paid through the sandbox,
so each payment's transaction writes its ``order.paid`` event with who
earns. The consumers are *not* woken while the world is built (see
``world_build``): every event waits, unhandled. Then it times:

- the baseline: as many bare inserts of an event of the same size, each in
  its own transaction (``transaction.atomic()`` around
  ``Event.objects.create``), since the pipeline handles each event in a
  transaction of its own (median of ``--repeat``, deleted after each run);
- the pipeline: ``events_consume(consumer="commissions")`` once, from the
  first pending event to the last (with ``--webhooks``, then the
  ``webhooks`` consumer over the same events too; no partner has an
  endpoint here, so it reads each order and delivers nothing).

and prints the SQL statements one event costs, counted over a small sample
of fresh events, then checks that every event was handled once, every paid
order has its commissions and its payment posting, and the ledger balances.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from scratch import (  # noqa: E402
    ADDRESS,
    bench_django_ready,
    bench_environment,
    bench_shop_chain,
    scratch_database_create,
    scratch_database_drop,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/socialshop_bench_events"


# --- the world -------------------------------------------------------------------------


def world_build(*, products: int, depth: int) -> dict:
    """The catalogue, the chain of resellers, the shop and its bound buyer,
    through the project's services (like bench/orders.py)."""
    from accounts.services import user_create
    from distribution.choices import BindingSource
    from distribution.services import binding_touch

    top, shop, skus = bench_shop_chain(
        products=products, suppliers=1, depth=depth, stock=1_000_000, label="事件基准", code="E"
    )
    buyer = user_create(phone="13600000001", password=None)
    binding_touch(customer=buyer, reseller=top, source=BindingSource.LINK)
    return {"buyer": buyer, "shop": shop.slug, "sku_ids": [sku.pk for sku in skus], "placed": 0}


def orders_paid(world: dict, count: int) -> int:
    """Place and pay ``count`` orders through the services, each order in one
    transaction, with no wake-up sent; returns how many ``order.paid``
    events that wrote.

    Why no wake-up: the bench runs Celery tasks in process (eager), so each
    wake-up queued at commit would run the consumers right there, inside
    the build, and nothing would be left to time. While the orders are
    built, tasks go through the bench's in-memory broker instead, where no
    worker takes them: a worker that is behind (tests/test_money_flow.py's
    "behind" mode), as far as the database can tell. The events commit with their
    payments as in production and wait; the timed run is then the path the
    beat sweep takes after such an outage, ``events_consume``, from the
    first waiting event to the last. The team-sales roll-up, woken the same
    way, is left to its sweep too: who earns is in each event's snapshot.
    Placing and paying an order in one transaction (the services nest) saves
    the build six commits per order; it writes the same rows."""
    from django.db import transaction

    from orders.services.addresses import ShippingAddress
    from orders.services.payments import APPLIED
    from orders.services.placing import LineRequest, order_place
    from sandbox.payments import payment_sandbox_complete
    from socialshop.models import Event

    sku_ids, shop = world["sku_ids"], world["shop"]
    before = Event.objects.filter(type="order.paid").count()
    from socialshop.celery import app

    app.conf.task_always_eager = False  # wake-ups go to the in-memory broker, where no worker takes them
    try:
        for _ in range(count):
            n = world["placed"]
            world["placed"] += 1
            with transaction.atomic():
                order = order_place(
                    buyer=world["buyer"],
                    lines=[
                        LineRequest(sku_id=sku_ids[(n * 2) % len(sku_ids)], quantity=1, shop_slug=shop),
                        LineRequest(sku_id=sku_ids[(n * 2 + 1) % len(sku_ids)], quantity=1),
                    ],
                    address=ShippingAddress(**ADDRESS),
                )
                outcome = payment_sandbox_complete(order=order)
            assert outcome == APPLIED, outcome
    finally:
        app.conf.task_always_eager = True
    return Event.objects.filter(type="order.paid").count() - before


# --- the runs --------------------------------------------------------------------------


def baseline_seconds(count: int, payload: dict) -> float:
    """``count`` bare inserts of an event as big as an order.paid one, each
    in its own transaction, with a type no consumer takes; deleted after."""
    from django.db import connection, transaction

    from socialshop.models import Event

    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            Event.objects.create(type="bench.baseline", aggregate_type="order", aggregate_id=n, payload=payload)
    elapsed = time.perf_counter() - started
    Event.objects.filter(type="bench.baseline").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE socialshop_event")
    return elapsed


def consume_seconds(consumer: str) -> tuple[float, int]:
    from socialshop.events import events_consume

    started = time.perf_counter()
    handled = events_consume(consumer=consumer)
    return time.perf_counter() - started, handled


def statements_per_event(world: dict, consumers: list[str], sample: int) -> dict[str, tuple[int, int, int]]:
    """``sample`` fresh events consumed with the SQL counted, per consumer:
    (statements in all, those inside the consumer's handler, events
    handled). The rest is the outbox's own: BEGIN and COMMIT, the receipt
    inserted, locked and marked, the event read, the handler's savepoint,
    and the one query per batch that finds the waiting events. The handler
    is counted by registering it again wrapped in a counter (put back
    after)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialshop.events import event_consumer_register, event_consumers, events_consume

    orders_paid(world, sample)
    counts = {}
    for name in consumers:
        found = event_consumers()[name]
        inside = []

        def counted(event, handle=found.handle, inside=inside):
            with CaptureQueriesContext(connection) as queries:
                outcome = handle(event)
            inside.append(len(queries))
            return outcome

        event_consumer_register(name=name, event_types=list(found.event_types), handle=counted)
        try:
            with CaptureQueriesContext(connection) as queries:
                handled = events_consume(consumer=name)
        finally:
            event_consumer_register(name=name, event_types=list(found.event_types), handle=found.handle)
        counts[name] = (len(queries), sum(inside), handled)
    return counts


def baseline_statements(payload: dict) -> int:
    """The statements one baseline insert costs, counted the same way."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from socialshop.models import Event

    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            Event.objects.create(type="bench.baseline", aggregate_type="order", aggregate_id=0, payload=payload)
    Event.objects.filter(type="bench.baseline").delete()
    return len(queries)


def verify(consumers: list[str], expected: int) -> None:
    from django.db.models import Exists, OuterRef

    from commissions.models import Commission
    from ledger.models import LedgerTransaction
    from ledger.selectors import ledger_balance_mismatches, ledger_unbalanced_transactions
    from orders.models import Order
    from socialshop.models import Event, EventReceipt, ReceiptStatus

    problems = []
    events = Event.objects.filter(type="order.paid").count()
    for consumer in consumers:
        handled = EventReceipt.objects.filter(consumer=consumer, status=ReceiptStatus.HANDLED).count()
        receipts = EventReceipt.objects.filter(consumer=consumer).count()
        if handled != expected or receipts != expected or events != expected:
            problems.append(f"{consumer}: {handled:,} handled of {receipts:,} receipts for {events:,} events")
    paid = Order.objects.filter(paid_at__isnull=False)
    without = paid.exclude(Exists(Commission.objects.filter(order=OuterRef("pk")))).count()
    commissions = Commission.objects.count()
    accruals = LedgerTransaction.objects.filter(idempotency_key__startswith="commission-accrue:").count()
    payments = LedgerTransaction.objects.filter(idempotency_key__startswith="order-paid:").count()
    if paid.count() != expected or without or payments != expected or accruals != commissions:
        problems.append(
            f"{paid.count():,} paid orders ({without:,} without commissions), {payments:,} payment postings, "
            f"{accruals:,} accruals for {commissions:,} commissions"
        )
    if ledger_unbalanced_transactions() or ledger_balance_mismatches():
        problems.append("the ledger does not balance")
    if problems:
        sys.exit("check FAILED: " + "; ".join(problems))
    print(
        f"check: {events:,} order.paid events, each handled once by {' and '.join(consumers)}; {paid.count():,} paid "
        f"orders, each with its commissions ({commissions:,}, one accrual posting each) and its payment posting; "
        "every transaction balances, every cached balance = its entries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000, help="paid orders, so order.paid events")
    parser.add_argument("--products", type=int, default=20, help="products in the catalogue (2 SKUs each)")
    parser.add_argument("--depth", type=int, default=5, help="levels of resellers above the shop's owner")
    parser.add_argument("--webhooks", action="store_true", help="time the webhooks consumer over the events too")
    parser.add_argument("--sample", type=int, default=20, help="events over which statements are counted")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the baseline (the pipeline runs once)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_environment(url, DEBUG="false")
    scratch_database_create(url)
    try:
        bench_django_ready()
        from django.db import connection

        from socialshop.models import Event, EventReceipt

        consumers = ["commissions"] + (["webhooks"] if args.webhooks else [])
        started = time.perf_counter()
        world = world_build(products=args.products, depth=args.depth)
        count = orders_paid(world, args.orders)
        assert count == args.orders and not EventReceipt.objects.exists(), "a consumer ran while building"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"world: a shop {args.depth + 1} levels down the tree, {len(world['sku_ids'])} SKUs, a buyer bound to it; "
            f"{count:,} orders of 2 lines paid, their order.paid events waiting ({time.perf_counter() - started:.0f} s)"
        )

        payload = Event.objects.filter(type="order.paid").order_by("pk").values_list("payload", flat=True).first()
        baseline_seconds(min(200, count), payload)  # warm-up
        baseline = statistics.median(baseline_seconds(count, payload) for _ in range(args.repeat))
        timed = {consumer: consume_seconds(consumer) for consumer in consumers}
        statements = statements_per_event(world, consumers, args.sample)
        per_insert = baseline_statements(payload)

        print(
            f"\n  baseline: {count:,} bare event INSERTs, each in its own transaction "
            f"(median of {args.repeat}; {per_insert} statements each: BEGIN, INSERT, COMMIT)"
        )
        print(f"      {baseline:8.2f} s   {count / baseline:>10,.0f} events/s")
        for consumer, (seconds, handled) in timed.items():
            total, inside, sampled = statements[consumer]
            what = (
                "receipt, lock, commissions and their ledger postings, receipt handled"
                if consumer == "commissions"
                else "receipt, lock, the order read, no endpoint to deliver to, receipt handled"
            )
            print(f'  pipeline: events_consume(consumer="{consumer}"), {handled:,} events, a transaction each ({what})')
            print(
                f"      {seconds:8.2f} s   {handled / seconds:>10,.0f} events/s   = {seconds / baseline:.1f} × the "
                f"baseline's time"
            )
            print(
                f"      {total / sampled:.1f} SQL statements per event: {inside / sampled:.1f} in the handler, "
                f"{(total - inside) / sampled:.1f} the outbox's own (counted over {sampled} events)"
            )
        if args.webhooks:
            both = sum(seconds for seconds, _ in timed.values())
            print(f"  both consumers: {both:8.2f} s   {count / both:>10,.0f} events/s")
        print()
        verify(consumers, count + args.sample)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database_drop(url)


if __name__ == "__main__":
    main()
