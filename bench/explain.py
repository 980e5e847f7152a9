"""``bench_pages --explain``: the plan of every query a page sends, at the size the bench built.

Each page is requested once in-process; every ``SELECT`` it sent is run again under
``EXPLAIN (ANALYZE, BUFFERS)`` and printed with its execution time and the plan's scan nodes.
A sequential scan of a table of more than ``BIG`` rows is flagged: on these pages a filter must
read an index, so that the page's cost does not grow with history.
"""

from __future__ import annotations

import re
import time

from django.db import connection
from django.test import Client
from django.test.utils import override_settings

BIG = 10_000
SCAN = re.compile(
    r"(Seq Scan|Index Scan(?: Backward)?|Index Only Scan(?: Backward)?|Bitmap Heap Scan|Bitmap Index Scan)"
    r" (?:using (\S+) )?on (\S+)"
)


def _table_sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        return dict(cursor.fetchall())


def page_queries(path: str, session_key: str) -> list[tuple[str, tuple]]:
    sent: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    with override_settings(ROOT_URLCONF="bench.urls"):
        client.get(path)
        with connection.execute_wrapper(record):
            response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [(sql, params) for sql, params in sent if sql.lstrip("( ").upper().startswith("SELECT")]


def explain(pages: list[tuple[str, str, str]], out) -> int:
    """Print the plans; returns the number of sequential scans of big tables."""
    sizes = _table_sizes()
    flagged = 0
    for name, path, key in pages:
        out(f"\n{name} ({path})")
        for sql, params in page_queries(path, key):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = [row[0] for row in cursor.fetchall()]
                wall = (time.perf_counter() - started) * 1000
            execution = next((line for line in plan if line.startswith("Execution Time")), "")
            tables = re.findall(r'FROM "(\w+)"', sql)
            out(f"  {execution.removeprefix('Execution Time: '):>10}  ({wall:.1f} ms with EXPLAIN)  "
                f"{', '.join(dict.fromkeys(tables))}")
            for line in plan:
                match = SCAN.search(line)
                if not match:
                    continue
                kind, index, table = match.groups()
                rows = sizes.get(table, 0)
                seq = kind == "Seq Scan" and rows > BIG
                flagged += seq
                out(f"      {'SEQ SCAN OF A BIG TABLE: ' if seq else ''}{kind}"
                    f"{' using ' + index if index else ''} on {table} ({rows:,} rows)")
    return flagged
