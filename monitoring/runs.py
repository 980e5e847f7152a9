"""The jobs over many customers: re-evaluation and re-screening, in chunks; the tick; the hourly check.

How a run works (see docs/performance.md, "Monitoring"):

1. ``plan_run`` finds the customers (one set-based query), cuts their ids into ranges of
   ``chunk_size`` and records the run and its chunks. A partial unique constraint allows one
   running run per job and scope, so two ticks at once join one run.
2. ``work`` claims a pending chunk with ``SELECT … FOR UPDATE SKIP LOCKED`` and does it in
   one transaction: read the customers of the range (one query), evaluate each with the
   scorecard's one function, write the snapshots, run items, profiles and alerts in bulk,
   mark the chunk done. Any number of workers share a run; a worker killed half-way rolls
   its chunk back and the chunk is claimed again, whole, by the next worker.
3. The last worker to find no pending chunk finishes the run (under a row lock: once).

Exactly once per run is a primary key: ``RunItem(run, customer)``. One open alert per
customer and indicator is a partial unique constraint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from monitoring import conf
from monitoring.chunks import ChunkOutcome, reevaluate_chunk, rescreen_chunk
from monitoring.enums import MONITORED_STATUSES, REVIEWABLE_STATUSES, ChunkStatus, JobKind, RunStatus, Scope, Trigger
from monitoring.indicators import condition_firing, review_firing
from monitoring.models import (
    Heartbeat,
    JobRun,
    RunChunk,
    RunItem,
)
from monitoring.services import alerts_raise, indicator_rules
from onboarding.models import Customer, CustomerCondition
from screening.selectors import published_compiled

logger = logging.getLogger(__name__)

CHUNKED_KINDS = (JobKind.REEVALUATION, JobKind.RESCREEN)
CHUNK_ATTEMPTS = 3
ERROR_LOG_LIMIT = 50
RESCREEN_CHUNK_SIZE = 200  # screening a customer runs several fuzzy searches


@dataclass
class WorkResult:
    chunks: int = 0
    evaluated: int = 0
    alerts: int = 0
    errors: int = 0
    finished: bool = False
    more: bool = False  # stopped by its time budget with chunks left: queue a successor


# --- Planning ----------------------------------------------------------------------------------


def _candidates(kind: str, scope: str, customer_id: int | None, cutoff: date) -> tuple[str, list]:
    """SQL selecting the ids of the customers a run covers, with its parameters."""
    placeholders = ", ".join(["%s"] * len(MONITORED_STATUSES))
    # Only placeholders are formatted into the SQL; every value is a parameter.
    sql = (
        "SELECT c.id FROM onboarding_customer c "  # noqa: S608
        "LEFT JOIN monitoring_customercreditprofile p ON p.customer_id = c.id "
        f"WHERE c.status IN ({placeholders})"
    )
    params: list = [str(s) for s in MONITORED_STATUSES]
    if scope == Scope.CUSTOMER:
        sql += " AND c.id = %s"
        params.append(customer_id)
    elif scope == Scope.DUE:
        sql += " AND (p.customer_id IS NULL OR p.due_on IS NULL OR p.due_on <= %s)"
        params.append(cutoff)
    return sql, params


def _plan_chunks(sql: str, params: list, size: int) -> list[tuple[int, int, int]]:
    """(first id, last id, count) per ``size`` candidates, in id order: one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(id), MAX(id), COUNT(*) FROM ("  # noqa: S608 - sql is _candidates' fixed text
            f"SELECT t.id, (ROW_NUMBER() OVER (ORDER BY t.id) - 1) / %s AS bucket FROM ({sql}) t"
            ") numbered GROUP BY bucket ORDER BY bucket",
            [size, *params],
        )
        return [(int(a), int(b), int(n)) for a, b, n in cursor.fetchall()]


