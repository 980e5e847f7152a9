"""The Celery application and its beat schedule.

Tasks live in each app's tasks.py. The schedule is static and only sends ticks: the work
each tick does is found in the database (``monitoring.runs``), so a restarted beat, a lost
message or a duplicated tick changes nothing. Run exactly one beat (docker-compose has one
``beat`` service, ``make run`` one ``beat`` process next to its worker). Each tick also
reconciles (``monitoring.reconcile``): work whose message was lost while the broker was down
is found in the database and queued again.
"""

import os

from celery import Celery
from celery.schedules import crontab

from config import env

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vetted")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often the re-evaluation tick runs (seconds); tests shorten it.
TICK_SECONDS = env.get_int("MONITORING_TICK_SECONDS", 300, minimum=1)

app.conf.beat_schedule = {
    # Start a run for the customers due today, and keep unfinished runs going.
    "monitoring-tick": {
        "task": "monitoring.tick",
        "schedule": TICK_SECONDS,
        # A tick queued while no worker listened is stale by the next one: drop it.
        "options": {"expires": TICK_SECONDS},
    },
    # Overdue reviews and committee conditions; dashboard figures; pruning.
    "monitoring-overdue": {
        "task": "monitoring.check_overdue",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # Webhook retries that are due (and sends a dead worker left), every minute.
    "api-webhooks-tick": {
        "task": "api.webhooks_tick",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # Days past due grow with the calendar: recompute the customers' outcomes every night.
    "outcomes-recompute": {
        "task": "outcomes.recompute",
        "schedule": crontab(minute=20, hour=2),
        "options": {"expires": 6 * 3600},
    },
    # The weekly work report of each department, Monday morning.
    "monitoring-work-reports": {
        "task": "monitoring.send_work_reports",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Watchlist sources with a refresh path or URL whose interval has passed (watchlists).
    "watchlists-refresh": {
        "task": "watchlists.refresh_due_sources",
        "schedule": crontab(minute=23),
        "options": {"expires": 3000},
    },
}


def enqueue_on_commit(task, **kwargs) -> None:
    """Queue ``task`` once the current transaction commits, never failing the request.

    The state change the user asked for has already committed when this runs; a broker that
    is down must not turn it into an error page. What the task would do stays findable in
    the database (the guards wait for screening and evaluation, ticks find due customers), so
    the failure is logged and the next tick's reconciliation (``monitoring.reconcile``) queues
    the work again once the broker is back.
    """
    import logging

    def send() -> None:
        try:
            task.delay(**kwargs)
        except Exception:
            logging.getLogger("vetted.tasks").exception("Could not queue %s %s", task.name, kwargs)

    from django.db import transaction

    transaction.on_commit(send)
