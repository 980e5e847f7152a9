"""PostgreSQL only: the trigram index that makes fuzzy search a lookup, not a scan.

SQLite (the embedded ``make run``) has no pg_trgm; there ``watchlists.matching`` falls
back to a token lookup, so these operations do nothing on other databases.
"""

from django.db import migrations


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS watchlists_key_trgm ON watchlists_watchlistkey USING gin (key gin_trgm_ops)"
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS watchlists_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("watchlists", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
