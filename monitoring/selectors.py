"""Reads for the dashboard, the alert list and the alert page.

Every query here runs per page view on tables that reach a million rows, so none counts
them: alert counts come from ``AlertTally``/``AlertWeek`` (kept in the same transactions as
the alerts), figures over all customers from ``Statistic`` (refreshed by the jobs), and the
alert list pages by id (keyset), never with OFFSET or COUNT(*).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from monitoring.enums import (
    ACTIVE_STATUSES,
    MONITORED_STATUSES,
    REVIEWABLE_STATUSES,
    SEVERITY_ORDER,
    AlertStatus,
    ChunkStatus,
    RunStatus,
)
from monitoring.models import (
    Alert,
    AlertTally,
    AlertWeek,
    CustomerCreditProfile,
    JobRun,
    Reconciliation,
    RunChunk,
    Statistic,
)
from onboarding.models import Customer, CustomerCondition

LIST_LIMIT = 10
OVERDUE_CAP = 1000  # "1,000+" is enough to know it is bad; counting further costs a scan
WEEKS = 12
DASHBOARD_STATISTIC = "dashboard"

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def chart_json(config: dict) -> str:
    """A Chart.js config for ``<canvas data-chart>``, safe in an HTML attribute."""
    return json.dumps(config, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


# --- Figures refreshed by the jobs -----------------------------------------------------------


def statistics_refresh(today: date | None = None) -> Statistic:
    """Compute the dashboard's whole-portfolio figures and store them (a few scans; jobs only).

    Customers by tier, the customers whose score fell most at their last evaluation, and
    the overdue re-evaluations and conditions (capped counts and the oldest few).
    """
    today = today or timezone.localdate()
    monitored = Customer.objects.filter(status__in=MONITORED_STATUSES)
    tiers = dict(monitored.order_by().values_list("tier").annotate(n=Count("pk")))
    falling = [
        {"customer_id": pk, "name": name, "tier": tier, "score": float(score), "change": float(change)}
        for pk, name, tier, score, change in CustomerCreditProfile.objects.filter(
            score_change__lt=0, customer__status__in=MONITORED_STATUSES
        ).order_by("score_change", "pk").values_list(
            "customer_id", "customer__name", "customer__tier", "last_total", "score_change"
        )[:LIST_LIMIT]
    ]
    overdue_reviews = Customer.objects.filter(next_review_date__lt=today, status__in=REVIEWABLE_STATUSES)
    reviews = [
        {"customer_id": pk, "name": name, "tier": tier, "next_review_date": due.isoformat()}
        for pk, name, tier, due in overdue_reviews.order_by("next_review_date", "pk").values_list(
            "pk", "name", "tier", "next_review_date"
        )[:LIST_LIMIT]
    ]
    backlog = CustomerCreditProfile.objects.filter(due_on__lt=today, customer__status__in=MONITORED_STATUSES)
    late_conditions = CustomerCondition.objects.filter(
        fulfilled_at__isnull=True, due_date__lt=today, customer__status__in=MONITORED_STATUSES
    )
    conditions = [
        {"customer_id": customer_id, "name": name, "text": text, "due_date": due.isoformat()}
        for customer_id, name, text, due in late_conditions.order_by("due_date", "pk").values_list(
            "customer_id", "customer__name", "text", "due_date"
        )[:LIST_LIMIT]
    ]
    data = {
        "tiers": {tier or "-": n for tier, n in tiers.items()},
        "falling": falling,
        "overdue_reviews": reviews,
        "overdue_reviews_count": _capped(overdue_reviews),
        # Re-evaluations due before today and not done: the job system is behind or failing.
        "backlog_count": _capped(backlog),
        "overdue_conditions": conditions,
        "overdue_conditions_count": _capped(late_conditions),
    }
    statistic, _created = Statistic.objects.update_or_create(
        name=DASHBOARD_STATISTIC, defaults={"data": data, "computed_at": timezone.now()}
    )
    return statistic


def _capped(queryset: QuerySet) -> int:
    return len(queryset.order_by().values_list("pk", flat=True)[: OVERDUE_CAP + 1])


# --- The dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    tallies: list[dict]
    totals: dict[str, int]
    weeks_chart: str
    tiers_chart: str
    statistic: Statistic | None
    runs: list[JobRun]
    active: int


def dashboard(today: date | None = None) -> Dashboard:
    """Everything the risk dashboard shows except the job system's health: five small queries."""
    today = today or timezone.localdate()
    counts = {(t.severity, t.status): t.count for t in AlertTally.objects.all()}
    tallies = []
    totals = dict.fromkeys(AlertStatus.values, 0)
    for severity in SEVERITY_ORDER:
        row = {"severity": severity, "label": severity.label, "counts": []}
        for status in AlertStatus:
            n = max(counts.get((severity.value, status.value), 0), 0)
            row["counts"].append((status.value, n))
            totals[status.value] += n
        tallies.append(row)
    first_week = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    weeks = {w.week: w for w in AlertWeek.objects.filter(week__gte=first_week)}
    labels, opened, resolved = [], [], []
    for n in range(WEEKS):
        week = first_week + timedelta(days=7 * n)
        labels.append(week.strftime("%m-%d"))
        found = weeks.get(week)
        opened.append(found.opened if found else 0)
        resolved.append((found.resolved + found.escalated) if found else 0)
    weeks_chart = chart_json({
        "type": "bar",
        "data": {"labels": labels, "datasets": [
            {"label": pgettext("alerts opened (chart)", "Opened"), "data": opened},
            {"label": _("Resolved or escalated"), "data": resolved},
        ]},
        "options": {"scales": {"y": {"beginAtZero": True}}},
    })
    statistic = Statistic.objects.filter(name=DASHBOARD_STATISTIC).first()
    tiers = (statistic.data.get("tiers") if statistic else None) or {}
    tier_labels = sorted(tiers)
    tiers_chart = chart_json({
        "type": "bar",
        "data": {"labels": [_("Tier %(tier)s") % {"tier": t} for t in tier_labels],
                 "datasets": [{"label": pgettext("number of customers", "Customers"), "data": [tiers[t] for t in tier_labels]}]},
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
    })
    runs = list(JobRun.objects.select_related("started_by", "customer").order_by("-started_at", "-pk")[:8])
    live_progress(runs)
    return Dashboard(
        tallies=tallies, totals=totals, weeks_chart=weeks_chart, tiers_chart=tiers_chart, statistic=statistic,
        runs=runs, active=totals[AlertStatus.OPEN] + totals[AlertStatus.ACKNOWLEDGED],
    )