def plan_run(
    *,
    kind: str = JobKind.REEVALUATION,
    scope: str = Scope.DUE,
    customer_id: int | None = None,
    trigger: str = Trigger.SCHEDULE,
    actor=None,
    chunk_size: int | None = None,
    today: date | None = None,
) -> JobRun | None:
    """Start a run of ``kind`` over the customers of ``scope``, or join the one already running.

    Returns None when no customer is concerned (nothing due: no run is recorded). Side
    effects: a ``JobRun`` and its ``RunChunk`` rows, in one transaction.
    """
    if kind not in CHUNKED_KINDS:
        raise ValueError(f"{kind} is not a chunked job")
    if scope == Scope.CUSTOMER and customer_id is None:
        raise ValueError("scope=customer needs customer_id")
    today = today or timezone.localdate()
    if scope != Scope.CUSTOMER:
        running = JobRun.objects.filter(kind=kind, scope=scope, status=RunStatus.RUNNING).first()
        if running is not None:
            return running
    size = chunk_size or (RESCREEN_CHUNK_SIZE if kind == JobKind.RESCREEN else conf.chunk_size())
    sql, params = _candidates(kind, scope, customer_id, today)
    chunks = _plan_chunks(sql, params, size)
    if not chunks:
        return None
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=kind, scope=scope, trigger=trigger, customer_id=customer_id, started_by=actor,
                cutoff=today, chunk_size=size, chunks=len(chunks), customers=sum(n for _a, _b, n in chunks),
            )
            RunChunk.objects.bulk_create(
                RunChunk(run=run, number=number, first_id=first, last_id=last, customers=n)
                for number, (first, last, n) in enumerate(chunks, start=1)
            )
    except IntegrityError:
        # Another tick started the same run a moment ago: join it.
        return JobRun.objects.filter(kind=kind, scope=scope, status=RunStatus.RUNNING).first()
    return run


# --- Working -----------------------------------------------------------------------------------


def work(
    *, run_id: int, budget: float | None = None, progress: Callable[[ChunkOutcome], None] | None = None
) -> WorkResult:
    """Do pending chunks of the run until none is left or ``budget`` seconds have passed.

    Any number of processes may call this for the same run at once. Finishes the run when
    no chunk is pending. ``more`` is true when the budget ran out with chunks left.
    """
    deadline = time.monotonic() + (conf.task_budget() if budget is None else budget)
    result = WorkResult()
    out_of_time = False
    while True:
        outcome = _process_next_chunk(run_id)
        if outcome is None:
            break
        result.chunks += 1
        result.evaluated += outcome.evaluated
        result.alerts += outcome.alerts
        result.errors += outcome.errors
        if progress is not None:
            progress(outcome)
        if time.monotonic() >= deadline:
            out_of_time = True
            break
    result.finished = finish_if_done(run_id)
    result.more = out_of_time and not result.finished
    return result


def _process_next_chunk(run_id: int) -> ChunkOutcome | None:
    claimed: RunChunk | None = None
    try:
        with transaction.atomic():
            claimed = (
                RunChunk.objects.select_for_update(skip_locked=True)
                .filter(run_id=run_id, status=ChunkStatus.PENDING).order_by("number").first()
            )
            if claimed is None:
                return None
            run = JobRun.objects.get(pk=run_id)
            if run.status != RunStatus.RUNNING:
                return None
            engine = reevaluate_chunk if run.kind == JobKind.REEVALUATION else rescreen_chunk
            outcome = engine(run, claimed)
            RunChunk.objects.filter(pk=claimed.pk).update(
                status=ChunkStatus.DONE, evaluated=outcome.evaluated, reused=outcome.reused, alerts_raised=outcome.alerts,
                errors=outcome.errors, attempts=F("attempts") + 1, finished_at=timezone.now(),
            )
            if outcome.messages:
                _log_errors(run_id, outcome.messages)
        return outcome
    except Exception as error:
        if claimed is None:
            raise
        logger.exception("Chunk %s of run %s failed", claimed.number, run_id)
        _chunk_failed(claimed, error)
        return ChunkOutcome(errors=1)


def _chunk_failed(chunk: RunChunk, error: Exception) -> None:
    """Count a failed attempt; after ``CHUNK_ATTEMPTS`` the chunk is given up (its customers stay due)."""
    with transaction.atomic():
        locked = RunChunk.objects.select_for_update().filter(pk=chunk.pk, status=ChunkStatus.PENDING).first()
        if locked is None:
            return
        locked.attempts += 1
        if locked.attempts >= CHUNK_ATTEMPTS:
            locked.status = ChunkStatus.FAILED
            locked.errors = locked.customers
            locked.finished_at = timezone.now()
        locked.save(update_fields=["attempts", "status", "errors", "finished_at"])
        _log_errors(chunk.run_id, [f"chunk {chunk.number} (customers {chunk.first_id}–{chunk.last_id}): {error}"])


