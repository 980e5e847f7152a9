"""Reliability with real processes: a Celery worker killed mid-run, and Redis going away.

These start ``celery -A config worker --pool=solo`` (and beat) as subprocesses on the test
database, with the Redis of ``REDIS_URL`` (default 127.0.0.1:6379) on database 15, which
nobody else uses (``MONITORING_TEST_REDIS_URL`` overrides it). They fail, not skip, when Redis is missing. The Redis outage uses a
private ``redis-server`` on a free port; the shared one is never stopped.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from monitoring import runs
from monitoring.enums import ChunkStatus, Indicator, RunStatus, Scope
from monitoring.models import Alert, Heartbeat, JobRun, RunChunk, RunItem
from tests.monitoring.factories import admitted_customer, set_credit

BASE_DIR = Path(settings.BASE_DIR)
def _test_redis_url() -> str:
    """The Redis of REDIS_URL (CI's), on database 15: these tests empty it, so not the app's own."""
    explicit = os.environ.get("MONITORING_TEST_REDIS_URL")
    if explicit:
        return explicit
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, "/15", "", ""))


REDIS_URL = _test_redis_url()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _wait_for(predicate, timeout: float, what: str, poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.")


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _env(redis_url: str, **extra) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": _database_url(), "REDIS_URL": redis_url,
        "DEBUG": "1", "LANGUAGE_CODE": "en", "CELERY_TASK_ALWAYS_EAGER": "0", "DB_CONN_MAX_AGE": "0",
        "EMAIL_URL": "consolemail://",
    })
    env.update(extra)
    return env


class Processes:
    """Subprocesses started by a test, each with its output in a log file; stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.folder / f"{name}-{len(self.started)}.log"
        process = subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.started.append((process, log))
        return process

    def celery(self, name: str, env: dict[str, str], *args: str) -> subprocess.Popen:
        return self.start(name, [sys.executable, "-m", "celery", "-A", "config", *args], env)

    def worker(self, env: dict[str, str]) -> subprocess.Popen:
        return self.celery("worker", env, "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip",
                           "--without-mingle", "--without-heartbeat", "-n", f"test-{uuid.uuid4().hex[:8]}@%h")

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for _p, log in self.started)

    def stop_all(self) -> None:
        for process, _log in self.started:
            if process.poll() is None:
                process.terminate()
        for process, _log in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path):
    found = Processes(tmp_path)
    yield found
    found.stop_all()
    print(found.logs())  # shown by pytest when the test failed


@pytest.fixture
def shared_redis():
    """The CI Redis, on a database of our own, emptied before and after. Missing Redis fails."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need Redis at {REDIS_URL} (set REDIS_URL): {error}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _send(redis_url: str, task: str, **kwargs) -> None:
    app = Celery("probe", broker=redis_url)
    try:
        app.send_task(task, kwargs=kwargs)
    finally:
        app.close()


def test_worker_killed_mid_run_the_next_worker_completes_it_exactly_once(shared_redis, processes):
    customers = [admitted_customer() for _ in range(150)]
    changed = customers[::3]
    for customer in changed:
        set_credit(customer, litigation_count=2)  # one new-litigation alert each
    run = runs.plan_run(scope=Scope.DUE, chunk_size=3)
    assert run.customers == 150 and run.chunks == 50
    env = _env(shared_redis)

    first = processes.worker(env)
    _send(shared_redis, "monitoring.work", run_id=run.pk)
    done = lambda: RunChunk.objects.filter(run=run, status=ChunkStatus.DONE).count()  # noqa: E731
    _wait_for(lambda: done() >= 5, 120, "the first worker to do some chunks")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    halfway = done()
    assert 5 <= halfway < 50, processes.logs()
    assert JobRun.objects.get(pk=run.pk).status == RunStatus.RUNNING

    processes.worker(env)
    _send(shared_redis, "monitoring.tick")  # what beat sends every few minutes
    _wait_for(lambda: JobRun.objects.get(pk=run.pk).status != RunStatus.RUNNING, 180,
              f"the run to finish\n{processes.logs()}")

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert run.evaluated == 150
    items = RunItem.objects.filter(run=run)
    assert items.count() == 150
    assert set(items.values_list("customer_id", flat=True)) == {c.pk for c in customers}
    assert not items.values("customer_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    alerts = Alert.objects.filter(indicator=Indicator.NEW_LITIGATION)
    assert alerts.count() == len(changed)
    assert set(alerts.values_list("customer_id", flat=True)) == {c.pk for c in changed}
    assert run.alerts_raised == len(changed)
    assert JobRun.objects.filter(kind="reevaluation").count() == 1  # the tick joined the run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(processes: Processes, port: int) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("These tests need redis-server on the PATH.")
    process = processes.start("redis", [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no"], os.environ.copy())
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    _wait_for(lambda: _pings(client), 20, "the private redis-server")
    return process


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def _last_tick():
    return Heartbeat.objects.filter(name="tick").values_list("at", flat=True).first()


def test_redis_down_pages_load_degraded_and_ticks_resume_when_it_is_back(processes, people, client, settings,
                                                                          tmp_path):
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _start_redis(processes, port)
    env = _env(url, MONITORING_TICK_SECONDS="1")
    processes.worker(env)
    processes.celery("beat", env, "beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}")
    _wait_for(_last_tick, 120, "the first tick")

    server.terminate()
    server.wait(timeout=10)
    stopped_at = _last_tick()
    settings.CELERY_BROKER_URL = url  # what the pages check
    client.force_login(people["rosa"])
    for name in ("monitoring:dashboard", "monitoring:alert_list"):
        began = time.monotonic()
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert time.monotonic() - began < 5
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    assert 'data-state="degraded"' in html
    assert "Job system: degraded" in html
    assert client.get(reverse("monitoring:health")).status_code == 503
    time.sleep(3)
    assert _last_tick() - stopped_at <= datetime.timedelta(seconds=2)  # at most a tick in flight

    restarted = time.monotonic()
    _start_redis(processes, port)
    resumed_before = _last_tick()
    _wait_for(lambda: _last_tick() > resumed_before, 120, f"ticks to resume\n{processes.logs()}")
    assert time.monotonic() - restarted < 120
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    assert 'data-state="ok"' in html
    assert client.get(reverse("monitoring:health")).status_code == 200
