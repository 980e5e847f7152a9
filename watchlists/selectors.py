"""Reads other apps rely on (screening's knock-out, the background-check guard)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from onboarding.enums import State
from onboarding.models import Application
from watchlists.enums import Disposition, ImportState
from watchlists.models import ImportJob, ListChange, ScreeningHit, ScreeningRun, WatchlistSource


def has_true_match(*, application_id: int | None = None, customer_id: int | None = None) -> bool:
    """Whether a hit has been confirmed as a true match for the application or the customer.

    For a customer, hits found when screening any of its applications count too.
    """
    if application_id is None and customer_id is None:
        raise ValueError("Give application_id or customer_id.")
    party = Q()
    if application_id is not None:
        party |= Q(application_id=application_id)
    if customer_id is not None:
        party |= Q(customer_id=customer_id) | Q(application__customer_id=customer_id)
    return ScreeningHit.objects.filter(party, disposition=Disposition.TRUE_MATCH).exists()


def undispositioned_hits(application_id: int) -> int:
    """How many hits of the application still wait for an investigator's disposition."""
    return ScreeningHit.objects.filter(application_id=application_id, disposition=Disposition.PENDING).count()


def screened_since(*, application_id: int, since: datetime) -> bool:
    """Whether a screening of the application finished at or after ``since``."""
    return ScreeningRun.objects.filter(application_id=application_id, finished_at__gte=since).exists()


def applications_awaiting_screening(*, entered_before: datetime) -> list[int]:
    """Ids of the applications in background check that the guard holds for want of a screening.

    The same condition as ``screened_since(since=state_entered_at)`` in the guard, for every
    application at once (the reconciliation re-queues these); only those that entered the
    stage at or before ``entered_before``, so that a screening queued a moment ago has time to run.
    """
    screened = ScreeningRun.objects.filter(application_id=OuterRef("pk"), finished_at__gte=OuterRef("state_entered_at"))
    return list(
        Application.objects.filter(state=State.BACKGROUND_CHECK, state_entered_at__lte=entered_before)
        .exclude(Exists(screened)).order_by("pk").values_list("pk", flat=True)
    )


def hits_for_application(application_id: int) -> QuerySet[ScreeningHit]:
    """The hits of an application for display, best first, with what the panel shows."""
    pending_first = Case(When(disposition=Disposition.PENDING, then=Value(0)), default=Value(1))
    return (
        ScreeningHit.objects.filter(application_id=application_id)
        .select_related("entry", "source", "dispositioned_by", "remembered_from__dispositioned_by",
                        "reopened_from__dispositioned_by")
        .order_by(pending_first, "-score", "pk")
    )


def latest_run(application_id: int) -> ScreeningRun | None:
    return ScreeningRun.objects.filter(application_id=application_id).order_by("-finished_at").first()


def sources_overview() -> QuerySet[WatchlistSource]:
    """The sources with their stored counts (never COUNT(*) over a million entries)."""
    return WatchlistSource.objects.select_related("imported_by").order_by("name")


def recent_changes(source_id: int, limit: int = 20) -> list[ListChange]:
    """The source's last imports and refresh attempts, newest first."""
    return list(ListChange.objects.filter(source_id=source_id).defer("entry_ids")[:limit])


@dataclass(frozen=True)
class ImportProgress:
    entries: int
    bytes_read: int
    percent: int  # 0–100
    step: int  # ``percent`` rounded down to a multiple of 5, for the bar's CSS class (no inline style: CSP)


def import_job_progress(job: ImportJob) -> ImportProgress:
    """How far an import job is: from its progress file while it runs, else from the row."""
    entries, bytes_read = job.entries, job.bytes_read
    if job.status == ImportState.RUNNING:
        try:
            written = json.loads(job.progress_path.read_text())
            entries, bytes_read = int(written["entries"]), int(written["bytes_read"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not written yet, or being replaced: the row's figures
    if job.status == ImportState.DONE:
        percent = 100
    else:
        percent = min(100, bytes_read * 100 // job.size) if job.size else 0
    return ImportProgress(entries=entries, bytes_read=bytes_read, percent=percent, step=percent // 5 * 5)
