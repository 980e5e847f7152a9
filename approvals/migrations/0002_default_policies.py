"""The committee policies of the admission guide: A and B majority with a legal veto, C unanimous,
D unanimous with a prominent warning. Finance, legal and business vote in every tier."""

from django.db import migrations

DEPARTMENTS = ["finance", "legal", "business"]
DEFAULTS = {
    "A": {"rule": "majority", "veto_departments": ["legal"], "warning": False},
    "B": {"rule": "majority", "veto_departments": ["legal"], "warning": False},
    "C": {"rule": "unanimous", "veto_departments": [], "warning": False},
    "D": {"rule": "unanimous", "veto_departments": [], "warning": True},
}


def create_policies(apps, schema_editor):
    CommitteePolicy = apps.get_model("approvals", "CommitteePolicy")
    for tier, values in DEFAULTS.items():
        CommitteePolicy.objects.get_or_create(tier=tier, defaults={"departments": DEPARTMENTS, **values})


def remove_policies(apps, schema_editor):
    apps.get_model("approvals", "CommitteePolicy").objects.filter(tier__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(create_policies, remove_policies)]
