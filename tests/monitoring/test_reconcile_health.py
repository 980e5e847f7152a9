"""The job-health panel: "broker unreachable" and "beat not ticking" are two messages; the last reconciliation."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from monitoring.enums import Trigger
from monitoring.models import Heartbeat, Reconciliation
from tests.factories import user_with
from tests.monitoring.test_reconcile import dead_redis_url

pytestmark = pytest.mark.django_db

BROKER_DOWN = (
    "Broker unreachable: the message broker (Redis) cannot be reached, so no background job can be queued. "
    "Work missed meanwhile is queued again by the reconciliation once it is back."
)


def beat_message(at: datetime.datetime, every: str = "5 minutes") -> str:
    return (
        f"Beat not ticking: the broker answers, but the last tick was at "
        f"{timezone.localtime(at).strftime('%Y-%m-%d %H:%M')} and one is expected every {every}. "
        "Start Celery beat (or the worker with its embedded beat, -B)."
    )


@pytest.fixture(autouse=True)
def _forget_broker_checks():
    cache.clear()
    yield
    cache.clear()


def tick_at(at: datetime.datetime) -> None:
    Heartbeat.objects.update_or_create(name="tick", defaults={"at": at})


def dashboard(client, people) -> str:
    client.force_login(people["rosa"])
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_beat_not_ticking_while_the_broker_answers(client, people, settings):
    settings.CELERY_BROKER_URL = "memory://"
    last = timezone.now() - datetime.timedelta(minutes=11)  # two 5-minute intervals and a minute
    tick_at(last)
    html = dashboard(client, people)
    assert 'data-problem="beat"' in html
    assert beat_message(last) in html
    assert "Broker unreachable" not in html
    assert client.get(reverse("monitoring:health")).status_code == 503


def test_a_tick_within_two_intervals_is_not_late(client, people, settings):
    settings.CELERY_BROKER_URL = "memory://"
    tick_at(timezone.now() - datetime.timedelta(minutes=10))
    html = dashboard(client, people)
    assert 'data-state="ok"' in html
    assert "Beat not ticking" not in html


def test_broker_unreachable_is_said_instead_of_beat(client, people, settings):
    settings.CELERY_BROKER_URL = dead_redis_url()
    tick_at(timezone.now() - datetime.timedelta(hours=1))  # no tick can arrive through a dead broker
    html = dashboard(client, people)
    assert 'data-problem="broker"' in html
    assert BROKER_DOWN in html
    assert "Beat not ticking" not in html


def test_broker_unreachable_with_recent_ticks(client, people, settings):
    settings.CELERY_BROKER_URL = dead_redis_url()
    tick_at(timezone.now())
    html = dashboard(client, people)
    assert BROKER_DOWN in html
    assert 'data-state="degraded"' in html


def test_the_broker_check_is_remembered_and_never_hangs_the_page(client, people, settings):
    settings.CELERY_BROKER_URL = dead_redis_url()
    tick_at(timezone.now())
    began = time.monotonic()
    for _ in range(5):
        assert BROKER_DOWN in dashboard(client, people)
    # Generous: one check times out after half a second; five page views would be far above.
    assert time.monotonic() - began < 5


def test_beat_not_ticking_in_chinese(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    last = timezone.now() - datetime.timedelta(hours=2)
    tick_at(last)
    client.force_login(user_with(Role.RISK_MANAGER, username="wumin", language="zh-hans"))
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    stamp = timezone.localtime(last).strftime("%Y-%m-%d %H:%M")
    assert f"定时调度未运行：消息代理可连接，但最近一次心跳在 {stamp}，应每 5 分钟 一次。" in html
    assert "最近补偿核对" in html


def test_panel_shows_the_last_reconciliation_and_what_it_queued_again(client, people, settings):
    settings.CELERY_BROKER_URL = "memory://"
    tick_at(timezone.now())
    now = timezone.now()
    Reconciliation.objects.create(started_at=now - datetime.timedelta(minutes=10), trigger=Trigger.SCHEDULE,
                                  counts={"screening": 2, "email": 3}, queued={"screening": [1, 2]})
    Reconciliation.objects.create(started_at=now, trigger=Trigger.SCHEDULE, counts={})
    html = dashboard(client, people)
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S")
    earlier = timezone.localtime(now - datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    assert (f"Last reconciliation: {stamp} — nothing lost; last queued again at {earlier}: "
            "Watchlist screenings 2, Notification e-mails 3</span>") in html


def test_panel_shows_what_the_last_pass_could_not_queue(client, people, settings):
    settings.CELERY_BROKER_URL = "memory://"
    tick_at(timezone.now())
    record = Reconciliation.objects.create(counts={"profile": 1}, not_queued=4)
    html = dashboard(client, people)
    stamp = timezone.localtime(record.started_at).strftime("%Y-%m-%d %H:%M:%S")
    assert (f"Last reconciliation: {stamp} — queued again: Credit profiles of admitted customers 1; "
            "4 could not be queued</span>") in html


def test_panel_before_any_reconciliation(client, people, settings):
    settings.CELERY_BROKER_URL = "memory://"
    html = dashboard(client, people)
    assert 'data-last="">Last reconciliation: —</span>' in html
