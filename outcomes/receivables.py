"""Importing an accounts-receivable file: ``python manage.py import_receivables PATH`` and the import page.

The file is CSV (UTF-8) or XLSX with the header ``credit_code, invoice_no, invoice_date,
due_date, amount, currency, paid_date, paid_amount``, one row per invoice. The invoice number
identifies an invoice: importing it again updates it (an upsert on a unique constraint), so a
monthly file that repeats last month's invoices never duplicates them.

All or nothing: the rows are written in one transaction while they are read; the first bad
row raises ``ReceivablesError`` naming its row and column, and the transaction rolls back.
After the write the outcomes of the customers concerned are recomputed in the same transaction.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.models import Customer
from outcomes.models import Invoice

HEADER = ["credit_code", "invoice_no", "invoice_date", "due_date", "amount", "currency", "paid_date", "paid_amount"]
CURRENCIES = ("CNY",)  # credit limits are in CNY and Vetted holds no exchange rates
BATCH = 5000
MAX_AMOUNT = Decimal("99999999999999.99")


class ReceivablesError(ValueError):
    """A problem with the file, naming the row (1 = the header) and column; nothing was imported."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass(frozen=True, slots=True)
class Row:
    row: int
    credit_code: str
    invoice_no: str
    invoice_date: date
    due_date: date
    amount: Decimal
    currency: str
    paid_date: date | None
    paid_amount: Decimal


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    customers: int


def _error(row: int, column: str, message: str, **params) -> ReceivablesError:
    text = _("Row %(row)s, column %(column)s: ") % {"row": row, "column": column} + message % params
    return ReceivablesError(text, row=row, column=column)


def _text(value) -> str:
    if value.__class__ is str:  # every CSV cell: the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value, row: int, column: str, *, today: date, required: bool = True) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    else:
        text = _text(value)
        if not text:
            if required:
                raise _error(row, column, _("a date is required."))
            return None
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            raise _error(row, column, _("“%(value)s” is not a date like 2026-03-31."), value=text) from None
    if parsed > today:
        raise _error(row, column, _("%(value)s is in the future."), value=parsed.isoformat())
    return parsed


def _amount(value, row: int, column: str, *, required: bool = True, positive: bool = False) -> Decimal:
    text = _text(value).replace(",", "")
    if not text:
        if required:
            raise _error(row, column, _("an amount is required."))
        return Decimal(0)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _error(row, column, _("“%(value)s” is not an amount."), value=text) from None
    if not amount.is_finite():
        raise _error(row, column, _("“%(value)s” is not an amount."), value=text)
    if amount < 0:
        raise _error(row, column, _("the amount %(value)s is negative."), value=text)
    if positive and amount == 0:
        raise _error(row, column, _("the amount must be more than zero."))
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise _error(row, column, _("“%(value)s” must have at most two decimals and 14 digits."), value=text)
    return amount.quantize(Decimal("0.01"))


def check_row(number: int, cells: list, *, today: date) -> Row:
    """One data row (``number`` counts the header as row 1), checked against the rules above."""
    if len(cells) < len(HEADER) or (len(cells) > len(HEADER) and any(_text(c) for c in cells[len(HEADER):])):
        raise ReceivablesError(
            _("Row %(row)s: expected %(expected)s values, found %(found)s.")
            % {"row": number, "expected": len(HEADER), "found": len([c for c in cells if _text(c)])},
            row=number,
        )
    cells = [_text(c) if c.__class__ is str else c for c in cells[: len(HEADER)]]
    for column, cell in zip(HEADER, cells, strict=True):
        if cell.__class__ is str and "\x00" in cell:
            raise _error(number, column, _("the value contains a NUL character."))
    code = _text(cells[0]).upper()
    if len(code) != 18:
        raise _error(number, "credit_code", _("“%(value)s” is not an 18-character unified social credit code."),
                     value=code)
    invoice_no = _text(cells[1])
    if not invoice_no:
        raise _error(number, "invoice_no", _("an invoice number is required."))
    if len(invoice_no) > 64:
        raise _error(number, "invoice_no", _("the invoice number is longer than 64 characters."))
    invoice_date = _date(cells[2], number, "invoice_date", today=today)
    due_date = _date(cells[3], number, "due_date", today=date.max)
    if due_date < invoice_date:
        raise _error(number, "due_date", _("the due date %(value)s is before the invoice date."),
                     value=due_date.isoformat())
    amount = _amount(cells[4], number, "amount", positive=True)
    currency = (_text(cells[5]) or "CNY").upper()
    if currency not in CURRENCIES:
        raise _error(number, "currency", _("only %(allowed)s is accepted, not “%(value)s”."),
                     allowed=", ".join(CURRENCIES), value=currency)
    paid_date = _date(cells[6], number, "paid_date", today=today, required=False)
    paid_amount = _amount(cells[7], number, "paid_amount", required=False)
    if paid_date is not None and paid_date < invoice_date:
        raise _error(number, "paid_date", _("the payment date %(value)s is before the invoice date."),
                     value=paid_date.isoformat())
    if paid_amount > amount:
        raise _error(number, "paid_amount", _("the paid amount %(value)s exceeds the invoice amount."),
                     value=paid_amount)
    if paid_amount > 0 and paid_date is None:
        raise _error(number, "paid_date", _("a payment needs its date."))
    if paid_date is not None and paid_amount == 0:
        raise _error(number, "paid_amount", _("a payment date needs the amount paid."))
    return Row(number, code, invoice_no, invoice_date, due_date, amount, currency, paid_date, paid_amount)


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(4) == b"PK\x03\x04"


