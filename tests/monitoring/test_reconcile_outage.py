"""End to end with real processes: Redis stops, an application enters background check, Redis
comes back, and the running worker and beat screen and evaluate it through the reconciliation.

Same harness as ``test_reliability`` (a private ``redis-server`` on a free port, a worker and a
beat as subprocesses on the test database, one-second ticks); fails, not skips, without Redis.
"""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from config.celery import app as celery_app
from monitoring.models import Reconciliation
from onboarding import guards
from onboarding.enums import State
from onboarding.services import application_transition
from screening.models import Evaluation
from tests.factories import ApplicationFactory, accept_all_documents, advance
from tests.monitoring.test_reliability import (  # noqa: F401 - processes is a fixture
    _env,
    _free_port,
    _last_tick,
    _start_redis,
    _wait_for,
    processes,
)
from watchlists.models import ScreeningRun

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOT_SCREENED = "Watchlist screening has not finished yet; try again in a moment."


@pytest.fixture
def celery_at():
    """Point this process's Celery app at a broker (eager off), as the web process would be."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def use(url: str, eager: bool = False) -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.conf.broker_url = url
        celery_app.conf.task_always_eager = eager

    yield use
    use(*saved)


def test_screening_lost_while_redis_was_down_is_done_once_it_is_back(processes, celery_at, caplog, sales,  # noqa: F811
                                                                       reviewer):
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _start_redis(processes, port)
    env = _env(url, MONITORING_TICK_SECONDS="1", MONITORING_RECONCILE_GRACE_SECONDS="1")
    processes.worker(env)
    processes.celery("beat", env, "beat", "--loglevel=INFO", f"--schedule={processes.folder / 'beat-schedule'}")
    _wait_for(_last_tick, 120, f"the first tick\n{processes.logs()}")

    application = advance(ApplicationFactory(created_by=sales), State.DOCUMENT_REVIEW)
    accept_all_documents(application, reviewer)
    server.terminate()
    server.wait(timeout=10)
    celery_at(url)
    with caplog.at_level(logging.ERROR, logger="vetted.tasks"), transaction.atomic():
        application_transition(application_id=application.pk, transition="pass_documents", actor=reviewer)
    assert "Could not queue watchlists.screen_application" in caplog.text
    application.refresh_from_db()
    assert application.state == State.BACKGROUND_CHECK
    assert NOT_SCREENED in guards.blockers(application, "pass_background_check")

    _start_redis(processes, port)
    _wait_for(lambda: ScreeningRun.objects.filter(application=application).exists()
              and Evaluation.objects.filter(application=application).exists(), 180,
              f"the reconciliation to screen and evaluate the application\n{processes.logs()}")
    application.refresh_from_db()
    assert NOT_SCREENED not in guards.blockers(application, "pass_background_check")
    assert Reconciliation.objects.filter(queued__screening=[application.pk]).count() == 1
    # Ticks go on every second: the application is not queued again.
    previous = _last_tick()
    _wait_for(lambda: _last_tick() > previous, 60, "another tick")
    assert ScreeningRun.objects.filter(application=application).count() == 1
