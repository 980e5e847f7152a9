"""Is the job system working? The broker answers, beat ticks, and what the reconciliation queued again.

A tick that reached the database proves that beat sent it, the broker carried it and a
worker ran it. When ticks stop, the broker check says which part failed: "broker
unreachable" and "beat not ticking" are two different problems with two different fixes.
Both checks are cheap: a ping with a half-second timeout, remembered for a few seconds (so a
dead broker costs a page at most one timeout now and then), and one row read. Pages call this
and render either way: a broken job system never breaks a page.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from monitoring import conf
from monitoring.models import Heartbeat, Reconciliation
from monitoring.selectors import last_reconciliations

logger = logging.getLogger(__name__)
PING_TIMEOUT = 0.5
# How long a broker check is remembered: long enough that a dashboard reloaded in a loop does
# not ping each time, short enough that "back" shows within seconds. A failed check is
# remembered less long, so a broker that came back is seen at once.
BROKER_CHECK_SECONDS = 15
BROKER_DOWN_CHECK_SECONDS = 2
# A tick is late after two intervals, plus a minute for the tick itself and a busy worker.
TICK_SLACK = timedelta(seconds=60)


@dataclass
class Health:
    broker_ok: bool
    last_tick: datetime | None
    ticks_ok: bool
    problems: list[str] = field(default_factory=list)
    # "ok", "broker" (unreachable), "beat" (not ticking although the broker answers), "no_tick" (never ticked)
    problem: str = "ok"
    last_reconciliation: Reconciliation | None = None
    last_requeue: Reconciliation | None = None

    @property
    def ok(self) -> bool:
        return self.broker_ok and self.ticks_ok


def _check_broker(url: str, options: dict) -> tuple[bool, str]:
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=PING_TIMEOUT, socket_timeout=PING_TIMEOUT)
        try:
            return bool(client.ping()), "Redis"
        except (redis.RedisError, OSError):
            return False, "Redis"
        finally:
            client.close()
    if url.startswith("filesystem://"):
        folders = [path for key, path in options.items() if key.startswith("data_folder")]
        return all(os.path.isdir(path) and os.access(path, os.W_OK) for path in folders), "filesystem"
    return True, url.split(":", 1)[0] or "memory"


def broker_reachable() -> tuple[bool, str]:
    """(reachable, what was checked) for the configured Celery broker; remembered a few seconds."""
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    key = "monitoring:broker:" + hashlib.sha256(f"{url}|{sorted(options.items())}".encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is None:
        found = _check_broker(url, options)
        cache.set(key, found, BROKER_CHECK_SECONDS if found[0] else BROKER_DOWN_CHECK_SECONDS)
    reachable, name = found
    return reachable, (_("file-system broker") if name == "filesystem" else name)


def tick_allowance() -> timedelta:
    """How long after the last tick beat counts as not ticking: two tick intervals and a minute."""
    return 2 * timedelta(seconds=conf.tick_seconds()) + TICK_SLACK


def _every(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


def job_system_health(now: datetime | None = None) -> Health:
    now = now or timezone.now()
    broker_ok, broker_name = broker_reachable()
    last_tick = Heartbeat.objects.filter(name="tick").values_list("at", flat=True).first()
    ticks_ok = last_tick is not None and now - last_tick <= tick_allowance()
    problems = []
    problem = "ok"
    if not broker_ok:
        # No tick can arrive through a broker that is down: the broker is the problem to fix.
        problem = "broker"
        problems.append(
            _("Broker unreachable: the message broker (%(name)s) cannot be reached, so no background job can be "
              "queued. Work missed meanwhile is queued again by the reconciliation once it is back.")
            % {"name": broker_name}
        )
    elif last_tick is None:
        problem = "no_tick"
        problems.append(_("No scheduler tick has been recorded yet: is Celery beat running with a worker?"))
    elif not ticks_ok:
        problem = "beat"
        problems.append(
            _("Beat not ticking: the broker answers, but the last tick was at %(time)s and one is expected every "
              "%(every)s. Start Celery beat (or the worker with its embedded beat, -B).")
            % {"time": timezone.localtime(last_tick).strftime("%Y-%m-%d %H:%M"), "every": _every(conf.tick_seconds())}
        )
    last, last_requeue = last_reconciliations()
    return Health(
        broker_ok=broker_ok, last_tick=last_tick, ticks_ok=ticks_ok, problems=problems, problem=problem,
        last_reconciliation=last, last_requeue=last_requeue,
    )