def live_progress(runs: list[JobRun]) -> None:
    """Fill in the progress of running runs from their chunks (one query, only if one runs)."""
    running = [run for run in runs if run.status == RunStatus.RUNNING and run.chunks]
    if not running:
        return
    progress = {
        row["run_id"]: row for row in RunChunk.objects.filter(run_id__in=[r.pk for r in running])
        .values("run_id").annotate(
            evaluated=Sum("evaluated"), alerts=Sum("alerts_raised"), errors=Sum("errors"),
            done=Count("pk", filter=~Q(status=ChunkStatus.PENDING)),
        )
    }
    for run in running:
        found = progress.get(run.pk)
        if found:
            run.evaluated = found["evaluated"] or 0
            run.alerts_raised = found["alerts"] or 0
            run.errors = found["errors"] or 0
            run.chunks_done = found["done"]


# --- The alert list --------------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass
class AlertPage:
    alerts: list[Alert]
    newer: int | None  # id for a link to the newer page ("before" cursor), None on the first page
    older: int | None  # id for a link to the older page ("after" cursor)


def alerts_filtered(
    *, severity: str = "", status: str = "", indicator: str = "", assignee: str = "", tier: str = "",
    customer_id: int | None = None,
) -> QuerySet[Alert]:
    qs = Alert.objects.all()
    if severity:
        qs = qs.filter(severity=severity)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    if tier:
        qs = qs.filter(customer__tier=tier)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs


