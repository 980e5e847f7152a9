"""Credit profiles of admitted customers, indicators, alerts, and the records of the jobs.

Writes go through ``monitoring.services`` (alerts, settings), ``monitoring.runs`` (the
re-evaluation and re-screening jobs) and ``monitoring.credit_import``. Customers' due dates
live on ``onboarding.Customer.next_review_date``; everything monitoring needs to score a
customer again lives here, so that a run never reads an application.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from monitoring.enums import (
    ACTIVE_STATUSES,
    AlertStatus,
    ChunkStatus,
    Indicator,
    JobKind,
    LostWork,
    RunStatus,
    Scope,
    Severity,
    Trigger,
)
from onboarding.enums import TaxRating, Tier


class CustomerCreditProfile(models.Model):
    """The customer's current credit data, its re-evaluation schedule and its last result.

    One narrow row per customer, rewritten by every run: the wide admission snapshot lives
    in ``AdmissionInputs`` and there is no secondary index, so that PostgreSQL can update
    the row in place (HOT, fillfactor 70 set by the migration). The ``last_*`` fields copy
    the last evaluation's figures so that a run compares without reading old snapshots.

    ``due_on`` is monitoring's own schedule (the tier's cadence from the last evaluation;
    today when new data arrives). It starts as the committee's ``Customer.next_review_date``
    and is kept here rather than on the customer, whose row carries ten indexes.
    """

    customer = models.OneToOneField(
        "onboarding.Customer", on_delete=models.CASCADE, primary_key=True, related_name="credit_profile",
        verbose_name=_("customer"),
    )
    bureau_score = models.PositiveSmallIntegerField(_("credit bureau score"), null=True, blank=True)
    overdue_count = models.PositiveSmallIntegerField(_("overdue records in the last 24 months"), null=True, blank=True)
    litigation_count = models.PositiveSmallIntegerField(_("litigation cases"), null=True, blank=True)
    tax_rating = models.CharField(_("tax credit rating"), max_length=1, choices=TaxRating.choices, blank=True)
    as_of = models.DateField(_("credit data as of"), null=True, blank=True)
    statements_date = models.DateField(_("date of the latest financial statements"), null=True, blank=True)
    due_on = models.DateField(_("next re-evaluation"), null=True, blank=True)
    # Bumped by every change of the data above (imports, admission): a run that read an older
    # version keeps the customer due, so data arriving during a run is never skipped.
    data_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # No constraint or index on the evaluation: see the class docstring.
    last_evaluation = models.ForeignKey(
        "screening.Evaluation", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False, verbose_name=_("last evaluation"),
    )
    last_evaluated_at = models.DateTimeField(_("last evaluated at"), null=True, blank=True)
    last_total = models.DecimalField(_("last score"), max_digits=5, decimal_places=2, null=True, blank=True)
    last_tier = models.CharField(_("last tier"), max_length=1, choices=Tier.choices, blank=True)
    last_bureau_score = models.PositiveSmallIntegerField(null=True, blank=True)
    last_overdue_count = models.PositiveSmallIntegerField(null=True, blank=True)
    last_litigation_count = models.PositiveSmallIntegerField(null=True, blank=True)
    # The scorecard version and inputs (without the date) of the last snapshot, hashed: equal
    # means a new snapshot would repeat the last one (monitoring.runs).
    last_fingerprint = models.CharField(max_length=32, blank=True)
    # The knock-out rules the last evaluation fired (codes, comma-separated).
    last_knockouts = models.CharField(max_length=200, blank=True)
    # Until this date the last result stands for unchanged data and model (screening.scoring.unchanged_until):
    # a run reuses it instead of scoring again. Null: score.
    unchanged_until = models.DateField(null=True, blank=True)
    # last_total minus the total before it.
    score_change = models.DecimalField(_("score change"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("credit profile")
        verbose_name_plural = _("credit profiles")

    def __str__(self) -> str:
        return str(self.customer_id)


class AdmissionInputs(models.Model):
    """The scorecard inputs of the evaluation that admitted (or re-admitted) the customer.

    A re-evaluation starts from these and replaces what monitoring knows better: the credit
    data in the profile, the industry's current risk class, the date, watchlist matches.
    """

    customer = models.OneToOneField(
        "onboarding.Customer", on_delete=models.CASCADE, primary_key=True, related_name="admission_inputs",
        verbose_name=_("customer"),
    )
    inputs = models.JSONField(_("inputs"), default=dict)
    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("admitting application"),
    )
    evaluation = models.ForeignKey(
        "screening.Evaluation", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False, verbose_name=_("admitting evaluation"),
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        verbose_name = _("admission inputs")
        verbose_name_plural = _("admission inputs")

    def __str__(self) -> str:
        return str(self.customer_id)


class IndicatorSetting(models.Model):
    """Threshold and severity of one early-warning indicator, set by risk managers."""

    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2, null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicator setting")
        verbose_name_plural = _("indicator settings")

    def __str__(self) -> str:
        return self.get_indicator_display()


class JobRun(models.Model):
    """One run of a background job: what it did and how it ended, shown on the dashboard."""

    kind = models.CharField(_("job"), max_length=20, choices=JobKind.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.DUE)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    customer = models.ForeignKey(
        "onboarding.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("user"),
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # A re-evaluation run covers the customers due on or before this date when it started.
    cutoff = models.DateField(_("due on or before"), null=True, blank=True)
    chunk_size = models.PositiveIntegerField(_("chunk size"), default=2000)
    chunks = models.PositiveIntegerField(_("chunks"), default=0)
    customers = models.PositiveIntegerField(_("customers planned"), default=0)
    evaluated = models.PositiveIntegerField(_("customers evaluated"), default=0)
    # Of those, customers whose data and scorecard had not changed: their last result was kept.
    reused = models.PositiveIntegerField(_("unchanged, last result kept"), default=0)
    alerts_raised = models.PositiveIntegerField(_("alerts raised"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    error_log = models.JSONField(_("error messages"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # Two ticks at once join one run instead of starting two.
            models.UniqueConstraint(
                fields=["kind", "scope"], condition=Q(status=RunStatus.RUNNING) & ~Q(scope=Scope.CUSTOMER),
                name="one_running_job_per_kind",
            ),
        ]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class RunChunk(models.Model):
    """A range of customer ids of a run, done in one transaction by whichever worker claims it.

    Claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked done in the same transaction
    as its evaluations: a worker killed half-way leaves it pending, and the next worker does
    it whole.
    """

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="chunk_set")
    number = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    customers = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    evaluated = models.PositiveIntegerField(default=0)
    # Of those, customers whose last result stood (same data and model): not scored again.
    reused = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="one_chunk_per_number")]
        indexes = [models.Index(fields=["run", "status"], name="chunk_run_status")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"


class RunItem(models.Model):
    """Customer C was evaluated in run R, with this outcome: the primary key makes it at most once.

    ``evaluation`` is the snapshot the run wrote, or the customer's previous one when the run
    found the same inputs and result (no second copy of an identical snapshot). Only the
    primary key is indexed: a million of these are written per run; old runs' items are
    pruned by run id (``monitoring.runs.run_items_prune``).
    """

    pk = models.CompositePrimaryKey("run", "customer")
    # No database constraint: checking it cost a lookup of the run per row written (a million per run).
    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    customer = models.ForeignKey(
        "onboarding.Customer", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
    )
    evaluation = models.ForeignKey(
        "screening.Evaluation", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False,
    )
    total = models.DecimalField(max_digits=5, decimal_places=2)
    tier = models.CharField(max_length=1, choices=Tier.choices)

    def __str__(self) -> str:
        return f"{self.run_id}/{self.customer_id}"


class Alert(models.Model):
    """An early warning about one customer from one indicator; evidence accumulates in it."""

    customer = models.ForeignKey(
        "onboarding.Customer", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("customer"),
        db_index=False,
    )
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    # A list of {"at", "run", ...facts}, oldest first; see monitoring.indicators.
    evidence = models.JSONField(_("evidence"), default=list)
    # Evaluations and runs are only deleted with their customer, which takes its alerts with
    # it: no constraint and no index, so that deleting never scans the alerts.
    evaluation = models.ForeignKey(
        "screening.Evaluation", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False, verbose_name=_("evaluation"),
    )
    previous_evaluation = models.ForeignKey(
        "screening.Evaluation", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False, verbose_name=_("previous evaluation"),
    )
    run = models.ForeignKey(
        JobRun, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+", db_index=False,
        db_constraint=False, verbose_name=_("raised by run"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False, verbose_name=_("assignee"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False, verbose_name=_("acknowledged by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False, verbose_name=_("closed by"),
    )
    note = models.TextField(_("note"), blank=True)
    # Users and applications are never deleted (PROTECT elsewhere): no index to maintain.
    review_application = models.ForeignKey(
        "onboarding.Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_index=False, verbose_name=_("re-review"),
    )

    class Meta:
        ordering = ["-pk"]
        constraints = [
            # At most one open alert per customer and indicator: the database refuses a second.
            models.UniqueConstraint(
                fields=["customer", "indicator"], condition=Q(status__in=ACTIVE_STATUSES),
                name="one_open_alert_per_customer_indicator",
            ),
        ]
        # The list pages newest first (keyset on id) under each filter; see docs/performance.md.
        indexes = [
            models.Index(fields=["customer", "-id"], name="alert_customer"),
            models.Index(fields=["status", "-id"], name="alert_status"),
            models.Index(fields=["severity", "-id"], name="alert_severity"),
            models.Index(fields=["indicator", "-id"], name="alert_indicator"),
            models.Index(fields=["assignee", "-id"], name="alert_assignee"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_indicator_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def latest_evidence(self) -> dict:
        return self.evidence[-1] if self.evidence else {}


class AlertEvent(models.Model):
    """A person's action on an alert (the system's own additions are in its evidence)."""

    class Action(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        ESCALATED = "escalated", _("Escalated")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=15, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("assignee"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return self.get_action_display()


class AlertTally(models.Model):
    """How many alerts have each severity and status, kept in the same transactions as the alerts.

    The dashboard reads 16 rows instead of counting a million.
    """

    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=15, choices=AlertStatus.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["severity", "status"], name="one_tally_per_severity_status")]

    def __str__(self) -> str:
        return f"{self.severity}/{self.status}: {self.count}"


class AlertWeek(models.Model):
    """Alerts opened, resolved and escalated in a week (Monday), kept like ``AlertTally``."""

    week = models.DateField(unique=True)
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week"]

    def __str__(self) -> str:
        return f"{self.week}"


class Heartbeat(models.Model):
    """When a periodic job last ran: a tick that arrived proves beat, broker and a worker work."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Statistic(models.Model):
    """A figure too costly to compute per page view (customers by tier), refreshed by the jobs."""

    name = models.CharField(max_length=40, primary_key=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class WorkReportDelivery(models.Model):
    """A weekly work report e-mailed to one person: claimed before sending, so never sent twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.CharField(max_length=30)
    week = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "department", "week"], name="one_report_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.week}"


class Reconciliation(models.Model):
    """One pass of the reconciliation (``monitoring.reconcile``): what it found undone and queued again.

    ``counts`` holds, per kind of lost work (``LostWork``), how many items were queued again;
    ``queued`` their ids (the next passes leave those alone for a while, so that work queued
    but not yet run is not queued a second time); ``not_queued`` how many could not be queued
    (the broker refused: the next pass tries again). Rows older than a few weeks are pruned.
    """

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    counts = models.JSONField(_("queued again"), default=dict)
    queued = models.JSONField(_("ids queued again"), default=dict)
    not_queued = models.PositiveIntegerField(_("could not be queued"), default=0)
    runs_resumed = models.PositiveIntegerField(_("unfinished runs resumed"), default=0)
    error_log = models.JSONField(_("error messages"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def requeued(self) -> list[tuple[str, int]]:
        """(label, count) for each kind queued again, in ``LostWork`` order."""
        return [(label, self.counts[kind]) for kind, label in LostWork.choices if self.counts.get(kind)]
