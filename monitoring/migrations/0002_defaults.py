"""Default indicator settings, and room for in-place updates of the credit profiles.

The values are copied from monitoring.indicators.DEFAULTS (a migration must not import app code
that may change later).
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("below_threshold", None, "high"),
    ("tier_downgrade", Decimal("1"), "medium"),
    ("score_drop", Decimal("10"), "medium"),
    ("bureau_drop", Decimal("50"), "medium"),
    ("new_overdue", Decimal("1"), "high"),
    ("new_litigation", Decimal("1"), "medium"),
    ("watchlist_match", Decimal("85"), "critical"),
    ("stale_financials", Decimal("15"), "low"),
    ("review_overdue", Decimal("0"), "medium"),
    ("condition_overdue", Decimal("0"), "high"),
]


def create_defaults(apps, schema_editor):
    IndicatorSetting = apps.get_model("monitoring", "IndicatorSetting")
    for indicator, threshold, severity in DEFAULTS:
        IndicatorSetting.objects.get_or_create(
            indicator=indicator, defaults={"threshold": threshold, "severity": severity}
        )


def set_fillfactor(apps, schema_editor):
    # Every run rewrites each profile row: leave room in each page so that PostgreSQL can
    # update in place (HOT) instead of moving the row and touching the index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE monitoring_customercreditprofile SET (fillfactor = 70)")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(set_fillfactor, migrations.RunPython.noop),
    ]