def alert_page(queryset: QuerySet[Alert], *, after: int | None = None, before: int | None = None,
               size: int = PAGE_SIZE) -> AlertPage:
    """One page of alerts, newest first, by id: one query, whatever the table's size.

    ``after``: the page of alerts older than this id; ``before``: newer than this id.
    """
    qs = queryset.select_related("customer", "assignee")
    if before is not None:
        rows = list(qs.filter(pk__gt=before).order_by("pk")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return AlertPage(rows, rows[0].pk if has_newer and rows else None, rows[-1].pk if rows else None)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.order_by("-pk")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return AlertPage(rows, rows[0].pk if after is not None and rows else None,
                     rows[-1].pk if has_older and rows else None)


@dataclass(slots=True)
class AlertRow:
    """One line of the alert list, every string prepared (a page renders 50 of these)."""

    pk: int
    url: str
    customer: str
    tier: str
    indicator: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    assignee: str
    opened: str
    last_seen: str
    active: bool


def alert_rows(alerts: list[Alert]) -> list[AlertRow]:
    """Rows for the list page; labels are looked up once per page, not per row."""
    from django.urls import reverse

    from monitoring.enums import Indicator, Severity

    indicators = {k: str(v) for k, v in Indicator.choices}
    severities = {k: str(v) for k, v in Severity.choices}
    statuses = {k: str(v) for k, v in AlertStatus.choices}
    prefix = reverse("monitoring:alert_detail", args=[0])[:-2]
    zone = timezone.get_current_timezone()
    rows = []
    for alert in alerts:
        rows.append(AlertRow(
            pk=alert.pk, url=f"{prefix}{alert.pk}/", customer=alert.customer.name, tier=alert.customer.tier or "—",
            indicator=indicators.get(alert.indicator, alert.indicator), severity=alert.severity,
            severity_label=severities.get(alert.severity, alert.severity), status=alert.status,
            status_label=statuses.get(alert.status, alert.status),
            assignee=str(alert.assignee) if alert.assignee_id else "—",
            opened=alert.opened_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            last_seen=alert.last_seen_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            active=alert.status in ACTIVE_STATUSES,
        ))
    return rows


# --- One alert -------------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    metric: str
    name: str
    previous_value: str
    previous_points: int | None
    current_value: str
    current_points: int | None

    @property
    def change(self) -> int | None:
        if self.previous_points is None or self.current_points is None:
            return None
        return self.current_points - self.previous_points


def evaluation_comparison(previous, current) -> list[ComparisonRow]:
    """Criterion by criterion, the previous and the current evaluation (either may be None)."""
    before = {c.metric: c for c in previous.evaluation_result.criteria} if previous else {}
    after = {c.metric: c for c in current.evaluation_result.criteria} if current else {}
    rows = []
    for metric in list(after) + [m for m in before if m not in after]:
        old, new = before.get(metric), after.get(metric)
        some = new or old
        rows.append(ComparisonRow(
            metric=metric, name=some.name,
            previous_value=old.value_display if old else "—", previous_points=old.points if old else None,
            current_value=new.value_display if new else "—", current_points=new.points if new else None,
        ))
    return rows


def alert_for_page(pk: int) -> Alert | None:
    return (
        Alert.objects.select_related("customer", "customer__sales_owner", "assignee", "acknowledged_by",
                                     "closed_by", "review_application")
        .prefetch_related("events__actor", "events__assignee")
        .filter(pk=pk).first()
    )


def customer_alerts(customer_id: int, limit: int = 10) -> list[Alert]:
    """The customer's alerts, active first then newest (for its page's panel)."""
    active = list(
        Alert.objects.filter(customer_id=customer_id, status__in=ACTIVE_STATUSES).order_by("-pk")[:limit]
    )
    if len(active) < limit:
        active += list(
            Alert.objects.filter(customer_id=customer_id).exclude(status__in=ACTIVE_STATUSES)
            .order_by("-pk")[: limit - len(active)]
        )
    return active


def last_runs(kind: str | None = None, limit: int = 20) -> list[JobRun]:
    qs = JobRun.objects.select_related("started_by", "customer")
    if kind:
        qs = qs.filter(kind=kind)
    runs = list(qs.order_by("-started_at", "-pk")[:limit])
    live_progress(runs)
    return runs



def last_reconciliations() -> tuple[Reconciliation | None, Reconciliation | None]:
    """The last reconciliation pass, and the last one that queued something again (two indexed reads).

    Most passes find nothing; the panel shows when the last one ran and, separately, what the
    last pass that did find something queued again.
    """
    last = Reconciliation.objects.order_by("-started_at", "-pk").first()
    if last is None or last.counts or last.not_queued:
        return last, last
    requeue = (
        Reconciliation.objects.exclude(counts={}).order_by("-started_at", "-pk").first()
    )
    return last, requeue
