"""The admission funnel: how many applications enter each stage, how many move on, how long they stay.

Read from onboarding's history (``StateChange``: one row per state change) and approvals'
votes. A stay in a stage runs from the change that entered it to the next change of the same
application; a stay still open at the end is measured up to now only for the deadline count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Aggregate, Count, FloatField, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from analysis import permissions as perms
from analysis.models import FunnelMark, FunnelStay
from approvals.enums import Decision, Department
from approvals.models import Vote
from onboarding.enums import State
from onboarding.models import Application, StateChange
from screening.models import Evaluation

STAGES = (State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW, State.RETURNED)
NEXT = {
    State.DOCUMENT_REVIEW: State.BACKGROUND_CHECK,
    State.BACKGROUND_CHECK: State.COMMITTEE_REVIEW,
    State.COMMITTEE_REVIEW: State.APPROVED,
    State.RETURNED: State.DOCUMENT_REVIEW,
}
DECISIONS = (Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS, Decision.REJECT, Decision.REQUEST_INFORMATION)
DAY = 86400.0


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class StageRow:
    stage: str
    label: str
    entered: int = 0
    moved_on: int = 0
    returned: int = 0
    rejected: int = 0
    withdrawn: int = 0
    still_there: int = 0
    deadline_days: int | None = None
    missed: int = 0
    durations: list[float] | None = field(default_factory=list, repr=False)
    quantiles: tuple[float | None, float | None] = (None, None)  # (median, p90) when the database computed them

    def _quantile(self, q: float) -> float | None:
        found = quantile(self.durations, q) if self.durations is not None else self.quantiles[q != 0.5]
        return None if found is None else round(found, 1)

    @property
    def conversion(self) -> float | None:
        return round(100 * self.moved_on / self.entered, 1) if self.entered else None

    @property
    def median_days(self) -> float | None:
        return self._quantile(0.5)

    @property
    def p90_days(self) -> float | None:
        return self._quantile(0.9)


@dataclass
class DecisionRow:
    key: str
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rate(self, decision: str) -> float | None:
        return round(100 * self.counts.get(decision, 0) / self.total, 1) if self.total else None

    @property
    def cells(self) -> list[tuple[int, float | None]]:
        return [(self.counts.get(d, 0), self.rate(d)) for d in DECISIONS]


@dataclass
class Funnel:
    start: datetime.date
    end: datetime.date
    applications: int
    stages: list[StageRow]
    by_department: list[DecisionRow]
    by_tier: list[DecisionRow]
    decided: int
    decision_median_days: float | None
    decision_p90_days: float | None


def _epoch() -> RawSQL:
    """``created_at`` as float seconds since the epoch, on PostgreSQL and SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return RawSQL('EXTRACT(EPOCH FROM "onboarding_statechange"."created_at")::float8', (), output_field=FloatField())
    return RawSQL("""(julianday("onboarding_statechange"."created_at") - 2440587.5) * 86400.0""", (),
                  output_field=FloatField())


def latest_tier() -> Subquery:
    return Subquery(Evaluation.objects.filter(application=OuterRef("pk")).order_by("-created_at", "-pk")
                    .values("tier")[:1])


def applications_for(user: User, filters: dict) -> QuerySet[Application]:
    """The applications the figures are about: the filters, and for sales only their own."""
    found = Application.objects.all()
    if not perms.sees_every_application(user):
        found = found.filter(created_by=user)
    elif filters.get("sales_owner"):
        found = found.filter(created_by=filters["sales_owner"])
    for name in ("kind", "customer_type", "industry"):
        if filters.get(name):
            found = found.filter(**{name: filters[name]})
    if filters.get("tier"):
        found = found.annotate(latest_tier=latest_tier()).filter(latest_tier=filters["tier"])
    return found


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return low, high


