"""A withdrawal's Idempotency-Key moves to the shared kernel's table
(``socialshop.IdempotencyKey``), which keeps the first answer and holds the
key for 24 hours, as it does for every endpoint. The keys of withdrawals
asked for in the last 24 hours are copied there with the answer the API
gives for them now, so a client retrying such a request after the upgrade
gets its withdrawal, not a second one; then the column goes.

The digest and the answer are written out here as they are on the day of
this migration (``socialshop.idempotency.request_digest`` over the
``POST /api/v1/withdrawals/`` body, ``WithdrawalSerializer``), since a
migration must not follow later code; ``test_migrations`` replays a copied
key through the API."""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

RETENTION = timedelta(hours=24)
PATH = "/api/v1/withdrawals/"


def _digest(amount: int) -> str:
    canonical = json.dumps(["POST", PATH, {"amount": amount}], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def _when(value):
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def keys_copy(apps, schema_editor):
    Withdrawal = apps.get_model("commissions", "Withdrawal")
    IdempotencyKey = apps.get_model("socialshop", "IdempotencyKey")
    recent = Withdrawal.objects.filter(
        idempotency_key__isnull=False, requested_at__gte=timezone.now() - RETENTION
    ).select_related("reseller")
    connection = schema_editor.connection
    rows = []
    for withdrawal in recent.iterator(chunk_size=2000):
        body = {
            "id": withdrawal.pk,
            "amount": _yuan(withdrawal.amount),
            "fee_amount": _yuan(withdrawal.fee_amount),
            "net_amount": _yuan(withdrawal.amount - withdrawal.fee_amount),
            "status": withdrawal.status,
            "failure_reason": withdrawal.failure_reason,
            "requested_at": _when(withdrawal.requested_at),
            "decided_at": _when(withdrawal.decided_at),
            "paid_at": _when(withdrawal.paid_at),
        }
        rows.append(
            (
                withdrawal.reseller.user_id,
                withdrawal.idempotency_key,
                _digest(withdrawal.amount),
                201,
                json.dumps(body, ensure_ascii=False),
                connection.ops.adapt_datetimefield_value(withdrawal.requested_at),
            )
        )
    # plain SQL, not bulk_create: auto_now_add would stamp every key with now, and a key's age is its
    # request's. A key the same user also sent to place an order keeps the order's answer.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(IdempotencyKey._meta.db_table)} "
            "(user_id, key, request_digest, response_status, response_body, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0008_settlement_index_in_maturity_order"),
        ("socialshop", "0003_idempotency_keys"),
        ("orders", "0003_idempotency_keys_to_the_kernel"),  # orders' keys first: see keys_copy
    ]

    operations = [
        migrations.RunPython(keys_copy, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="withdrawal",
            name="withdrawal_idempotency_key_once",
        ),
        migrations.RemoveField(
            model_name="withdrawal",
            name="idempotency_key",
        ),
    ]