def _raw_rows(path: Path) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the file including the header, CSV or XLSX (read-only, streamed)."""
    if _is_xlsx(path):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise ReceivablesError(_("The file is not a readable XLSX workbook.")) from None
        try:
            sheet = book.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        finally:
            book.close()
        return
    # io's C text layer (not codecs' Python reader): decoding is a third of the parse otherwise.
    with path.open(encoding="utf-8-sig", errors="strict", newline="") as text:
        reader = csv.reader(text)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except UnicodeDecodeError:
            raise ReceivablesError(_("The file is neither UTF-8 CSV nor XLSX.")) from None
        except csv.Error as error:
            raise ReceivablesError(
                _("Row %(row)s: %(error)s") % {"row": reader.line_num, "error": error}, row=reader.line_num
            ) from None


def rows(path: Path, *, today: date) -> Iterator[Row]:
    """The checked rows of the file; raises ``ReceivablesError`` at the first problem."""
    seen: set[str] = set()
    raw = _raw_rows(path)
    first = next(raw, None)
    if first is None or [_text(c).lower() for c in first[1] if _text(c)] != HEADER:
        raise ReceivablesError(
            _("Row 1: the header must be exactly “%(header)s”.") % {"header": ",".join(HEADER)}, row=1
        )
    for number, cells in raw:
        if not any(_text(c) for c in cells):
            continue
        row = check_row(number, cells, today=today)
        if row.invoice_no in seen:
            raise _error(number, "invoice_no", _("invoice %(value)s appears twice in the file."), value=row.invoice_no)
        seen.add(row.invoice_no)
        yield row


def _batches(path: Path, today: date) -> Iterator[list[tuple[int, Row]]]:
    """Batches of (customer id, row), refusing the first unknown credit code in row order."""
    batch: list[Row] = []

    def resolve(part: list[Row]) -> list[tuple[int, Row]]:
        ids = dict(Customer.objects.filter(credit_code__in={r.credit_code for r in part})
                   .values_list("credit_code", "pk"))
        for row in part:
            if row.credit_code not in ids:
                raise _error(row.row, "credit_code", _("no customer has the credit code %(value)s."),
                             value=row.credit_code)
        return [(ids[row.credit_code], row) for row in part]

    for row in rows(path, today=today):
        batch.append(row)
        if len(batch) >= BATCH:
            yield resolve(batch)
            batch = []
    if batch:
        yield resolve(batch)


def receivables_check(path: Path, *, progress: Callable[[int], None] | None = None,
                      today: date | None = None) -> int:
    """Read and check the whole file without writing (the page's first pass). Returns the rows."""
    today = today or timezone.localdate()
    done = 0
    for part in _batches(path, today):
        done += len(part)
        if progress is not None:
            progress(done)
    return done


STAGE_TABLE = "outcomes_invoice_stage"
_UPSERT_COLUMNS = ("customer_id", "invoice_no", "invoice_date", "due_date", "amount", "currency", "paid_date",
                   "paid_amount")


def _write_staged(cursor, now) -> tuple[int, set[int]]:
    """Upsert the staged rows into ``outcomes_invoice`` in one statement; (rows that existed, their old customers)."""
    cursor.execute(f"SELECT i.customer_id, COUNT(*) FROM outcomes_invoice i JOIN {STAGE_TABLE} s "  # noqa: S608
                   "ON s.invoice_no = i.invoice_no GROUP BY i.customer_id")
    found = cursor.fetchall()
    columns = ", ".join(_UPSERT_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_UPSERT_COLUMNS[:1], *_UPSERT_COLUMNS[2:], "imported_at"))
    cursor.execute(
        f"INSERT INTO outcomes_invoice ({columns}, imported_at) SELECT {columns}, %s FROM {STAGE_TABLE} "  # noqa: S608
        f"ON CONFLICT (invoice_no) DO UPDATE SET {updates}",
        [now],
    )
    return sum(n for _pk, n in found), {pk for pk, _n in found}


