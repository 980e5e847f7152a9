"""python manage.py bench_screening --entries N --queries Q

Builds a synthetic list (watchlists.synthetic), imports it through the real import path,
runs the queries through the real ``search`` and prints import time, query latency,
recall and precision at the configured threshold, and peak memory. Run it against a
database of its own (its source replaces any earlier benchmark list, and a million
entries do not belong in a working database).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from watchlists import conf, synthetic
from watchlists.enums import SourceFormat
from watchlists.matching import search
from watchlists.normalise import normalise
from watchlists.services import watchlist_import

WARM_UP_QUERIES = 20
EXTRA_THRESHOLDS = (80.0, 90.0)


class Command(BaseCommand):
    help = "Benchmark watchlist import and screening on a synthetic list."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--entries", type=int, default=100_000)
        parser.add_argument("--queries", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--source", default="synthetic benchmark", help="name of the benchmark's list")
        parser.add_argument("--skip-import", action="store_true",
                            help="query the list already imported with the same --entries and --seed")
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                            help="processes that normalise names during the import (0: none)")
        parser.add_argument("--json", dest="json_path", default="", help="also write the figures to this file")

    def handle(self, *args, entries: int, queries: int, seed: int, source: str, skip_import: bool,
               workers: int, json_path: str, **options) -> None:
        if entries < 1 or queries < 1:
            raise CommandError("--entries and --queries must be positive.")
        figures: dict = {
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "database": f"{connection.vendor} {connection.settings_dict.get('NAME')}",
            "entries": entries, "queries": queries, "seed": seed, "threshold": conf.match_threshold(),
            "candidate_limit": conf.candidate_limit(),
        }
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "synthetic.csv")
            started = time.perf_counter()
            with open(path, "w", encoding="utf-8", newline="") as out:
                query_list = synthetic.build(entries=entries, queries=queries, out=out, seed=seed)
            figures["generate_seconds"] = round(time.perf_counter() - started, 1)
            figures["file_megabytes"] = round(os.path.getsize(path) / 1e6, 1)
            self.stdout.write(f"generated {entries:,} entries ({figures['file_megabytes']} MB) and "
                              f"{len(query_list):,} queries in {figures['generate_seconds']} s")
            if not skip_import:
                figures.update(self._import(path, source, workers))
        figures.update(self._query(query_list))
        figures["peak_rss_megabytes"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        figures["peak_rss_workers_megabytes"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        )
        figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        self._print(figures)
        if json_path:
            with open(json_path, "w", encoding="utf-8") as out:
                json.dump(figures, out, indent=2, ensure_ascii=False)

    def _import(self, path: str, source: str, workers: int) -> dict:
        interactive = sys.stdout.isatty()

        def progress(count: int, bytes_read: int) -> None:
            if interactive:
                self.stdout.write(f"\r  importing: {count:>12,} entries", ending="")
                self.stdout.flush()

        backend = _backend_cpu()
        own = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        result = watchlist_import(file=path, source_name=source, file_format=SourceFormat.CSV, progress=progress,
                                  workers=workers)
        seconds = time.perf_counter() - started
        own_after = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {
            "this_process": round(own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime, 1),
            "workers": round(children.ru_utime + children.ru_stime, 1),
            "postgresql_backend": round(_backend_cpu() - backend, 1) if backend is not None else None,
        }
        if interactive:
            self.stdout.write("")
        self.stdout.write(f"imported {result.entries:,} entries ({result.names:,} names, "
                          f"{result.identifiers:,} identifiers) in {seconds:.1f} s")
        return {"import_seconds": round(seconds, 1), "import_cpu_seconds": cpu, "import_workers": workers,
                "imported_entries": result.entries,
                "imported_names": result.names, "imported_identifiers": result.identifiers}

    def _query(self, query_list: list[synthetic.Query]) -> dict:
        threshold = conf.match_threshold()
        lowest = min(threshold, *EXTRA_THRESHOLDS)
        for query in query_list[:WARM_UP_QUERIES]:
            search(query.text, limit=10, threshold=lowest)
        latencies: list[float] = []
        results: list[tuple[synthetic.Query, list[tuple[str, float]]]] = []
        for query in query_list:
            started = time.perf_counter()
            matches = search(query.text, limit=10, threshold=lowest)
            latencies.append((time.perf_counter() - started) * 1000)
            results.append((query, [(m.external_id, m.score, normalise(m.matched_name).key) for m in matches]))
        latencies.sort()
        figures = {
            "latency_ms": {
                "p50": round(statistics.median(latencies), 1),
                "p95": round(latencies[max(0, round(len(latencies) * 0.95) - 1)], 1),
                "max": round(latencies[-1], 1),
                "mean": round(statistics.fmean(latencies), 1),
            },
        }
        for level in sorted({threshold, *EXTRA_THRESHOLDS}):
            figures[f"at_{level:g}"] = _quality(results, level)
        return figures

    def _print(self, f: dict) -> None:
        w = self.stdout.write
        w("")
        w(f"database            {f['database']}")
        w(f"entries / queries   {f['entries']:,} / {f['queries']:,}")
        if "import_seconds" in f:
            w(f"import              {f['import_seconds']} s ({f['imported_names']:,} names, "
              f"{f['imported_identifiers']:,} identifiers)")
            cpu = f["import_cpu_seconds"]
            w(f"import CPU          {cpu['this_process']} s this process, {cpu['workers']} s workers, "
              f"{cpu['postgresql_backend']} s PostgreSQL backend")
        lat = f["latency_ms"]
        w(f"query latency       p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms, mean {lat['mean']} ms")
        for key in sorted(k for k in f if k.startswith("at_")):
            q = f[key]
            marker = "  <- configured" if float(key[3:]) == f["threshold"] else ""
            w(f"threshold {key[3:]:>5}     recall {q['recall']:.3f}, alert precision {q['alert_precision']:.3f}, "
              f"hit precision {q['hit_precision']:.3f}, negatives flagged {q['negatives_flagged']}{marker}")
        q = f[f"at_{f['threshold']:g}"]
        w("recall by kind      " + ", ".join(f"{kind} {value:.3f}" for kind, value in q["recall_by_kind"].items()))
        w(f"peak memory         {f['peak_rss_megabytes']} MB in this process, {f['peak_rss_workers_megabytes']} MB "
          "in the largest import worker (max RSS; PostgreSQL not included)")
        w(f"load average        {f['load_average_at_start']} at start, {f['load_average_at_end']} at end "
          "(1, 5, 15 min; other work on the machine)")


def _backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _quality(results, threshold: float) -> dict:
    """Recall: positive queries whose target (or a namesake: an entry listed under exactly the
    same name) scored at least ``threshold``.

    Alert precision: of the queries with any hit at that level, those that are positive and
    found their target (an investigator reviews alerts). Hit precision: of all hits at that
    level, those that are the target or a namesake (the others are look-alike entries).
    """
    found_by_kind: dict[str, list[bool]] = defaultdict(list)
    alerts = correct_alerts = hits = correct_hits = negatives_flagged = 0
    for query, matches in results:
        above = [(external_id, key) for external_id, score, key in matches if score >= threshold]
        right = [query.target is not None and (external_id == query.target or key in query.target_keys)
                 for external_id, key in above]
        hit_target = any(right)
        if query.target is not None:
            found_by_kind[query.kind].append(hit_target)
        elif above:
            negatives_flagged += 1
        if above:
            alerts += 1
            correct_alerts += int(hit_target)
            hits += len(above)
            correct_hits += sum(right)
    positives = [found for values in found_by_kind.values() for found in values]
    kinds = Counter({kind: sum(values) / len(values) for kind, values in found_by_kind.items()})
    return {
        "recall": round(sum(positives) / len(positives), 4) if positives else 0.0,
        "alert_precision": round(correct_alerts / alerts, 4) if alerts else 1.0,
        "hit_precision": round(correct_hits / hits, 4) if hits else 1.0,
        "negatives_flagged": negatives_flagged,
        "recall_by_kind": {kind: round(kinds[kind], 3) for kind in synthetic.KINDS_POSITIVE if kind in kinds},
    }