def funnel_raw(user: User, filters: dict, *, now: datetime.datetime | None = None) -> Funnel:
    """The funnel walked from the raw state history (the reference ``funnel`` is tested against)."""
    now = now or timezone.now()
    start, end = filters["start"], filters["end"]
    low, high = _bounds(start, end)
    chosen = applications_for(user, filters)
    active = chosen.filter(state_changes__created_at__gte=low, state_changes__created_at__lt=high).values("pk")
    # Times as seconds since the epoch: building a datetime per row costs more than the rest of the walk.
    rows = (StateChange.objects.filter(application_id__in=Subquery(active.distinct()))
            .annotate(seconds=_epoch()).order_by("application_id", "created_at", "pk")
            .values_list("application_id", "to_state", "seconds"))
    low_s, high_s, now_s = low.timestamp(), high.timestamp(), now.timestamp()
    stages = {s: StageRow(s, str(State(s).label), deadline_days=settings.STAGE_DEADLINE_DAYS.get(s)) for s in STAGES}
    entered: dict[str, set[int]] = defaultdict(set)
    moved_on: dict[str, set[int]] = defaultdict(set)
    applications: set[int] = set()
    history: list[tuple[int, str, float]] = []

    def close(history: list[tuple[int, str, float]]) -> None:
        for i, (pk, state, at) in enumerate(history):
            if state not in stages or not low_s <= at < high_s:
                continue
            row = stages[state]
            applications.add(pk)
            entered[state].add(pk)
            if any(later == NEXT[state] for _pk, later, _at in history[i + 1:]):
                moved_on[state].add(pk)
            if i + 1 < len(history):
                _pk, went, left = history[i + 1]
                days = (left - at) / DAY
                row.durations.append(days)
                if went == State.RETURNED:
                    row.returned += 1
                elif went == State.REJECTED:
                    row.rejected += 1
                elif went == State.WITHDRAWN:
                    row.withdrawn += 1
            else:
                row.still_there += 1
                days = (now_s - at) / DAY
            if row.deadline_days is not None and days > row.deadline_days:
                row.missed += 1

    current: int | None = None
    for pk, state, at in rows.iterator(chunk_size=5000):
        if pk != current:
            close(history)
            history, current = [], pk
        history.append((pk, state, at))
    close(history)
    for state, row in stages.items():
        row.entered = len(entered[state])
        row.moved_on = len(moved_on[state])
    return _decisions(chosen, low, high, start, end, len(applications), list(stages.values()))


def _decisions(chosen, low, high, start, end, applications: int, stages: list[StageRow]) -> Funnel:
    votes = Vote.objects.filter(round__application__in=chosen, created_at__gte=low, created_at__lt=high).order_by()
    by_department: dict[str, dict[str, int]] = defaultdict(dict)
    for department, decision, n in votes.values_list("department", "decision").annotate(n=Count("pk")):
        by_department[department][decision] = n
    by_tier: dict[str, dict[str, int]] = defaultdict(dict)
    for tier, decision, n in votes.values_list("round__policy__tier", "decision").annotate(n=Count("pk")):
        by_tier[tier or "?"][decision] = n
    decided = list(chosen.filter(decided_at__gte=low, decided_at__lt=high, submitted_at__isnull=False)
                   .values_list("submitted_at", "decided_at"))
    waits = [(d - s).total_seconds() / DAY for s, d in decided]
    median, p90 = quantile(waits, 0.5), quantile(waits, 0.9)
    return Funnel(
        start=start, end=end, applications=applications, stages=stages,
        by_department=[DecisionRow(d, str(Department(d).label), by_department[d]) for d in Department.values
                       if d in by_department],
        by_tier=[DecisionRow(t, _("Tier %(tier)s") % {"tier": t}, by_tier[t]) for t in sorted(by_tier)],
        decided=len(waits), decision_median_days=None if median is None else round(median, 1),
        decision_p90_days=None if p90 is None else round(p90, 1),
    )


# --- The summary the page reads: one row per stay, refreshed incrementally ----------------------


