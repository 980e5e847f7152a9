"""The first request after PostgreSQL dropped a kept connection succeeds (CONN_HEALTH_CHECKS).

With ``CONN_MAX_AGE`` a worker keeps its connection between requests. When the server ends
it meanwhile (restart, failover, an idle timeout), the worker only learns on its next query;
without a health check that query fails and the request is a 500. The requests here go
through Django's real WSGI handler (the test client turns off the request_started handler
that does the check), on the test's own connection, which another connection terminates.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory

from accounts.roles import Role
from tests.factories import user_with


def _get(path: str, session_key: str) -> tuple[int, bytes]:
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session_key}",
    )
    status: list[str] = []
    body = b"".join(WSGIHandler()(environ, lambda code, headers, exc_info=None: status.append(code)))
    return int(status[0].split()[0]), body


def _terminate_backend_of_this_connection() -> None:
    pid = connection.connection.info.backend_pid
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):  # the backend goes away asynchronously
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
        raise AssertionError("the backend was not terminated")
    finally:
        other.close()


TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def signed_in(db) -> str:
    assert connection.vendor == "postgresql", "this test terminates a PostgreSQL backend"
    client = Client()
    client.force_login(user_with(Role.SALES, username="conn-alice"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_health_checks_are_on_with_persistent_connections():
    database = settings.DATABASES["default"]
    assert (database["CONN_HEALTH_CHECKS"], database["CONN_MAX_AGE"] > 0) == (True, True)


@TRANSACTIONAL
def test_first_request_after_the_server_dropped_the_connection_succeeds(signed_in):
    assert _get("/notifications/", signed_in)[0] == 200
    kept = connection.connection
    assert kept is not None, "the connection must be kept between requests (CONN_MAX_AGE)"

    _terminate_backend_of_this_connection()
    status, body = _get("/notifications/", signed_in)

    assert status == 200
    assert b'<h1 class="h3 mb-0">Notifications</h1>' in body
    assert connection.connection is not kept  # a new connection was opened for the request


@TRANSACTIONAL
def test_without_health_checks_that_request_is_a_500(signed_in):
    """The finding the setting fixes, kept so that the test above is known to exercise it."""
    _get("/notifications/", signed_in)
    connection.health_check_enabled = False  # reset from the settings at the next connect
    _terminate_backend_of_this_connection()
    try:
        assert _get("/notifications/", signed_in)[0] == 500
    finally:
        connection.close()  # the test database is flushed through this connection afterwards
