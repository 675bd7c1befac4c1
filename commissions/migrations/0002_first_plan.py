from django.db import migrations
from django.utils import timezone


def first_plan(apps, schema_editor):
    """There is always a plan in effect: the defaults of DESIGN §3 (two tiers,
    30% and 10% of the margin), effective from the beginning of time."""
    CommissionPlan = apps.get_model("commissions", "CommissionPlan")
    if not CommissionPlan.objects.exists():
        CommissionPlan.objects.create(
            effective_from=timezone.make_aware(timezone.datetime(2000, 1, 1)),
            note="initial plan",
        )


class Migration(migrations.Migration):
    dependencies = [("commissions", "0001_initial")]

    operations = [migrations.RunPython(first_plan, migrations.RunPython.noop)]
