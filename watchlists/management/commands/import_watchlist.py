"""python manage.py import_watchlist PATH --source NAME [--format csv|opensanctions]"""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from watchlists.enums import SourceFormat
from watchlists.importing import ImportFailed
from watchlists.services import watchlist_import


class Command(BaseCommand):
    help = "Replace a watchlist source's entries with a file's, in one transaction."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="CSV file to import")
        parser.add_argument("--source", required=True, help="name of the list, e.g. 'OpenSanctions'")
        parser.add_argument("--format", default=SourceFormat.CSV, choices=SourceFormat.values,
                            help="csv: id,name,aliases,country,program,entity_type; "
                                 "opensanctions: the targets.simple.csv export")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes normalising names (default: the CPU count for files over 20 MB)")

    def handle(self, *args, path: str, source: str, format: str, workers: int | None, **options) -> None:
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        total = os.path.getsize(path)
        if workers is None:
            # Starting worker processes costs about a second: worth it for big lists only.
            workers = min(2, os.cpu_count() or 1) if total > 20_000_000 else 0
        # On a terminal only (stderr, as progress goes): no control characters in logs.
        bar = tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=source, file=sys.stderr,
            disable=not sys.stderr.isatty() or options.get("verbosity", 1) < 1,
        )

        def progress(entries: int, bytes_read: int) -> None:
            bar.set_postfix_str(f"{entries:,} entries", refresh=False)
            bar.update(bytes_read - bar.n)

        try:
            with bar:
                result = watchlist_import(file=path, source_name=source, file_format=format, progress=progress,
                                          workers=workers)
        except ImportFailed as error:
            raise CommandError(
                _("%(path)s: %(error)s The previous list of “%(source)s” stays in force.")
                % {"path": path, "error": error.display, "source": source}
            ) from None
        self.stdout.write(self.style.SUCCESS(
            f"{result.source.name}: {result.entries:,} entries, {result.names:,} names, "
            f"{result.identifiers:,} identifiers imported in {result.seconds:.1f} s."
        ))
