"""``python manage.py funnel_refresh [--all]``: bring the funnel's summary up to date (after a bulk load or a restore)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from analysis.funnel import stays_refresh


class Command(BaseCommand):
    help = "Rebuild the funnel summary of applications with new state changes (--all: of every application)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", dest="everything",
                            help="Rebuild every application's stays, not only those with new state changes.")

    def handle(self, *args, everything: bool = False, **options) -> None:
        rebuilt = stays_refresh(everything=everything)
        self.stdout.write(f"Funnel summary rebuilt for {rebuilt} applications.")
