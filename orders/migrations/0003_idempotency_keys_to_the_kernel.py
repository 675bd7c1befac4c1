"""Idempotency-Keys move to the shared kernel (``socialshop.IdempotencyKey``):
the keys of the last 24 hours are copied there, so a client retrying a
request placed before the upgrade still gets its first answer, and the
orders' own table goes. A key outside the shared grammar (1 to 64 of
``[A-Za-z0-9_-:.]``; orders took 1 to 255 of anything) is not copied: the
API refuses it now before it would be looked up. The hourly purge is now
``socialshop.tasks.idempotency_keys_purge_task``; the beat entry of the old
task is removed, or beat would keep sending a task no worker knows."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

KEY_REGEX = r"^[A-Za-z0-9_\-:.]{1,64}$"
RETENTION = timedelta(hours=24)
OLD_TASK = "orders.tasks.idempotency_keys_purge_task"


def keys_copy(apps, schema_editor):
    Old = apps.get_model("orders", "IdempotencyKey")
    New = apps.get_model("socialshop", "IdempotencyKey")
    kept = Old.objects.filter(
        key__regex=KEY_REGEX, created_at__gte=timezone.now() - RETENTION, response_status__isnull=False
    ).values_list("user_id", "key", "request_digest", "response_status", "response_body", "created_at")
    connection = schema_editor.connection
    rows = [
        (*values, connection.ops.adapt_datetimefield_value(created_at))
        for *values, created_at in kept.iterator(chunk_size=2000)
    ]
    # plain SQL, not bulk_create: auto_now_add would stamp every key with now, and a key's age is its own
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(New._meta.db_table)} "
            "(user_id, key, request_digest, response_status, response_body, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


def beat_entry_remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=OLD_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_refund_superseded"),
        ("socialshop", "0003_idempotency_keys"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(keys_copy, migrations.RunPython.noop),
        migrations.RunPython(beat_entry_remove, migrations.RunPython.noop),
        migrations.DeleteModel(name="IdempotencyKey"),
    ]
