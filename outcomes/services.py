"""Writes of the outcomes app: recomputing outcomes, write-offs, receivables imports from the page."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from onboarding.models import Customer
from onboarding.validators import check_upload
from outcomes import permissions as perms
from outcomes.compute import Bill, customer_outcome
from outcomes.enums import ImportStatus, OutcomeStatus
from outcomes.models import CustomerOutcome, Invoice, OutcomeMonth, ReceivablesImport, WriteOff
from outcomes.signals import outcomes_computed

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 2000
OUTCOME_FIELDS = [
    "as_of", "status", "exposure", "overdue_amount", "open_invoices", "max_dpd_now", "worst_dpd_12m",
    "first_dpd30_on", "first_dpd60_on", "first_dpd90_on", "written_off_on", "computed_at",
]


def _customers_with_invoices() -> Iterable[int]:
    return Invoice.objects.order_by("customer_id").values_list("customer_id", flat=True).distinct().iterator()


def outcomes_recompute(*, customer_ids: Iterable[int] | None = None, today: date | None = None) -> int:
    """Rewrite ``CustomerOutcome`` and ``OutcomeMonth`` of the customers (None: all with invoices).

    In batches: one query reads a batch's invoices, ``outcomes.compute`` applies the rules,
    one upsert writes the outcomes and the months are replaced. Runs in the caller's
    transaction if there is one. Side effect: the ``outcomes_computed`` signal. Returns the
    number of customers computed.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    ids = list(customer_ids) if customer_ids is not None else list(_customers_with_invoices())
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        with transaction.atomic():
            _recompute_batch(ids[start:start + RECOMPUTE_BATCH], today=today, now=now)
    outcomes_computed.send(sender=CustomerOutcome, customer_ids=None if customer_ids is None else ids)
    return len(ids)


def _recompute_batch(ids: list[int], *, today: date, now) -> None:
    bills: dict[int, list[Bill]] = {pk: [] for pk in ids}
    rows = Invoice.objects.filter(customer_id__in=ids).order_by().values_list(
        "customer_id", "invoice_no", "invoice_date", "due_date", "amount", "paid_date", "paid_amount",
    )
    for customer_id, *values in rows:
        bills[customer_id].append(Bill(*values))
    written_off = dict(WriteOff.objects.filter(customer_id__in=ids).values_list("customer_id", "written_off_on"))
    outcomes: list[CustomerOutcome] = []
    months: list[tuple] = []  # (customer id, month, status, worst DPD, exposure): no model instances
    for pk in ids:
        found = customer_outcome(bills[pk], today=today, written_off_on=written_off.get(pk))
        outcomes.append(CustomerOutcome(
            customer_id=pk, as_of=today, status=found.status, exposure=found.exposure,
            overdue_amount=found.overdue_amount, open_invoices=found.open_invoices, max_dpd_now=found.max_dpd_now,
            worst_dpd_12m=found.worst_dpd_12m, first_dpd30_on=found.first_reached[OutcomeStatus.DPD30],
            first_dpd60_on=found.first_reached[OutcomeStatus.DPD60],
            first_dpd90_on=found.first_reached[OutcomeStatus.DPD90], written_off_on=found.written_off_on,
            computed_at=now,
        ))
        months.extend((pk, m.month, m.status, m.worst_dpd, m.exposure) for m in found.months)
    CustomerOutcome.objects.bulk_create(outcomes, update_conflicts=True, unique_fields=["customer"],
                                        update_fields=OUTCOME_FIELDS, batch_size=1000)
    OutcomeMonth.objects.filter(customer_id__in=ids).delete()
    _write_months(months)


