"""Choices of the outcomes app. Labels are translatable; codes are stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutcomeStatus(models.TextChoices):
    """How a customer paid in a month: the worst days past due reached on any invoice that month."""

    PERFORMING = "performing", _("Performing")
    DPD30 = "dpd30", _("30+ days past due")
    DPD60 = "dpd60", _("60+ days past due")
    DPD90 = "dpd90", _("90+ days past due (default)")
    WRITTEN_OFF = "written_off", _("Written off")


# (status, days past due that reach it), worst first.
BUCKETS = ((OutcomeStatus.DPD90, 90), (OutcomeStatus.DPD60, 60), (OutcomeStatus.DPD30, 30))


def bucket(days_past_due: int) -> str:
    for status, days in BUCKETS:
        if days_past_due >= days:
            return status
    return OutcomeStatus.PERFORMING


class ImportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("import status", "Waiting")
    RUNNING = "running", pgettext_lazy("import status", "Running")
    DONE = "done", pgettext_lazy("import status", "Done")
    FAILED = "failed", pgettext_lazy("import status", "Failed")
