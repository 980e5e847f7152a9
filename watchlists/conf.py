"""Settings of the watchlists app: a Django setting, else the environment variable, else the default.

``WATCHLIST_MATCH_THRESHOLD`` (0–100, default 85): a name scoring at least this is a hit.
``WATCHLIST_CANDIDATE_LIMIT`` (default 60): at most this many candidate names, the most
alike by key, are scored in full.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import env


def _number(name: str, default: float, low: float, high: float) -> float:
    """The Django setting ``name``, else the environment variable (``config.env``), else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = env.get_float(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={value!r} must be a number from {low} to {high}.")
    return float(value)


def match_threshold() -> float:
    return _number("WATCHLIST_MATCH_THRESHOLD", 85, 0, 100)


def candidate_limit() -> int:
    return int(_number("WATCHLIST_CANDIDATE_LIMIT", 60, 1, 100_000))


def upload_max_mb() -> int:
    """``WATCHLIST_UPLOAD_MAX_MB`` (default 50): the largest file the import page accepts;
    bigger lists go through ``manage.py import_watchlist``."""
    return int(_number("WATCHLIST_UPLOAD_MAX_MB", 50, 1, 10_000))
