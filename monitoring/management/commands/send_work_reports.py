"""E-mail the weekly work report of each department (the Monday task), once per person and week."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from monitoring.enums import Trigger
from monitoring.progress import ProgressBar
from monitoring.reports import DEPARTMENT_STAGES, report_week, work_reports_send


class Command(BaseCommand):
    help = "Send each department's work report for last week (or --week YYYY-MM-DD, any day of that week)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--week", type=date.fromisoformat, default=None, help="a day of the week to report")

    def handle(self, *args, **options) -> None:
        week = options["week"]
        if week is not None:
            week = week.fromordinal(week.toordinal() - week.weekday())
        week = week or report_week()
        bar = ProgressBar(self.stdout, len(DEPARTMENT_STAGES), "departments ")
        try:
            sent = work_reports_send(week=week, trigger=Trigger.COMMAND, progress=lambda done, total: bar.update(done))
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.finish()
        self.stdout.write(f"Week of {week}: {sent} report(s) sent.")
