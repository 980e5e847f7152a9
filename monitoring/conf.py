"""Tunables of the monitoring app, each from a setting or the environment, with a default.

``MONITORING_CHUNK_SIZE`` (default 2000): customers per chunk, i.e. per transaction.
``MONITORING_WORKERS`` (default 2): work tasks a tick dispatches for a run (one per worker process).
``MONITORING_TASK_BUDGET`` (seconds, default 240): a work task stops claiming chunks after this
and queues its successor, so no task runs near the broker's visibility timeout.
``MONITORING_TICK_SECONDS`` (default 300): how often beat sends the tick (read by config/celery.py).
``MONITORING_RECONCILE_GRACE_SECONDS`` (default 120): the reconciliation leaves alone work younger than
this (its own task was queued a moment ago and has not run yet).
``MONITORING_BULK_WRITER`` (``copy`` or ``orm``, default ``copy``): on PostgreSQL, runs read and write
with PostgreSQL's own SQL (``COPY``, JSON operators); ``orm`` forces the portable Django path that
SQLite always takes (tests use it to exercise that path on PostgreSQL).

Environment values are parsed strictly (``config.env``): a bad value stops the process.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config import env


def _positive(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        return env.get_int(name, default, minimum=1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name}={value!r} must be a positive integer.")
    return value


def chunk_size() -> int:
    return _positive("MONITORING_CHUNK_SIZE", 2000)


def workers() -> int:
    return _positive("MONITORING_WORKERS", 2)


def task_budget() -> int:
    return _positive("MONITORING_TASK_BUDGET", 240)


def tick_seconds() -> int:
    return _positive("MONITORING_TICK_SECONDS", 300)


def reconcile_grace_seconds() -> int:
    return _positive("MONITORING_RECONCILE_GRACE_SECONDS", 120)


def postgres_bulk() -> bool:
    """Whether runs use the PostgreSQL-only bulk path (see ``MONITORING_BULK_WRITER``)."""
    return connection.vendor == "postgresql" and getattr(settings, "MONITORING_BULK_WRITER", "copy") == "copy"
