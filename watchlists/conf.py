"""Settings of the watchlists app, each read with a default (config/settings.py need not name them).

``WATCHLIST_MATCH_THRESHOLD`` (0–100, default 85): a name scoring at least this is a hit.
``WATCHLIST_CANDIDATE_LIMIT`` (default 60): at most this many candidate names, the most
alike by key, are scored in full.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _number(name: str, default: float, low: float, high: float) -> float:
    value = getattr(settings, name, default)
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
