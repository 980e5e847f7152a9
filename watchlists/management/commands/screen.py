"""python manage.py screen "NAME" [--country CC] [--limit N] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from watchlists.matching import search


class Command(BaseCommand):
    help = "Search the watchlists for a name, with the same code as the application."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--country", default=None, help="ISO country code: leave out other countries' entries")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="print a JSON list (entry_id, name, matched_name, "
                                                                "score, source, list_entry_id), best first")

    def handle(self, *args, name: str, country: str | None, limit: int, json: bool, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        matches = search(name, country=country, limit=limit)
        if json:
            self.stdout.write(_dumps([match.as_json() for match in matches]))
            return
        if not matches:
            self.stdout.write("No match.")
        for match in matches:
            self.stdout.write(f"{match.score:5.1f}  {match.matched_name}  [{match.source} {match.external_id}]"
                              f"  {match.name}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
