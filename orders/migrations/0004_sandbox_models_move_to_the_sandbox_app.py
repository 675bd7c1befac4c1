# The sandbox gateway's books move to the sandbox app (sandbox/migrations/0001_initial.py), which
# takes over their tables with their rows: only Django's idea of where the models live changes here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_idempotency_keys_to_the_kernel'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='SandboxRefund'),
                migrations.DeleteModel(name='SandboxCharge'),
            ],
            database_operations=[],
        ),
    ]
