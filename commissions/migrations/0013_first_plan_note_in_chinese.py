from django.db import migrations

# the first plan's note is what operators read in the plans' list (0002 wrote it in English)
ENGLISH, CHINESE = "initial plan", "初始方案"


def note_in_chinese(apps, schema_editor):
    apps.get_model("commissions", "CommissionPlan").objects.filter(note=ENGLISH).update(note=CHINESE)


def note_in_english(apps, schema_editor):
    apps.get_model("commissions", "CommissionPlan").objects.filter(note=CHINESE).update(note=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [("commissions", "0012_labels_operators_read")]

    operations = [migrations.RunPython(note_in_chinese, note_in_english)]
