"""Recompute every customer's outcome from its invoices (the daily task does the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from outcomes.services import outcomes_recompute


class Command(BaseCommand):
    help = "Recompute days past due, exposure and monthly outcomes of every customer with invoices."

    def handle(self, *args, **options) -> None:
        count = outcomes_recompute()
        self.stdout.write(f"{count:,} customers recomputed.")