def _log_errors(run_id: int, messages: list[str]) -> None:
    run = JobRun.objects.select_for_update().get(pk=run_id)
    room = ERROR_LOG_LIMIT - len(run.error_log)
    if room > 0:
        run.error_log = [*run.error_log, *(m[:500] for m in messages[:room])]
        run.save(update_fields=["error_log"])


def finish_if_done(run_id: int) -> bool:
    """Finish the run if no chunk is pending (exactly once, under the run's row lock).

    Returns whether the run is over. Side effects after a run ends: the dashboard's figures
    are refreshed, and risk managers are told how many alerts it raised.
    """
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return True
        if RunChunk.objects.filter(run_id=run_id, status=ChunkStatus.PENDING).exists():
            return False
        sums = RunChunk.objects.filter(run_id=run_id).aggregate(
            evaluated=Sum("evaluated"), reused=Sum("reused"), alerts=Sum("alerts_raised"), errors=Sum("errors"),
            failed=Count("pk", filter=Q(status=ChunkStatus.FAILED)),
        )
        run.evaluated = sums["evaluated"] or 0
        run.reused = sums["reused"] or 0
        run.alerts_raised = sums["alerts"] or 0
        run.errors = sums["errors"] or 0
        run.status = RunStatus.FAILED if run.chunks and sums["failed"] == run.chunks else RunStatus.FINISHED
        run.finished_at = timezone.now()
        run.save(update_fields=["evaluated", "reused", "alerts_raised", "errors", "status", "finished_at"])
    _after_run(run)
    return True


def _after_run(run: JobRun) -> None:
    from monitoring.selectors import statistics_refresh

    try:
        statistics_refresh()
    except Exception:
        logger.exception("Refreshing the dashboard figures after run %s failed", run.pk)
    if run.alerts_raised:
        _tell_risk_managers(run)


def _tell_risk_managers(run: JobRun) -> None:
    from django.urls import reverse

    from accounts.messages import choice, message
    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import notify

    verb = message("monitoring.run_alerts", job=choice("monitoring.job_kind", run.kind), id=run.pk,
                   count=run.alerts_raised)
    try:
        with transaction.atomic():
            notify(
                recipients=User.objects.filter(groups__name=Role.RISK_MANAGER, is_active=True),
                verb=verb, url=reverse("monitoring:alert_list") + "?status=open",
            )
    except Exception:
        # The e-mails are queued after commit; a broker that is down must not fail the run.
        logger.exception("Telling risk managers about run %s failed", run.pk)


# --- The tick and the hourly check ---------------------------------------------------------------


