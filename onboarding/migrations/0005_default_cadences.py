from django.db import migrations

DEFAULTS = {"A": 12, "B": 6, "C": 3, "D": 1}


def load(apps, schema_editor):
    ReviewCadence = apps.get_model("onboarding", "ReviewCadence")
    for tier, months in DEFAULTS.items():
        ReviewCadence.objects.get_or_create(tier=tier, defaults={"months": months})


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0004_review_cadence")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