def receivables_import(path: Path | str, *, progress: Callable[[int], None] | None = None,
                       today: date | None = None) -> ImportResult:
    """Upsert the file's invoices and recompute the outcomes of their customers, in one transaction.

    Streamed: rows are read and checked one at a time and, on PostgreSQL, sent with ``COPY``
    into a temporary table, then written with one ``INSERT … ON CONFLICT (invoice_no) DO
    UPDATE`` (other databases: ``bulk_create(update_conflicts=True)`` per batch).

    Side effects: ``Invoice`` rows created or updated, the customers' ``CustomerOutcome`` and
    ``OutcomeMonth`` rows rewritten, the ``outcomes_computed`` signal (monitoring raises its
    receivables alerts after commit). Raises ``ReceivablesError``; then nothing is written.
    """
    from django.db import connection

    from outcomes.services import outcomes_recompute

    path = Path(path)
    today = today or timezone.localdate()
    now = timezone.now()
    done = updated = 0
    customers: set[int] = set()
    staged = connection.vendor == "postgresql"
    with transaction.atomic():
        if staged:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {STAGE_TABLE} (customer_id bigint NOT NULL, invoice_no varchar(64) "
                    "NOT NULL, invoice_date date NOT NULL, due_date date NOT NULL, amount numeric(16, 2) NOT NULL, "
                    "currency varchar(3) NOT NULL, paid_date date, paid_amount numeric(16, 2) NOT NULL) "
                    "ON COMMIT DROP"
                )
                # One COPY per batch: resolving a batch's credit codes needs the connection in between.
                for part in _batches(path, today):
                    with cursor.copy(f"COPY {STAGE_TABLE} ({', '.join(_UPSERT_COLUMNS)}) FROM STDIN") as copy:
                        for pk, r in part:
                            copy.write_row((pk, r.invoice_no, r.invoice_date, r.due_date, r.amount, r.currency,
                                            r.paid_date, r.paid_amount))
                    customers.update(pk for pk, _r in part)
                    done += len(part)
                    if progress is not None:
                        progress(done)
                if done:
                    updated, previous = _write_staged(cursor, now)
                    customers.update(previous)  # an invoice moved to another customer changes the old one too
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
        else:
            for part in _batches(path, today):
                numbers = [row.invoice_no for _pk, row in part]
                existing = dict(Invoice.objects.filter(invoice_no__in=numbers)
                                .values_list("invoice_no", "customer_id"))
                customers.update(existing.values())
                Invoice.objects.bulk_create(
                    [
                        Invoice(customer_id=pk, invoice_no=r.invoice_no, invoice_date=r.invoice_date,
                                due_date=r.due_date, amount=r.amount, currency=r.currency, paid_date=r.paid_date,
                                paid_amount=r.paid_amount, imported_at=now)
                        for pk, r in part
                    ],
                    update_conflicts=True, unique_fields=["invoice_no"],
                    update_fields=["customer", "invoice_date", "due_date", "amount", "currency", "paid_date",
                                   "paid_amount", "imported_at"],
                    batch_size=1000,
                )
                updated += len(existing)
                customers.update(pk for pk, _row in part)
                done += len(part)
                if progress is not None:
                    progress(done)
        if done:
            outcomes_recompute(customer_ids=sorted(customers), today=today)
    return ImportResult(rows=done, created=done - updated, updated=updated, customers=len(customers))
