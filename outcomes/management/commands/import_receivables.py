"""Import an accounts-receivable file (CSV or XLSX); the customers' outcomes are recomputed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from outcomes.receivables import HEADER, ReceivablesError, receivables_import


def _rows_in(path: Path) -> int | None:
    """Data rows, for the progress bar: lines of a CSV, the sheet's dimension of an XLSX."""
    with path.open("rb") as probe:
        if probe.read(4) == b"PK\x03\x04":
            from openpyxl import load_workbook

            try:
                book = load_workbook(path, read_only=True)
                rows = book.worksheets[0].max_row
                book.close()
                return max((rows or 1) - 1, 0)
            except Exception:
                return None
        probe.seek(0)
        return max(sum(1 for _line in probe) - 1, 0)


class Command(BaseCommand):
    help = (
        f"Import receivables with the header {','.join(HEADER)} (CSV or XLSX). All or nothing: a bad file "
        "changes nothing and the error names its row and column. The same invoice number updates its invoice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        verbosity = options.get("verbosity", 1)
        with tqdm(total=_rows_in(path), unit="rows", disable=verbosity < 1 or not self.stdout.isatty(),
                  file=self.stderr._out) as bar:
            def progress(done: int) -> None:
                bar.update(done - bar.n)

            try:
                result = receivables_import(path, progress=progress)
            except ReceivablesError as error:
                raise CommandError(f"{path}: {error} Nothing was imported.") from None
        self.stdout.write(
            f"{result.rows:,} invoices: {result.created:,} new, {result.updated:,} updated, "
            f"for {result.customers:,} customers; their outcomes are recomputed."
        )
