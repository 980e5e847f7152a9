"""Strict parsing of environment variables.

A bad value stops the process at start with a message naming the variable, rather
than silently falling back to a default (``DEBUG=flase`` must not mean "off").
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET = object()


def get_str(name: str, default: object = _UNSET) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default  # type: ignore[return-value]
    return value


def get_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def get_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def get_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None


def get_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.strip():
        return []  # set but empty, as docker-compose passes "${NAME:-}": explicitly none
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate values with single commas.")
    return items


def get_database(name: str, default: str) -> dict:
    value = os.environ.get(name, default)
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config.get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name} must be a postgres:// or sqlite:// URL.")
    if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("NAME"):
        # "postgres://host" parses, and would connect to a surprising default database.
        raise ImproperlyConfigured(f"{name} must name the database: postgres://user@host:5432/name.")
    return config


def get_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    """A URL with one of ``schemes`` and a host; empty means unset. The value is not echoed (passwords)."""
    value = os.environ.get(name) or default
    if not value:
        return value
    expected = " or ".join(f"{scheme}://" for scheme in schemes)
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port; expected {expected}host:port/...") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be a {expected} URL with a host.")
    return value


def get_email(name: str, default: str) -> dict:
    value = os.environ.get(name, default)
    try:
        return environ.Env.email_url_config(value)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not a valid e-mail URL: {exc}") from None
