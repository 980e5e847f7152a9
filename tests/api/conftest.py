"""API test helpers: clients with tokens made through the real service, the Bearer header."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from api import services
from api.models import Scope
from tests.factories import user_with

ALL_SCOPES = list(Scope.values)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user(db):
    return user_with(Role.ADMIN, username="adam")


def bearer(user, *, scopes=None, name=None) -> APIClient:
    """An HTTP client authenticated as a new API client acting as ``user``."""
    admin = user_with(Role.ADMIN, username="api-test-admin")
    client, token = services.api_client_create(
        name=name or f"CRM {next(_numbers)} for {user.username}", user=user,
        scopes=ALL_SCOPES if scopes is None else scopes, actor=admin,
    )
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    http.api_client = client
    http.token = token
    return http


from tests.watchlists.conftest import listed_application  # noqa: E402,F401  (a screened application with hits)
