"""Compress evaluation snapshots with lz4 instead of pglz (PostgreSQL 14+ built with lz4).

A monitoring run writes up to hundreds of thousands of ~3 KB snapshots; with pglz PostgreSQL
spent ~60 µs per row compressing them, with lz4 ~37 µs (docs/performance.md). Only values
written afterwards are affected. Where lz4 is missing the statement is skipped with a notice;
other databases are left alone.
"""

from django.db import migrations

FORWARD = """
DO $$
BEGIN
    ALTER TABLE screening_evaluation ALTER COLUMN result SET COMPRESSION lz4;
    ALTER TABLE screening_evaluation ALTER COLUMN inputs SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 compression not available, snapshots keep the default compression: %%', SQLERRM;
END $$;
"""

BACKWARD = """
ALTER TABLE screening_evaluation ALTER COLUMN result SET COMPRESSION default;
ALTER TABLE screening_evaluation ALTER COLUMN inputs SET COMPRESSION default;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_evaluation_drop_redundant_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
