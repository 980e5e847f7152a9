"""Queue again the work a broker outage or a dead worker left undone (what each tick does)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitoring import runs
from monitoring.enums import LostWork, Trigger
from monitoring.reconcile import lost_work, reconcile


class Command(BaseCommand):
    help = (
        "Find the work that should have happened and did not (screenings, evaluations, credit profiles, "
        "notification e-mails, abandoned job runs) and queue it again; also resume unfinished monitoring runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be queued; change nothing.")
        parser.add_argument(
            "--inline", action="store_true",
            help="Do the work in this process instead of queueing it (when the broker is down).",
        )

    def handle(self, *args, dry_run: bool = False, inline: bool = False, **options) -> None:
        labels = dict(LostWork.choices)
        if dry_run:
            found = lost_work()
            for kind, ids in found.items():
                shown = ", ".join(str(pk) for pk in ids[:50]) + (" …" if len(ids) > 50 else "")
                self.stdout.write(f"{labels[kind]}: {len(ids)}" + (f" ({shown})" if ids else ""))
            self.stdout.write(f"Would queue {sum(len(ids) for ids in found.values())} item(s); nothing was queued.")
            return
        resumed = runs.resume_unfinished() if not inline else []
        record = reconcile(trigger=Trigger.COMMAND, inline=inline, runs_resumed=len(resumed))
        if record is None:
            self.stdout.write("Another reconciliation is running.")
            return
        verb = "done here" if inline else "queued again"
        for kind, label in labels.items():
            self.stdout.write(f"{label}: {record.counts.get(kind, 0)} {verb}")
        self.stdout.write(f"Unfinished runs resumed: {record.runs_resumed}. Could not be queued: {record.not_queued}.")
        for message in record.error_log:
            self.stderr.write(message)
