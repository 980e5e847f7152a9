"""PostgreSQL only: the name / credit-code search of All applications, My applications and Customers
reads an index instead of every row (issue 16).

The filters search with ``icontains`` (``UPPER(col) LIKE UPPER('%term%')``) and ``iexact`` on the
credit code (``UPPER(col) = UPPER('term')``): trigram GIN indexes on ``UPPER(name)`` and B-tree
indexes on ``UPPER(credit_code)`` match those expressions exactly. At 100,000 applications the
search took 2.7 s (a walk of the whole newest-first index), at 70,000 customers 0.4 s
(docs/performance.md). SQLite (the embedded ``make run``) has no pg_trgm: nothing is done there.
"""

from django.db import migrations

INDEXES = [
    ("application_name_zh_trgm", "onboarding_application USING gin (upper(legal_name_zh::text) gin_trgm_ops)"),
    ("application_name_en_trgm", "onboarding_application USING gin (upper(legal_name_en::text) gin_trgm_ops)"),
    ("application_credit_code_upper", "onboarding_application (upper(credit_code::text))"),
    ("customer_name_trgm", "onboarding_customer USING gin (upper(name::text) gin_trgm_ops)"),
    ("customer_credit_code_upper", "onboarding_customer (upper(credit_code::text))"),
]


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0011_statechange_reason_message")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
