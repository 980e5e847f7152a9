"""Choices of the monitoring app. Labels are translatable; codes are stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onboarding.enums import CustomerStatus


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# Most severe first, for lists and sorting.
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert status", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("alert status", "Resolved")
    ESCALATED = "escalated", pgettext_lazy("alert status", "Escalated")


# An alert in one of these states is "open" for the one-alert-per-indicator rule:
# new evidence is appended to it instead of raising a second alert.
ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
CLOSED_STATUSES = (AlertStatus.RESOLVED, AlertStatus.ESCALATED)


class Indicator(models.TextChoices):
    """The early-warning indicators. Each has one row of settings (threshold, severity)."""

    BELOW_THRESHOLD = "below_threshold", _("Score below the admission threshold")
    TIER_DOWNGRADE = "tier_downgrade", _("Tier downgrade")
    SCORE_DROP = "score_drop", _("Score drop")
    BUREAU_DROP = "bureau_drop", _("Credit bureau score drop")
    NEW_OVERDUE = "new_overdue", _("New overdue records")
    NEW_LITIGATION = "new_litigation", _("New litigation")
    WATCHLIST_MATCH = "watchlist_match", _("Watchlist match")
    STALE_FINANCIALS = "stale_financials", _("Stale financial statements")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    CONDITION_OVERDUE = "condition_overdue", _("Condition overdue")
    # From the receivables (outcomes app).
    INVOICE_PAST_DUE = "invoice_past_due", _("Invoices past due")
    OVER_LIMIT = "over_limit", _("Exposure above the credit limit")


class JobKind(models.TextChoices):
    REEVALUATION = "reevaluation", _("Re-evaluation")
    RESCREEN = "rescreen", _("Watchlist re-screening")
    OVERDUE_CHECK = "overdue_check", _("Overdue reviews and conditions")
    CREDIT_IMPORT = "credit_import", _("Credit data import")
    WORK_REPORTS = "work_reports", _("Weekly work reports")
    RECEIVABLES_CHECK = "receivables_check", _("Receivables indicators")


class Scope(models.TextChoices):
    DUE = "due", _("Due customers")
    ALL = "all", _("All monitored customers")
    CUSTOMER = "customer", _("One customer")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    COMMAND = "command", _("Command")
    IMPORT = "import", _("Data import")
    USER = "user", _("User")


class ChunkStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("job chunk status", "Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Customers whose credit is watched: everyone admitted and not offboarded. A suspended
# customer may still owe money, so its deterioration still matters.
MONITORED_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.UNDER_REVIEW, CustomerStatus.SUSPENDED)

# Customers whose review can be overdue: under review means the re-review is under way.
REVIEWABLE_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED)


class LostWork(models.TextChoices):
    """What the reconciliation looks for: work a lost message or a broker outage left undone."""

    SCREENING = "screening", _("Watchlist screenings")
    EVALUATION = "evaluation", _("Scorecard evaluations")
    PROFILE = "profile", _("Credit profiles of admitted customers")
    EMAIL = "email", _("Notification e-mails")
    RUN = "run", _("Abandoned job runs")
