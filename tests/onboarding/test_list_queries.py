"""The query count of every list page does not grow with its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from onboarding.enums import State
from tests.factories import ApplicationFactory, advance, user_with


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _make(owner, n, state):
    for _ in range(n):
        advance(ApplicationFactory(created_by=owner), state)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "role", "state"),
    [
        ("onboarding:my_applications", Role.SALES, State.DRAFT),
        ("onboarding:application_list", Role.RISK_MANAGER, State.DRAFT),
        ("onboarding:queue", Role.DOCUMENT_REVIEWER, State.DOCUMENT_REVIEW),
    ],
)
def test_list_query_count_is_the_same_for_1_and_30_rows(client, url_name, role, state):
    owner = user_with(Role.SALES)
    viewer = owner if role == Role.SALES else user_with(role)
    client.force_login(viewer)
    _make(owner, 1, state)
    one = _count(client, reverse(url_name))
    _make(owner, 29, state)
    thirty = _count(client, reverse(url_name))
    assert one == thirty
