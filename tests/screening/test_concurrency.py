"""Two risk managers publishing two drafts at once: one wins, the other is told, nothing breaks.

The race is made deterministic: the first publication runs inside an outer transaction that
is held open (so it holds the lock of the published version and has published its draft,
uncommitted), the second one is started and waits on that lock, and only when PostgreSQL
shows it waiting does the first commit.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from screening import services
from screening.enums import VersionStatus
from screening.models import ScorecardVersion
from screening.selectors import published_version
from tests.factories import user_with

LOSER_MESSAGE = ("Someone else has just published version {number}. Nothing was changed: look at that version, "
                 "then publish this draft if it should replace it.")


def _wait_until_a_backend_waits_on_a_lock() -> None:
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second publication never waited on the first one's lock")


def _race(first_id: int, first_actor, second) -> object:
    """Publish ``first_id`` and, while it is uncommitted, run ``second()``; returns its result or error."""
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                services.scorecard_publish(version_id=first_id, actor=first_actor)
                holding.set()
                release.wait(10)
        except Exception as error:  # reported by the assertion below
            outcome["first"] = error
            holding.set()
        finally:
            connections.close_all()

    def run_second() -> None:
        try:
            outcome["second"] = second()
        except Exception as error:
            outcome["second"] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10) and "first" not in outcome, outcome.get("first")
    two = threading.Thread(target=run_second)
    two.start()
    try:
        _wait_until_a_backend_waits_on_a_lock()
    finally:
        release.set()
        one.join(10)
        two.join(10)
    assert "first" not in outcome, outcome["first"]
    return outcome["second"]


@pytest.fixture
def two_drafts(db):
    assert connection.vendor == "postgresql", "the race must run on PostgreSQL (row locks)"
    author = user_with(Role.RISK_MANAGER, username="maker")
    published = published_version()
    first = services.scorecard_copy(version=published, actor=author)
    second = services.scorecard_copy(version=published, actor=author)
    return published, first, second


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_second_of_two_simultaneous_publications_gets_a_message(two_drafts):
    published, first, second = two_drafts
    checker_a = user_with(Role.RISK_MANAGER, username="checker-a")
    checker_b = user_with(Role.RISK_MANAGER, username="checker-b")

    result = _race(first.pk, checker_a, lambda: services.scorecard_publish(version_id=second.pk, actor=checker_b))

    assert type(result).__name__ == "ValidationError", repr(result)
    assert result.messages == [LOSER_MESSAGE.format(number=first.number)]
    statuses = dict(ScorecardVersion.objects.values_list("pk", "status"))
    assert (statuses[published.pk], statuses[first.pk], statuses[second.pk]) == (
        VersionStatus.RETIRED, VersionStatus.PUBLISHED, VersionStatus.DRAFT,
    )
    assert ScorecardVersion.objects.get(pk=first.pk).publisher == checker_a
    assert ScorecardVersion.objects.get(pk=second.pk).publisher is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_losing_publisher_sees_the_message_on_the_page(two_drafts):
    _published, first, second = two_drafts
    checker_a = user_with(Role.RISK_MANAGER, username="checker-a")
    checker_b = user_with(Role.RISK_MANAGER, username="checker-b")
    client = Client()
    client.force_login(checker_b)

    response = _race(
        first.pk, checker_a, lambda: client.post(reverse("screening:scorecard_publish", args=[second.pk]), follow=True)
    )

    assert getattr(response, "status_code", response) == 200
    assert [str(m) for m in response.context["messages"]] == [LOSER_MESSAGE.format(number=first.number)]
    assert ScorecardVersion.objects.get(pk=second.pk).status == VersionStatus.DRAFT
