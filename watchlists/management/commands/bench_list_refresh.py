"""python manage.py bench_list_refresh [PATH] [--format ofac] [--customers N] [--share 0.01]

Figures for issue 10: an official list's import time, its re-import unchanged (the difference
is empty: nobody is screened again), and a re-import with a share of its entries changed (how
many of N monitored customers the difference can touch). Everything is rolled back at the end:
the database is left as it was.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from onboarding.enums import CustomerStatus, CustomerType
from onboarding.models import Customer
from watchlists.models import WatchlistEntry
from watchlists.services import subjects_touched, watchlist_import
from watchlists.synthetic import Generator

DEFAULT_PATH = "/work/shared/reference/lists/"
SOURCE = "bench list refresh"


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time an official list's import, an unchanged re-import and a re-import with 1% changed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default=DEFAULT_PATH, help="OFAC folder (SDN.CSV, ALT.CSV, ADD.CSV)")
        parser.add_argument("--customers", type=int, default=5000, help="monitored customers to create")
        parser.add_argument("--listed", type=int, default=100,
                            help="of which named after list entries (the others: synthetic names)")
        parser.add_argument("--share", type=float, default=0.01, help="share of entries changed")
        parser.add_argument("--seed", type=int, default=20260101)

    def handle(self, *args, path: str, customers: int, listed: int, share: float, seed: int, **options) -> None:
        try:
            with transaction.atomic():
                self._run(Path(path), customers, listed, share, seed)
                raise _Rollback
        except _Rollback:
            self.stdout.write("(rolled back: the database is as it was)")

    def _run(self, path: Path, customers: int, listed: int, share: float, seed: int) -> None:
        rng = random.Random(seed)
        files = [path / name for name in ("sdn.csv", "alt.csv", "add.csv")]
        started = time.perf_counter()
        first = watchlist_import(file=files, source_name=SOURCE, file_format="ofac")
        self.stdout.write(f"import              {first.entries:,} entries, {first.names:,} names in "
                          f"{time.perf_counter() - started:.1f} s")
        self._customers(customers, listed, rng, seed)
        started = time.perf_counter()
        again = watchlist_import(file=files, source_name=SOURCE, file_format="ofac")
        change = again.change
        self.stdout.write(f"re-import unchanged {time.perf_counter() - started:.1f} s; added {change.added}, "
                          f"removed {change.removed}, changed {change.changed}; customers to screen again: "
                          f"{len(subjects_touched(change.entry_ids)[1]) if change.entry_ids else 0}")
        with tempfile.TemporaryDirectory() as folder:
            changed_files = self._changed_copy(files, Path(folder), share, rng)
            started = time.perf_counter()
            third = watchlist_import(file=changed_files, source_name=SOURCE, file_format="ofac")
            seconds = time.perf_counter() - started
        change = third.change
        started = time.perf_counter()
        applications, touched = subjects_touched(change.entry_ids or [])
        self.stdout.write(
            f"re-import {share:.0%} changed {seconds:.1f} s; added {change.added}, removed {change.removed}, "
            f"changed {change.changed}; of {customers:,} customers {len(touched):,} to screen again "
            f"(found in {time.perf_counter() - started:.1f} s), {len(applications)} applications"
        )

    def _customers(self, count: int, listed: int, rng: random.Random, seed: int) -> None:
        from accounts.models import User

        owner = User.objects.create(username=f"bench-{seed}")
        names = list(WatchlistEntry.objects.filter(source__name=SOURCE, entity_type="company")
                     .values_list("name", flat=True))
        chosen = rng.sample(names, min(listed, len(names)))
        generator = Generator(seed)
        chosen += [generator.entry().name for _ in range(count - len(chosen))]
        Customer.objects.bulk_create(
            Customer(name=name[:300], credit_code=f"9131{index:014d}", customer_type=CustomerType.SME,
                     status=CustomerStatus.ACTIVE, sales_owner=owner)
            for index, name in enumerate(chosen)
        )

    def _changed_copy(self, files: list[Path], folder: Path, share: float, rng: random.Random) -> list[Path]:
        """The same files with ``share`` of the SDN rows' programme changed."""
        for source in files[1:]:
            shutil.copy(source, folder / source.name)
        rows = list(csv.reader(io.StringIO(files[0].read_text(encoding="utf-8"), newline="")))
        for index in rng.sample(range(len(rows)), round(len(rows) * share)):
            rows[index][3] = f"{rows[index][3].strip()}] [BENCH"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (folder / files[0].name).write_text(out.getvalue(), encoding="utf-8")
        return [folder / source.name for source in files]
