"""How evaluation snapshots are stored on PostgreSQL."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_snapshots_are_compressed_with_lz4():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'screening_evaluation'::regclass "
            "AND attname IN ('inputs', 'result') ORDER BY attname"
        )
        assert cursor.fetchall() == [("inputs", "l"), ("result", "l")]


def test_evaluation_indexes_have_no_redundant_single_column_ones():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'screening_evaluation' ORDER BY indexname")
        names = [name for (name,) in cursor.fetchall()]
    assert [n for n in names if "customer" in n or "application" in n] == [
        "evaluation_application_latest", "evaluation_customer_latest",
    ]
