"""Receivables of admitted customers and what they say about how each customer paid.

``Invoice`` rows come from accounts-receivable files (``outcomes.receivables``); the other
tables are computed from them by ``outcomes.services.outcomes_recompute`` and read by
monitoring (early-warning indicators) and analysis (scorecard validation).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onboarding.models import Customer
from outcomes.enums import ImportStatus, OutcomeStatus


class Invoice(models.Model):
    """One invoice from the receivables file. The invoice number identifies it across imports."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invoices", verbose_name=_("customer"))
    invoice_no = models.CharField(_("invoice number"), max_length=64)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    paid_date = models.DateField(_("paid date"), null=True, blank=True)
    paid_amount = models.DecimalField(_("paid amount"), max_digits=16, decimal_places=2, default=0)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["due_date", "invoice_no"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            # Re-importing a file updates its invoices: the database refuses a second row.
            models.UniqueConstraint(fields=["invoice_no"], name="outcomes_invoice_no_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="outcomes_invoice_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(paid_amount__gte=0), name="outcomes_invoice_paid_not_negative"),
        ]
        indexes = [models.Index(fields=["customer", "due_date"], name="outcomes_invoice_customer_due")]

    def __str__(self) -> str:
        return self.invoice_no


class CustomerOutcome(models.Model):
    """Where a customer stands now, computed from its invoices (one row per customer with invoices)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="outcome", verbose_name=_("customer")
    )
    as_of = models.DateField(_("as of"))
    status = models.CharField(_("outcome"), max_length=20, choices=OutcomeStatus.choices, db_index=True)
    exposure = models.DecimalField(_("exposure"), max_digits=18, decimal_places=2, default=0)
    overdue_amount = models.DecimalField(_("overdue amount"), max_digits=18, decimal_places=2, default=0)
    open_invoices = models.PositiveIntegerField(_("open invoices"), default=0)
    max_dpd_now = models.PositiveIntegerField(_("days past due now"), default=0)
    worst_dpd_12m = models.PositiveIntegerField(_("worst days past due in 12 months"), default=0)
    first_dpd30_on = models.DateField(_("first 30+ days past due"), null=True, blank=True)
    first_dpd60_on = models.DateField(_("first 60+ days past due"), null=True, blank=True)
    first_dpd90_on = models.DateField(_("first 90+ days past due"), null=True, blank=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer outcome")
        verbose_name_plural = _("customer outcomes")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.status}"


class OutcomeMonth(models.Model):
    """A customer's outcome in one calendar month: the worst days past due reached that month."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="outcome_months")
    month = models.DateField(_("month"))  # the first day of the month
    status = models.CharField(_("outcome"), max_length=20, choices=OutcomeStatus.choices)
    worst_dpd = models.PositiveIntegerField(_("worst days past due"), default=0)
    exposure = models.DecimalField(_("exposure at month end"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["customer", "month"]
        verbose_name = _("monthly outcome")
        verbose_name_plural = _("monthly outcomes")
        constraints = [models.UniqueConstraint(fields=["customer", "month"], name="outcomes_month_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}: {self.status}"


class WriteOff(models.Model):
    """A risk manager's decision that a customer's debt will not be collected."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="write_off")
    written_off_on = models.DateField(_("written off on"))
    reason = models.TextField(_("reason"), max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.written_off_on}"


class ReceivablesImport(models.Model):
    """One receivables file uploaded on the import page, imported by a background task."""

    file = models.FileField(_("file"), upload_to="receivables/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("invoices created"), default=0)
    updated = models.PositiveIntegerField(_("invoices updated"), default=0)
    customers = models.PositiveIntegerField(pgettext_lazy("number of customers", "customers"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("receivables import")
        verbose_name_plural = _("receivables imports")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
