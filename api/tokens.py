"""API tokens: high-entropy random strings, stored as their SHA-256 only."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "vtd_"
PREFIX_LENGTH = 12  # "vtd_" and 8 random characters: finds the row and tells tokens apart on the page


def token_new() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
