"""python manage.py bench_matching [--parties N] [--build FOLDER]

The matching evaluation on official lists (watchlists.evaluation): imports the primary names
of the evaluation set's parties (OFAC SDN and UN samples, tests/watchlists/data/eval/), searches
every alias (must find its entry) and every primary name (must find no other entry but
namesakes), and prints recall by failure class and hit precision at 80, 85 and 90. Run it
against a database of its own: its list replaces any earlier one of the same name.
"""

from __future__ import annotations

import json
import os
import random
import time

from django.core.management.base import BaseCommand

from watchlists import conf, evaluation


class Command(BaseCommand):
    help = "Recall by failure class and precision of name matching on the official-list evaluation set."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--parties", type=int, default=0, help="a random sample of this many parties (0: all)")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--build", default="", help="first rebuild the set from this folder of official lists")
        parser.add_argument("--json", dest="json_path", default="")

    def handle(self, *args, parties: int, seed: int, build: str, json_path: str, **options) -> None:
        if build:
            self.stdout.write(f"built the set: {evaluation.build(build)} parties with aliases")
        chosen = evaluation.load()
        if parties:
            chosen = random.Random(seed).sample(chosen, min(parties, len(chosen)))
        threshold = conf.match_threshold()
        started = time.perf_counter()
        load = [round(x, 2) for x in os.getloadavg()]
        figures = evaluation.run(chosen, thresholds=(80.0, threshold, 90.0))
        figures["seconds"] = round(time.perf_counter() - started, 1)
        figures["load_average"] = [load, [round(x, 2) for x in os.getloadavg()]]
        w = self.stdout.write
        w(f"{figures['parties']:,} parties, {figures['alias_queries']:,} alias queries, "
          f"{figures['name_queries']:,} name queries in {figures['seconds']} s (load {load})")
        for key in sorted(k for k in figures if k.startswith("at_")):
            q = figures[key]
            marker = "  <- configured" if float(key[3:]) == threshold else ""
            w(f"threshold {key[3:]:>5}  recall {q['recall_matchable']:.3f} (all pairs {q['recall_all']:.3f}), "
              f"hit precision {q['hit_precision']:.3f}, names flagging another entry "
              f"{q['names_flagging_another_entry']}{marker}")
        w("recall by class at the configured threshold:")
        for kind, value in figures[f"at_{threshold:g}"]["by_class"].items():
            w(f"  {kind:<22} {value['recall']:.3f}  ({value['pairs']:,} pairs)")
        if json_path:
            with open(json_path, "w", encoding="utf-8") as out:
                json.dump(figures, out, indent=2, ensure_ascii=False)
