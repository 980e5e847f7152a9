"""Is the job system working? The broker answers, and ticks arrive.

A tick that reached the database proves that beat sent it, the broker carried it and a
worker ran it; the broker check says which part failed when ticks stop. Both are cheap:
a ping with a half-second timeout and one row read. Pages call this and render either
way: a broken job system never breaks a page.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import conf
from monitoring.models import Heartbeat

logger = logging.getLogger(__name__)
PING_TIMEOUT = 0.5


@dataclass
class Health:
    broker_ok: bool
    last_tick: datetime | None
    ticks_ok: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broker_ok and self.ticks_ok


def broker_reachable() -> tuple[bool, str]:
    """(reachable, what was checked) for the configured Celery broker."""
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
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
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        folders = [path for key, path in options.items() if key.startswith("data_folder")]
        return all(os.path.isdir(path) and os.access(path, os.W_OK) for path in folders), _("file-system broker")
    return True, url.split(":", 1)[0] or "memory"


def job_system_health(now: datetime | None = None) -> Health:
    now = now or timezone.now()
    broker_ok, broker_name = broker_reachable()
    last_tick = Heartbeat.objects.filter(name="tick").values_list("at", flat=True).first()
    # Three missed ticks (and at least five minutes) before calling it stalled.
    allowed = timedelta(seconds=max(3 * conf.tick_seconds(), 300))
    ticks_ok = last_tick is not None and now - last_tick <= allowed
    problems = []
    if not broker_ok:
        problems.append(_("The message broker (%(name)s) cannot be reached: background jobs are not being queued.")
                        % {"name": broker_name})
    if last_tick is None:
        problems.append(_("No scheduler tick has been recorded yet: is Celery beat running with a worker?"))
    elif not ticks_ok:
        problems.append(_("The last scheduler tick was at %(time)s: Celery beat or the workers have stopped.")
                        % {"time": timezone.localtime(last_tick).strftime("%Y-%m-%d %H:%M")})
    return Health(broker_ok=broker_ok, last_tick=last_tick, ticks_ok=ticks_ok, problems=problems)
