"""python manage.py import_watchlist PATH [PATH…] --source NAME [--format auto|csv|opensanctions|ftm|ofac|un|uk|eu]"""

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
        parser.add_argument("paths", nargs="+", metavar="path",
                            help="the list file, or a folder or several files (OFAC: SDN.CSV, ALT.CSV, ADD.CSV)")
        parser.add_argument("--source", required=True, help="name of the list, e.g. 'OpenSanctions'")
        parser.add_argument("--format", default="auto", choices=["auto", *SourceFormat.values],
                            help="csv: id,name,aliases,country,program,entity_type; "
                                 "opensanctions: the targets.simple.csv export; ftm: entities.ftm.json; "
                                 "ofac: SDN.XML, or SDN.CSV with ALT.CSV and ADD.CSV; un: the UN consolidated XML; "
                                 "uk: OFSI ConList.csv; eu: the EU financial sanctions XML or CSV "
                                 "(default auto: told from the file's contents)")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes normalising names (default: the CPU count for files over 20 MB)")

    def handle(self, *args, paths: list[str], source: str, format: str | None, workers: int | None,
               **options) -> None:
        for path in paths:
            if not os.path.exists(path):
                raise CommandError(f"No such file: {path}")
        total = sum(_size(path) for path in paths)
        path = paths[0] if len(paths) == 1 else ", ".join(paths)
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
                result = watchlist_import(file=paths[0] if len(paths) == 1 else paths, source_name=source,
                                          file_format=None if format == "auto" else format, progress=progress,
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


def _size(path: str) -> int:
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, name)) for name in os.listdir(path)
                   if os.path.isfile(os.path.join(path, name)))
    return os.path.getsize(path)