def _stays_of(history: list[tuple[int, str, float, datetime.datetime]]) -> list[FunnelStay]:
    """The stays of one application's ordered history, as the raw walk above counts them."""
    found = []
    for i, (pk, state, at, moment) in enumerate(history):
        if state not in NEXT:
            continue
        stay = FunnelStay(application_id=pk, stage=state, entered_at=moment,
                          moved_on=any(later == NEXT[state] for _pk, later, _at, _m in history[i + 1:]))
        if i + 1 < len(history):
            _pk, went, left, left_moment = history[i + 1]
            stay.left_at, stay.went_to, stay.days = left_moment, went, (left - at) / DAY
        found.append(stay)
    return found


def stays_rebuild(application_ids: list[int]) -> int:
    """Replace the stays of these applications from their state history. Returns the stays written."""
    stays: list[FunnelStay] = []
    for start in range(0, len(application_ids), 2000):
        part = application_ids[start:start + 2000]
        rows = (StateChange.objects.filter(application_id__in=part).annotate(seconds=_epoch())
                .order_by("application_id", "created_at", "pk")
                .values_list("application_id", "to_state", "seconds", "created_at"))
        history: list = []
        current = None
        for row in rows.iterator(chunk_size=5000):
            if row[0] != current:
                stays.extend(_stays_of(history))
                history, current = [], row[0]
            history.append(row)
        stays.extend(_stays_of(history))
        FunnelStay.objects.filter(application_id__in=part).delete()
    FunnelStay.objects.bulk_create(stays, batch_size=5000)
    return len(stays)


SETTLE_SECONDS = 120  # a state change's transaction is over by then: the mark may pass it


def stays_refresh(*, everything: bool = False) -> int:
    """Bring ``FunnelStay`` up to date: rebuild the applications with a state change above the mark.

    State changes are never edited or deleted one by one (the history is append-only; an
    application's deletion cascades to its stays), so the ids above the mark are what changed.
    Ids are allocated before commit, so a change may become visible after one with a higher id:
    the mark only passes changes older than ``SETTLE_SECONDS``, and the newer ones (a handful)
    are rebuilt on each refresh until it does. Cheap when nothing changed (one indexed query);
    refreshers serialise on the mark row. ``everything`` rebuilds every application (the
    ``funnel_refresh --all`` command). Returns the number of applications rebuilt.
    """
    mark = FunnelMark.objects.filter(pk=1).values_list("last_change_id", flat=True).first() or 0
    if not everything and not StateChange.objects.filter(pk__gt=mark).exists():
        return 0
    with transaction.atomic():
        row, _created = FunnelMark.objects.select_for_update().get_or_create(pk=1)
        start = 0 if everything else row.last_change_id
        newest = StateChange.objects.aggregate(newest=Max("pk"))["newest"] or 0
        if everything:
            FunnelStay.objects.all().delete()
        ids = sorted(set(StateChange.objects.filter(pk__gt=start, pk__lte=newest)
                         .values_list("application_id", flat=True)))
        stays_rebuild(ids)
        now = timezone.now()
        # Dated in the future (loaded histories): written long ago, nothing in flight to wait for.
        unsettled = (StateChange.objects.filter(pk__gt=start, pk__lte=newest,
                                                created_at__gte=now - datetime.timedelta(seconds=SETTLE_SECONDS),
                                                created_at__lte=now)
                     .aggregate(first=Min("pk"))["first"])
        row.last_change_id = newest if unsettled is None else unsettled - 1
        row.save(update_fields=["last_change_id"])
    return len(ids)


