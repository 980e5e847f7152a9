"""Raise alerts for overdue reviews and committee conditions now (the hourly task)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitoring.enums import Trigger
from monitoring.runs import overdue_check


class Command(BaseCommand):
    help = "Check overdue customer reviews and conditions, raise alerts, refresh the dashboard's figures."

    def handle(self, *args, **options) -> None:
        run = overdue_check(trigger=Trigger.COMMAND)
        if run is None:
            self.stdout.write("A check is already running.")
            return
        self.stdout.write(f"Run #{run.pk}: {run.evaluated:,} checked, {run.alerts_raised:,} alerts raised.")
