# The sandbox providers' books, moved here from orders (SandboxCharge, SandboxRefund) and commissions
# (SandboxPayoutRecord) with their rows: the models are declared on the tables they had, which are
# then renamed to this app's names; their content types (and so any permission on them) follow.

import django.db.models.deletion
from django.db import migrations, models

MOVED = {"sandboxcharge": "orders", "sandboxrefund": "orders", "sandboxpayoutrecord": "commissions"}


def _content_types_move(apps, schema_editor, *, here):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model, old_app in MOVED.items():
        source, target = (old_app, "sandbox") if here else ("sandbox", old_app)
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def content_types_follow(apps, schema_editor):
    _content_types_move(apps, schema_editor, here=True)


def content_types_go_back(apps, schema_editor):
    _content_types_move(apps, schema_editor, here=False)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('commissions', '0011_sandbox_payout_record_moves_to_the_sandbox_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('orders', '0004_sandbox_models_move_to_the_sandbox_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SandboxCharge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(max_length=40, unique=True)),
                        ('transaction_id', models.CharField(max_length=40, unique=True)),
                        ('amount', models.BigIntegerField()),
                        ('currency', models.CharField(max_length=3)),
                        ('subject', models.CharField(max_length=120)),
                        ('notify_url', models.URLField(max_length=500)),
                        ('return_url', models.URLField(max_length=500)),
                        ('status', models.CharField(default='pending', max_length=10)),
                        ('expires_at', models.DateTimeField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('refunded_amount', models.BigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'orders_sandboxcharge',
                        'constraints': [models.CheckConstraint(condition=models.Q(('refunded_amount__gte', 0), ('refunded_amount__lte', models.F('amount'))), name='sandbox_refunds_within_charge')],
                    },
                ),
                migrations.CreateModel(
                    name='SandboxRefund',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(max_length=40, unique=True)),
                        ('amount', models.BigIntegerField()),
                        ('succeeded', models.BooleanField()),
                        ('provider_reference', models.CharField(max_length=40)),
                        ('failure_reason', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('charge', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='sandbox.sandboxcharge')),
                    ],
                    options={'db_table': 'orders_sandboxrefund'},
                ),
                migrations.CreateModel(
                    name='SandboxPayoutRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(max_length=40, unique=True)),
                        ('reseller_id', models.BigIntegerField()),
                        ('amount', models.BigIntegerField()),
                        ('succeeded', models.BooleanField()),
                        ('provider_reference', models.CharField(max_length=80)),
                        ('failure_reason', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={'db_table': 'commissions_sandboxpayoutrecord'},
                ),
            ],
            database_operations=[],
        ),
        # the tables take this app's names (ALTER TABLE … RENAME: rows, keys and constraints stay)
        migrations.AlterModelTable(name='sandboxcharge', table=None),
        migrations.AlterModelTable(name='sandboxrefund', table=None),
        migrations.AlterModelTable(name='sandboxpayoutrecord', table=None),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
