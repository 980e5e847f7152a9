"""Import credit-bureau data from a CSV; changed customers become due for re-evaluation."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.credit_import import HEADER, CreditImportError, credit_data_import
from monitoring.progress import ProgressBar


class Command(BaseCommand):
    help = (
        f"Import a bureau CSV with the header {','.join(HEADER)}. All or nothing: a bad file changes "
        "nothing and the error names its line. Customers whose data changed are re-evaluated at the next tick."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as probe:
            lines = max(sum(1 for _line in probe) - 1, 0)
        bar = ProgressBar(self.stdout, lines, "checked ")
        try:
            result = credit_data_import(file=path, progress=bar.update)
        except CreditImportError as error:
            bar.finish()
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        bar.finish()
        self.stdout.write(
            f"{result.rows:,} rows: {result.changed:,} changed (due for re-evaluation now), "
            f"{result.unchanged:,} unchanged, {result.older:,} older than the data held."
        )
