"""The reconciliation: work that should have happened and did not, found in the database and queued again.

Every side effect of a state change is queued after commit (``config.celery.enqueue_on_commit``).
When the broker is down at that moment the message is lost and the change stands, so what the
message would have done must be findable afterwards. Each tick (and ``manage.py reconcile``)
looks for it:

==========  ==========================================================  ===================================
kind        found as (the lower app's selector)                         done again by
==========  ==========================================================  ===================================
screening   in background check, no screening finished since entering   ``watchlists.screen_application``
            (``watchlists.selectors``: what the guard waits for)
evaluation  in background check, no current evaluation                  ``screening.evaluate_application``
            (``screening.selectors``: what the guard waits for)
profile     approved in the last 30 days, the customer's admission      ``monitoring.sync_profile``
            inputs not taken since (no profile, or a re-review's lost)
email       a notification of the last day, to be e-mailed, not sent    ``accounts.send_notification_emails``
            (``accounts.selectors``: what a send would send)
run         an hourly check or weekly report "running" for 2 hours:     marked failed (the week's report
            its worker died, and it blocks the next one                 is queued again)
==========  ==========================================================  ===================================

Unfinished chunked runs are resumed by ``runs.resume_unfinished`` (the tick calls it before
reconciling; the command calls it too), not here a second time.

Every task queued again is safe to run twice (a screening stores no hit twice, an evaluation
is skipped when current, a profile sync rewrites the same baseline, an e-mail is claimed
before it is sent). Still, nothing is queued twice on purpose: work younger than the grace
period (``MONITORING_RECONCILE_GRACE_SECONDS``, 2 minutes) is left to its own message, and
an item a pass queued in the last 10 minutes is left alone by the next passes. Each pass is
recorded as a ``Reconciliation`` (the job-health panel shows the last one).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.selectors import notifications_awaiting_email
from monitoring import conf, runs
from monitoring.enums import MONITORED_STATUSES, JobKind, LostWork, RunStatus, Trigger
from monitoring.models import AdmissionInputs, Heartbeat, JobRun, Reconciliation
from monitoring.reports import report_week
from onboarding.enums import State
from onboarding.models import Application
from screening.selectors import applications_awaiting_evaluation, published_compiled
from watchlists.selectors import applications_awaiting_screening

logger = logging.getLogger(__name__)

REQUEUE_AFTER = timedelta(minutes=10)  # an item queued again is left alone this long
PROFILE_LOOKBACK = timedelta(days=30)
# Older notifications stay in the app only: someone who turns e-mail on today does not get
# a month of old messages, and after a day an e-mail saying "act now" is news to nobody.
EMAIL_LOOKBACK = timedelta(days=1)
EMAIL_BATCH = 200
# Jobs run by one Celery task each: after this long "running", the task (hard limit 20 minutes)
# or the command that ran it is gone. Credit imports are left alone: an operator runs them.
ABANDONED_AFTER = timedelta(hours=2)
ABANDONABLE = (JobKind.OVERDUE_CHECK, JobKind.WORK_REPORTS)
IDS_KEPT = 1000  # ids recorded per kind and pass
RETENTION = timedelta(days=14)


def approvals_awaiting_profile(*, approved_after: datetime, approved_before: datetime) -> list[int]:
    """Ids of approved applications whose customer's baseline was not taken since the approval.

    ``profile_sync`` writes the admission inputs (``taken_at``) after the approval; when its
    message was lost they are missing (a new customer) or older than the approval (a
    re-review). Only the customer's latest approval counts: an older one must not overwrite it.
    """
    synced = AdmissionInputs.objects.filter(customer_id=OuterRef("customer_id"), taken_at__gte=OuterRef("state_entered_at"))
    later = Application.objects.filter(
        customer_id=OuterRef("customer_id"), state=State.APPROVED, state_entered_at__gt=OuterRef("state_entered_at")
    )
    return list(
        Application.objects.filter(
            state=State.APPROVED, state_entered_at__gt=approved_after, state_entered_at__lte=approved_before,
            customer__status__in=MONITORED_STATUSES,
        )
        .exclude(Exists(synced)).exclude(Exists(later)).order_by("pk").values_list("pk", flat=True)
    )


def abandoned_runs(*, started_before: datetime) -> list[int]:
    """Ids of single-task job runs still "running" that started before ``started_before``."""
    return list(
        JobRun.objects.filter(kind__in=ABANDONABLE, status=RunStatus.RUNNING, started_at__lt=started_before)
        .order_by("pk").values_list("pk", flat=True)
    )


def _recently_queued(since: datetime) -> dict[str, set[int]]:
    recent: dict[str, set[int]] = defaultdict(set)
    for queued in Reconciliation.objects.filter(started_at__gte=since).values_list("queued", flat=True):
        for kind, ids in (queued or {}).items():
            recent[kind].update(ids)
    return recent


def lost_work(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Per kind (``LostWork``), the ids of what a pass would do again now. Reads only."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.reconcile_grace_seconds())
    found = {
        LostWork.SCREENING: applications_awaiting_screening(entered_before=cutoff),
        # Without a published scorecard the task has nothing to evaluate with.
        LostWork.EVALUATION: (
            applications_awaiting_evaluation(entered_before=cutoff) if published_compiled() is not None else []
        ),
        LostWork.PROFILE: approvals_awaiting_profile(approved_after=now - PROFILE_LOOKBACK, approved_before=cutoff),
        LostWork.EMAIL: notifications_awaiting_email(created_after=now - EMAIL_LOOKBACK, created_before=cutoff),
        LostWork.RUN: abandoned_runs(started_before=now - ABANDONED_AFTER),
    }
    recent = _recently_queued(now - REQUEUE_AFTER)
    return {str(kind): [pk for pk in ids if pk not in recent.get(str(kind), ())] for kind, ids in found.items()}


def _abandon_run(run_id: int, now: datetime) -> JobRun | None:
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id, status=RunStatus.RUNNING).first()
        if run is None:
            return None
        run.status = RunStatus.FAILED
        run.finished_at = now
        run.errors += 1
        run.error_log = [*run.error_log, "Abandoned: still running after two hours (its worker stopped)."]
        run.save(update_fields=["status", "finished_at", "errors", "error_log"])
    return run


def _calls(kind: str, ids: list[int]):
    """(task, kwargs, ids covered) for each message that does the ``ids`` of ``kind`` again."""
    from accounts.tasks import send_notification_emails
    from monitoring.tasks import send_work_reports, sync_profile
    from screening.tasks import evaluate_application
    from watchlists.tasks import screen_application

    if kind == "work_reports":
        yield send_work_reports, {}, ids[:1]
        return
    if kind == LostWork.EMAIL:
        for start in range(0, len(ids), EMAIL_BATCH):
            batch = ids[start:start + EMAIL_BATCH]
            yield send_notification_emails, {"notification_ids": batch}, batch
        return
    task = {
        LostWork.SCREENING: screen_application, LostWork.EVALUATION: evaluate_application,
        LostWork.PROFILE: sync_profile,
    }[kind]
    for pk in ids:
        yield task, {"application_id": pk}, [pk]


def reconcile(
    *, trigger: str = Trigger.SCHEDULE, inline: bool = False, runs_resumed: int = 0, now: datetime | None = None,
) -> Reconciliation | None:
    """Find the lost work (``lost_work``) and queue it again, or with ``inline`` do it here.

    Returns the record of the pass, or None when another pass holds the lock. Side effects:
    the tasks queued (or run), abandoned runs marked failed, a ``Reconciliation`` row, the
    ``reconcile`` heartbeat; records older than two weeks are deleted. When the broker refuses
    a message the rest of the pass is counted as not queued: the next pass tries again.
    """
    now = now or timezone.now()
    Heartbeat.objects.get_or_create(name="reconcile", defaults={"at": now})
    with transaction.atomic():
        # One pass at a time (tick and command): the second would queue the same items.
        lock = Heartbeat.objects.select_for_update(skip_locked=True).filter(name="reconcile").first()
        if lock is None:
            return None
        found = lost_work(now=now)
        counts: dict[str, int] = {}
        queued: dict[str, list[int]] = {}
        not_queued = 0
        errors: list[str] = []
        broker_down = False
        for run_id in found.pop(LostWork.RUN):
            run = _abandon_run(run_id, now)
            if run is None:
                continue
            counts[LostWork.RUN] = counts.get(LostWork.RUN, 0) + 1
            if run.kind == JobKind.WORK_REPORTS and run.note == report_week().isoformat():
                # The reports that went out are recorded per person: only the others are sent.
                found.setdefault("work_reports", []).append(run.pk)
        for kind, ids in found.items():
            for task, kwargs, covered in _calls(kind, ids):
                if broker_down:
                    not_queued += len(covered)
                    continue
                try:
                    with transaction.atomic():  # a task run here (inline, eager) that fails rolls back alone
                        _send(task, kwargs, inline=inline)
                except OperationalError as error:
                    broker_down = True
                    not_queued += len(covered)
                    errors.append(f"{task.name}: {error}"[:500])
                    logger.warning("Broker unreachable: the reconciliation stops queueing (%s).", error)
                    continue
                except Exception as error:
                    logger.exception("Reconciling %s %s failed", task.name, kwargs)
                    not_queued += len(covered)
                    errors.append(f"{task.name} {kwargs}: {error}"[:500])
                    continue
                if kind in LostWork.values:  # the week's reports are counted as their abandoned run
                    counts[kind] = counts.get(kind, 0) + len(covered)
                    queued.setdefault(kind, []).extend(covered)
        record = Reconciliation.objects.create(
            started_at=now, finished_at=timezone.now(), trigger=trigger, counts=counts,
            queued={kind: ids[:IDS_KEPT] for kind, ids in queued.items()}, not_queued=not_queued,
            runs_resumed=runs_resumed, error_log=errors[:runs.ERROR_LOG_LIMIT],
        )
        Heartbeat.objects.filter(name="reconcile").update(at=now)
        Reconciliation.objects.filter(started_at__lt=now - RETENTION).delete()
    if counts or not_queued:
        logger.info("Reconciliation %s: queued again %s, not queued %s", record.pk, counts, not_queued)
    return record


def _send(task, kwargs: dict, *, inline: bool) -> None:
    if inline:
        task.apply(kwargs=kwargs, throw=True)
    else:
        task.delay(**kwargs)
