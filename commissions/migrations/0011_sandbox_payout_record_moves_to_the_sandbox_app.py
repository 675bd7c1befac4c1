# The sandbox payout provider's records move to the sandbox app (sandbox/migrations/0001_initial.py),
# which takes over their table with its rows: only Django's idea of where the model lives changes here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0010_commission_decisions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SandboxPayoutRecord')],
            database_operations=[],
        ),
    ]
