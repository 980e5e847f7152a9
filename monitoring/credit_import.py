"""Importing credit-bureau data: ``python manage.py import_credit_data PATH``.

The file is a CSV with the header ``credit_code,as_of,bureau_score,overdue_count,
litigation_count,tax_rating``. It is checked in full before anything is written, and
written in one transaction: a bad file changes nothing, and the error names the line of
the first problem. Customers whose data changed are due for re-evaluation today.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.enums import JobKind, RunStatus, Scope, Trigger
from monitoring.models import CustomerCreditProfile, JobRun
from monitoring.services import profiles_ensure
from onboarding.enums import TaxRating
from onboarding.models import Customer

HEADER = ["credit_code", "as_of", "bureau_score", "overdue_count", "litigation_count", "tax_rating"]
BATCH = 5000
MAX_BUREAU_SCORE = 1000


class CreditImportError(ValueError):
    """A problem with the file, naming its line; nothing was imported."""


@dataclass(frozen=True, slots=True)
class CreditRow:
    line: int
    credit_code: str
    as_of: date
    bureau_score: int | None
    overdue_count: int | None
    litigation_count: int | None
    tax_rating: str


@dataclass
class CreditImportResult:
    rows: int
    changed: int
    unchanged: int
    older: int
    run: JobRun


def _count(value: str, line: int, column: str, maximum: int | None = None) -> int | None:
    value = value.strip()
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        raise CreditImportError(
            _("Line %(line)s: %(column)s must be a whole number of zero or more, not “%(value)s”.")
            % {"line": line, "column": column, "value": value}
        )
    number = int(value)
    if maximum is not None and number > maximum:
        raise CreditImportError(
            _("Line %(line)s: %(column)s must be at most %(maximum)s, not %(value)s.")
            % {"line": line, "column": column, "maximum": maximum, "value": number}
        )
    return number


# Each record of this file is one line; a longer one is a quote left open.
MAX_LINE_CHARS = 1000
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what "surrogateescape" makes of bytes that are not UTF-8


class _Lines:
    """The file's lines for the CSV parser, stopping it when a record runs past its line.

    No field of a bureau file holds a line break, so a record that needs a second line
    has a quote that is not closed. Python's CSV parser would keep reading, to the end of
    the file, into that one field; here the error names the line the record starts on as
    soon as the parser asks for the next line. Each line is read once: linear in the size
    of the file, whatever the quoting.
    """

    def __init__(self, text) -> None:
        self.text = text
        self.read = 0  # lines given to the parser
        self.done = 0  # lines of the records it returned

    def __iter__(self) -> Iterator[str]:
        # At most one character over the limit is read: a file without line breaks is refused
        # at once, not read whole into one line.
        for piece in iter(lambda: self.text.readline(MAX_LINE_CHARS + 1), ""):
            if self.read > self.done:
                raise self._unclosed()
            self.read += 1
            if len(piece) > MAX_LINE_CHARS:
                raise CreditImportError(
                    _("Line %(line)s: the line is longer than %(limit)s characters.")
                    % {"line": self.read, "limit": MAX_LINE_CHARS}
                )
            if _NOT_UTF8.search(piece):
                raise CreditImportError(_("Line %(line)s: the file is not UTF-8 text.") % {"line": self.read})
            yield piece
        if self.read > self.done:
            raise self._unclosed()

    def _unclosed(self) -> CreditImportError:
        return CreditImportError(
            _("Line %(line)s: a quote opened on this line is not closed on it.") % {"line": self.done + 1}
        )


def parse(file: BinaryIO, *, today: date | None = None) -> Iterator[CreditRow]:
    """The rows of the file, checked one by one (raises ``CreditImportError`` at the first bad line)."""
    today = today or timezone.localdate()
    # newline="": the CSV parser sees line ends as they are; surrogateescape: a byte that is
    # not UTF-8 is found on its line (by _Lines) instead of failing a whole chunk unnamed.
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(text)
    reader = csv.reader(lines)
    seen: set[str] = set()
    try:
        header = next(reader, None)
        lines.done = reader.line_num
        if header is None or [h.strip() for h in header] != HEADER:
            raise CreditImportError(
                _("Line 1: the header must be exactly “%(header)s”.") % {"header": ",".join(HEADER)}
            )
        for row in reader:
            line = lines.done = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(HEADER):
                raise CreditImportError(
                    _("Line %(line)s: expected %(expected)s values, found %(found)s.")
                    % {"line": line, "expected": len(HEADER), "found": len(row)}
                )
            code, as_of_text, bureau, overdue, litigation, tax = (cell.strip() for cell in row)
            if len(code) != 18:
                raise CreditImportError(
                    _("Line %(line)s: “%(code)s” is not an 18-character unified social credit code.")
                    % {"line": line, "code": code}
                )
            code = code.upper()
            if code in seen:
                raise CreditImportError(
                    _("Line %(line)s: credit code %(code)s appears twice in the file.") % {"line": line, "code": code}
                )
            seen.add(code)
            try:
                as_of = date.fromisoformat(as_of_text)
            except ValueError:
                raise CreditImportError(
                    _("Line %(line)s: as_of must be a date like 2026-03-31, not “%(value)s”.")
                    % {"line": line, "value": as_of_text}
                ) from None
            if as_of > today:
                raise CreditImportError(
                    _("Line %(line)s: as_of %(date)s is in the future.") % {"line": line, "date": as_of_text}
                )
            tax = tax.upper()
            if tax and tax not in TaxRating.values:
                raise CreditImportError(
                    _("Line %(line)s: tax_rating must be one of %(ratings)s or empty, not “%(value)s”.")
                    % {"line": line, "ratings": ", ".join(TaxRating.values), "value": tax}
                )
            yield CreditRow(
                line=line, credit_code=code, as_of=as_of,
                bureau_score=_count(bureau, line, "bureau_score", MAX_BUREAU_SCORE),
                overdue_count=_count(overdue, line, "overdue_count", 32767),
                litigation_count=_count(litigation, line, "litigation_count", 32767),
                tax_rating=tax,
            )
    except csv.Error as error:
        raise CreditImportError(_("Line %(line)s: %(error)s") % {"line": lines.done + 1, "error": error}) from None
    finally:
        text.detach()  # the caller closes its file, not the wrapper when it is collected


def _resolve(rows: list[CreditRow]) -> list[tuple[int, CreditRow]]:
    """(customer id, row) for a batch, refusing the first unknown credit code (in line order)."""
    ids = dict(Customer.objects.filter(credit_code__in=[r.credit_code for r in rows]).values_list("credit_code", "pk"))
    for row in rows:
        if row.credit_code not in ids:
            raise CreditImportError(
                _("Line %(line)s: no customer has the credit code %(code)s.") % {"line": row.line, "code": row.credit_code}
            )
    return [(ids[row.credit_code], row) for row in rows]


def credit_data_import(
    *, file: BinaryIO | str | Path, file_name: str = "", actor=None,
    progress: Callable[[int], None] | None = None, today: date | None = None,
) -> CreditImportResult:
    """Check the whole file, then update the customers' credit data in one transaction.

    Rows whose data equals what is stored are left alone; rows older than the stored data
    (``as_of``) are skipped. Changed customers are due for re-evaluation today (the next
    tick, queued on commit, evaluates them). Side effects: profiles, a ``JobRun`` record.
    Raises ``CreditImportError`` naming the line of the first problem.
    """
    if isinstance(file, str | Path):
        with open(file, "rb") as binary:
            return credit_data_import(
                file=binary, file_name=file_name or Path(file).name, actor=actor, progress=progress, today=today,
            )
    today = today or timezone.localdate()
    resolved: list[tuple[int, CreditRow]] = []
    batch: list[CreditRow] = []
    for row in parse(file, today=today):
        batch.append(row)
        if len(batch) >= BATCH:
            resolved.extend(_resolve(batch))
            batch = []
            if progress is not None:
                progress(len(resolved))
    if batch:
        resolved.extend(_resolve(batch))
    if progress is not None:
        progress(len(resolved))
    now = timezone.now()
    changed = unchanged = older = 0
    with transaction.atomic():
        run = JobRun.objects.create(
            kind=JobKind.CREDIT_IMPORT, scope=Scope.ALL, trigger=Trigger.COMMAND, started_by=actor,
            note=(file_name or "")[:300], customers=len(resolved), status=RunStatus.FINISHED,
        )
        for start in range(0, len(resolved), BATCH):
            part = resolved[start:start + BATCH]
            profiles_ensure(pk for pk, _row in part)
            stored = {
                p.pk: p for p in CustomerCreditProfile.objects.select_for_update()
                .filter(pk__in=[pk for pk, _row in part]).order_by("pk")
                .only("pk", "bureau_score", "overdue_count", "litigation_count", "tax_rating", "as_of")
            }
            updates: list[tuple[int, CreditRow]] = []
            for pk, row in part:
                profile = stored[pk]
                if profile.as_of is not None and row.as_of < profile.as_of:
                    older += 1
                elif (profile.bureau_score, profile.overdue_count, profile.litigation_count, profile.tax_rating) == (
                    row.bureau_score, row.overdue_count, row.litigation_count, row.tax_rating
                ):
                    unchanged += 1
                else:
                    updates.append((pk, row))
            _write(updates, today=today, now=now)
            changed += len(updates)
        run.evaluated = len(resolved)
        run.finished_at = timezone.now()
        run.save(update_fields=["evaluated", "finished_at"])
        if changed:
            transaction.on_commit(_queue_tick)
    return CreditImportResult(rows=len(resolved), changed=changed, unchanged=unchanged, older=older, run=run)


def _write(updates: list[tuple[int, CreditRow]], *, today: date, now) -> None:
    if not updates:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE monitoring_customercreditprofile AS p SET bureau_score = v.bureau, "
                "overdue_count = v.overdue, litigation_count = v.litigation, tax_rating = v.tax, as_of = v.as_of, "
                "due_on = %s, data_version = p.data_version + 1, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::text[], %s::date[]) "
                "AS v(customer_id, bureau, overdue, litigation, tax, as_of) WHERE p.customer_id = v.customer_id",
                [
                    today, now, [pk for pk, _r in updates], [r.bureau_score for _p, r in updates],
                    [r.overdue_count for _p, r in updates], [r.litigation_count for _p, r in updates],
                    [r.tax_rating for _p, r in updates], [r.as_of for _p, r in updates],
                ],
            )
        return
    for pk, row in updates:
        CustomerCreditProfile.objects.filter(pk=pk).update(
            bureau_score=row.bureau_score, overdue_count=row.overdue_count, litigation_count=row.litigation_count,
            tax_rating=row.tax_rating, as_of=row.as_of, due_on=today, data_version=F("data_version") + 1,
            updated_at=now,
        )


def _queue_tick() -> None:
    import logging

    from monitoring.tasks import tick

    try:
        tick.delay()
    except Exception:
        logging.getLogger(__name__).exception("Could not queue a tick after the import; the schedule will run it.")


def from_text(text: str, **kwargs) -> CreditImportResult:
    """Import from a string (tests, the demo)."""
    return credit_data_import(file=io.BytesIO(text.encode("utf-8")), **kwargs)