def _write_months(months: list[tuple]) -> None:
    """Insert the month rows: ``COPY`` on PostgreSQL (most of a recompute's rows), ``bulk_create`` elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        OutcomeMonth.objects.bulk_create(
            [OutcomeMonth(customer_id=pk, month=month, status=status, worst_dpd=worst, exposure=exposure)
             for pk, month, status, worst, exposure in months], batch_size=2000)
        return
    with connection.cursor() as cursor, cursor.copy(
        f"COPY {OutcomeMonth._meta.db_table} (customer_id, month, status, worst_dpd, exposure) FROM STDIN"
    ) as copy:
        for row in months:
            copy.write_row(row)


# --- Write-offs (risk managers) ----------------------------------------------------------------


def outcome_write_off(*, customer_id: int, actor: User, written_off_on: date, reason: str) -> WriteOff:
    """Record that ``customer_id``'s debt is written off, and recompute its outcome.

    Side effects: a ``WriteOff`` row, the customer's outcome rewritten ("written off" from
    that month on), the ``outcomes_computed`` signal.
    """
    if not perms.can_write_off(actor):
        raise PermissionDenied(_("Only risk managers write off a customer's debt."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the write-off."))
    if "\x00" in reason:
        raise ValidationError(_("The reason contains a NUL character."))
    if written_off_on > timezone.localdate():
        raise ValidationError(_("A write-off cannot be dated in the future."))
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        if WriteOff.objects.filter(customer=customer).exists():
            raise ValidationError(_("This customer has already been written off."))
        write_off = WriteOff.objects.create(customer=customer, written_off_on=written_off_on, reason=reason,
                                            recorded_by=actor)
        outcomes_recompute(customer_ids=[customer.pk])
    return write_off


# --- Imports from the page ---------------------------------------------------------------------


def check_receivables_upload(upload: UploadedFile) -> None:
    """XLSX through the project's upload check; CSV by name, size and (while parsing) encoding and NUL bytes."""
    name = upload.name or ""
    if name.lower().endswith(".csv"):
        if "/" in name or "\\" in name or ".." in name or "\x00" in name:
            raise ValidationError(_("The file name %(name)s is not allowed."), params={"name": name})
        if upload.size == 0:
            raise ValidationError(_("%(name)s is empty."), params={"name": name})
        if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(_("%(name)s is larger than %(limit)d MB."),
                                  params={"name": name, "limit": settings.MAX_UPLOAD_MB})
        return
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    check_upload(upload)


def receivables_upload(*, actor: User, upload: UploadedFile) -> ReceivablesImport:
    """Store the file and queue its import after commit. Side effects: a ``ReceivablesImport`` row, a task."""
    from config.celery import enqueue_on_commit
    from outcomes.tasks import import_receivables

    if not perms.can_import(actor):
        raise PermissionDenied(_("Only risk managers import receivables."))
    check_receivables_upload(upload)
    job = ReceivablesImport(original_name=(upload.name or "")[:200], uploaded_by=actor)
    job.file.save(upload.name, upload, save=False)
    job.save()
    enqueue_on_commit(import_receivables, import_id=job.pk)
    return job


def _progress(job_id: int):
    def update(done: int) -> None:
        ReceivablesImport.objects.filter(pk=job_id).update(rows_checked=done)
    return update


def receivables_import_run(*, import_id: int) -> ReceivablesImport | None:
    """Do one uploaded import: check every row (progress visible), then write it in one transaction.

    Claimed with a conditional update, so a task delivered twice imports once. The error, if
    any, is kept in the uploader's language. Returns None when another worker has it.
    """
    from outcomes.receivables import ReceivablesError, receivables_check, receivables_import

    claimed = ReceivablesImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ReceivablesImport.objects.select_related("uploaded_by").get(pk=import_id)
    path = Path(job.file.path)
    with translation.override(job.uploaded_by.language or settings.LANGUAGE_CODE):
        try:
            receivables_check(path, progress=_progress(job.pk))
            result = receivables_import(path)
        except ReceivablesError as error:
            job.status, job.error = ImportStatus.FAILED, str(error) + " " + _("Nothing was imported.")
        except Exception:
            logger.exception("Receivables import %s failed", job.pk)
            job.status, job.error = ImportStatus.FAILED, _("The import failed unexpectedly. Nothing was imported.")
        else:
            job.status = ImportStatus.DONE
            job.rows_checked, job.created, job.updated, job.customers = (
                result.rows, result.created, result.updated, result.customers
            )
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "rows_checked", "created", "updated", "customers", "finished_at"])
    return job