class _Percentile(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def _filtered(filters: dict) -> bool:
    return any(filters.get(name) for name in ("sales_owner", "kind", "customer_type", "industry", "tier"))


def funnel(user: User, filters: dict, *, now: datetime.datetime | None = None) -> Funnel:
    """The funnel of the period: stage figures aggregated from ``FunnelStay`` in the database.

    The same figures as ``funnel_raw`` (tests compare them): entered and moved on count
    applications, returned / rejected / withdrawn / still there count stays, durations are
    those of finished stays, a deadline is missed by a finished stay longer than it or an open
    one older than it at ``now``. Queries: the refresh check, one aggregate per page (plus, off
    PostgreSQL, the durations), the applications count, votes and decisions.
    """
    from django.db import connection

    now = now or timezone.now()
    stays_refresh()
    start, end = filters["start"], filters["end"]
    low, high = _bounds(start, end)
    chosen = applications_for(user, filters)
    stays = FunnelStay.objects.filter(entered_at__gte=low, entered_at__lt=high)
    if _filtered(filters) or not perms.sees_every_application(user):
        stays = stays.filter(application_id__in=chosen.values("pk"))
    deadlines = {s: settings.STAGE_DEADLINE_DAYS.get(s) for s in STAGES}
    missed = Q(pk__isnull=True)  # never: the stages without a deadline add nothing
    for stage, limit in deadlines.items():
        if limit is not None:
            missed |= Q(stage=stage) & (Q(days__gt=limit) | Q(days__isnull=True,
                                                              entered_at__lt=now - datetime.timedelta(days=limit)))
    figures = {
        "entered": Count("application_id", distinct=True),
        "moved": Count("application_id", distinct=True, filter=Q(moved_on=True)),
        "returned": Count("pk", filter=Q(went_to=State.RETURNED)),
        "rejected": Count("pk", filter=Q(went_to=State.REJECTED)),
        "withdrawn": Count("pk", filter=Q(went_to=State.WITHDRAWN)),
        "open": Count("pk", filter=Q(left_at__isnull=True)),
        "missed": Count("pk", filter=missed),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        figures["median"] = _Percentile("days", 0.5)
        figures["p90"] = _Percentile("days", 0.9)
    found = {r["stage"]: r for r in stays.filter(stage__in=STAGES).order_by().values("stage").annotate(**figures)}
    stages = []
    for state in STAGES:
        row = StageRow(state, str(State(state).label), deadline_days=deadlines[state])
        figure = found.get(state)
        if figure:
            row.entered, row.moved_on, row.returned = figure["entered"], figure["moved"], figure["returned"]
            row.rejected, row.withdrawn, row.still_there = figure["rejected"], figure["withdrawn"], figure["open"]
            row.missed = figure["missed"]
            if postgres:
                row.durations = None
                row.quantiles = (figure["median"], figure["p90"])
            else:
                row.durations = list(stays.filter(stage=state, days__isnull=False).values_list("days", flat=True))
        stages.append(row)
    applications = stays.filter(stage__in=STAGES).values("application_id").distinct().count()
    return _decisions(chosen, low, high, start, end, applications, stages)


# --- Tables for download and charts -------------------------------------------------------------


def stage_table(result: Funnel) -> tuple[list[str], list[list]]:
    header = [_("Stage"), _("Entered"), _("Moved on"), _("Conversion %"), _("Returned"), _("Rejected"),
              _("Withdrawn"), _("Still there"), _("Median days"), _("90th percentile days"), _("Deadline (days)"),
              _("Deadlines missed")]
    rows = [[r.label, r.entered, r.moved_on, r.conversion, r.returned, r.rejected, r.withdrawn, r.still_there,
             r.median_days, r.p90_days, r.deadline_days, r.missed] for r in result.stages]
    return header, rows


def decision_table(rows: list[DecisionRow], first: str) -> tuple[list[str], list[list]]:
    header = [first]
    for decision in DECISIONS:
        label = str(Decision(decision).label)
        header += [label, _("%(decision)s %%") % {"decision": label}]
    header.append(pgettext("number of votes", "Votes"))
    body = []
    for row in rows:
        cells: list = [row.label]
        for count, rate in row.cells:
            cells += [count, rate]
        body.append(cells + [row.total])
    return header, body


def tables(result: Funnel) -> dict[str, tuple[str, tuple[list[str], list[list]]]]:
    """Every table of the page by its download name: (file name stem, (header, rows))."""
    return {
        "stages": ("funnel-stages", stage_table(result)),
        "departments": ("funnel-departments", decision_table(result.by_department, _("Department"))),
        "tiers": ("funnel-tiers", decision_table(result.by_tier, _("Tier"))),
    }
