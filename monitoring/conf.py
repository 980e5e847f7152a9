"""Tunables of the monitoring app, each from a setting or the environment, with a default.

``MONITORING_CHUNK_SIZE`` (default 2000): customers per chunk, i.e. per transaction.
``MONITORING_WORKERS`` (default 2): work tasks a tick dispatches for a run (one per worker process).
``MONITORING_TASK_BUDGET`` (seconds, default 240): a work task stops claiming chunks after this
and queues its successor, so no task runs near the broker's visibility timeout.
``MONITORING_TICK_SECONDS`` (default 300): how often beat sends the tick (read by config/celery.py).

Environment values are parsed strictly (``config.env``): a bad value stops the process.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