def heartbeat(name: str, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def tick() -> dict:
    """What beat sends every few minutes: start a run for the due customers, keep runs going.

    Records the heartbeat (the dashboard's proof that beat, broker and a worker work), plans a
    re-evaluation of the customers due today (or joins the running one), queues work for
    every unfinished chunked run, which also resumes runs whose workers died, and reconciles
    (``monitoring.reconcile``: queues again the work whose message a broker outage lost).
    Queued work that finds nothing to do ends at once, so queueing generously is safe.
    """
    heartbeat("tick")
    started = None
    if published_compiled() is not None:
        started = plan_run(kind=JobKind.REEVALUATION, scope=Scope.DUE, trigger=Trigger.SCHEDULE)
    dispatched = resume_unfinished()
    # Imported here: the reconciliation imports this module.
    from monitoring.reconcile import reconcile

    try:
        reconciliation = reconcile(trigger=Trigger.SCHEDULE, runs_resumed=len(dispatched))
    except Exception:
        # The tick's own work is done; the next tick reconciles again.
        logger.exception("The reconciliation failed")
        reconciliation = None
    return {
        "started": started.pk if started else None, "dispatched": dispatched,
        "reconciled": dict(reconciliation.counts) if reconciliation else None,
    }


def resume_unfinished() -> list[int]:
    """Finish the chunked runs with nothing left, queue work for the others; their ids.

    A worker killed half-way leaves its chunk pending (its transaction rolled back), and a
    lost work message leaves a run without workers: either way the work queued here claims
    what is left. Queued work that finds nothing to do ends at once.
    """
    dispatched = []
    for run_id in JobRun.objects.filter(status=RunStatus.RUNNING, kind__in=CHUNKED_KINDS).values_list("pk", flat=True):
        if not finish_if_done(run_id):
            dispatch(run_id)
            dispatched.append(run_id)
    return dispatched


def dispatch(run_id: int, workers: int | None = None) -> None:
    """Queue work tasks for a run. The broker may be down: the next tick tries again."""
    from monitoring.tasks import work as work_task

    for _n in range(workers or conf.workers()):
        try:
            work_task.delay(run_id=run_id)
        except Exception:
            logger.exception("Could not queue work for run %s; the next tick will.", run_id)
            return


def _simple_run(kind: str, trigger: str, **fields) -> JobRun | None:
    """Record the start of an unchunked job; None if one of the same kind is running."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(kind=kind, scope=Scope.ALL, trigger=trigger, chunks=0, **fields)
    except IntegrityError:
        return None


def _finish_simple(run: JobRun, *, evaluated: int, alerts: int, errors: int = 0, messages=()) -> JobRun:
    run.evaluated, run.alerts_raised, run.errors = evaluated, alerts, errors
    run.error_log = list(messages)[:ERROR_LOG_LIMIT]
    run.status = RunStatus.FINISHED if not errors else RunStatus.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["evaluated", "alerts_raised", "errors", "error_log", "status", "finished_at"])
    return run


OVERDUE_BATCH = 5000


def overdue_check(*, trigger: str = Trigger.SCHEDULE, today: date | None = None) -> JobRun | None:
    """The hourly check: alerts for overdue customer reviews and overdue committee conditions.

    In batches of customer ids, each in its own transaction; also refreshes the dashboard's
    figures and prunes old run items. Returns None if another check is running.
    """
    from monitoring.selectors import statistics_refresh

    run = _simple_run(JobKind.OVERDUE_CHECK, trigger)
    if run is None:
        return None
    heartbeat("overdue_check")
    today = today or timezone.localdate()
    rules = indicator_rules()
    checked = opened = 0
    try:
        last_id = 0
        # Under review means the re-review is under way: not overdue any more.
        overdue = Customer.objects.filter(next_review_date__lt=today, status__in=REVIEWABLE_STATUSES)
        while True:
            batch = list(
                overdue.filter(pk__gt=last_id).order_by("pk").values_list("pk", "next_review_date")[:OVERDUE_BATCH]
            )
            if not batch:
                break
            last_id = batch[-1][0]
            checked += len(batch)
            firings = [
                found for customer_id, next_review in batch
                if (found := review_firing(rules, customer_id=customer_id, next_review_date=next_review, today=today))
            ]
            with transaction.atomic():
                opened += alerts_raise(firings, now=timezone.now(), run_id=run.pk)
        conditions = (
            CustomerCondition.objects.filter(
                fulfilled_at__isnull=True, due_date__lt=today, customer__status__in=MONITORED_STATUSES
            ).order_by("customer_id", "due_date", "pk").values_list("customer_id", "pk", "text", "due_date")
        )
        by_customer: dict[int, list] = {}
        for customer_id, pk, text, due_date in conditions.iterator(chunk_size=OVERDUE_BATCH):
            by_customer.setdefault(customer_id, []).append((pk, text, due_date))
        items = list(by_customer.items())
        for start in range(0, len(items), OVERDUE_BATCH):
            firings = [
                found for customer_id, late in items[start:start + OVERDUE_BATCH]
                if (found := condition_firing(rules, customer_id=customer_id, conditions=late, today=today))
            ]
            with transaction.atomic():
                opened += alerts_raise(firings, now=timezone.now(), run_id=run.pk)
        checked += len(items)
        run_items_prune()
    except Exception as error:
        logger.exception("The overdue check failed")
        return _finish_simple(run, evaluated=checked, alerts=opened, errors=1, messages=[str(error)])
    _finish_simple(run, evaluated=checked, alerts=opened)
    statistics_refresh()
    return run


RUN_ITEM_RETENTION_DAYS = 400


def run_items_prune(*, days: int = RUN_ITEM_RETENTION_DAYS) -> int:
    """Delete the run items of runs older than ``days`` (the snapshots themselves stay)."""
    cutoff = timezone.now() - timedelta(days=days)
    old = list(JobRun.objects.filter(started_at__lt=cutoff, kind=JobKind.REEVALUATION).values_list("pk", flat=True))
    if not old:
        return 0
    deleted, _by_model = RunItem.objects.filter(run_id__in=old).delete()
    return deleted
