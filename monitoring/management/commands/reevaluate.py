"""Re-evaluate customers now, with the service the Celery tasks call (``monitoring.runs``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from monitoring import runs
from monitoring.enums import JobKind, RunStatus, Scope, Trigger
from monitoring.models import JobRun
from monitoring.progress import ProgressBar
from onboarding.models import Customer
from screening.selectors import published_compiled


class Command(BaseCommand):
    help = (
        "Re-evaluate admitted customers with the published scorecard and raise early-warning alerts. "
        "--due (default): customers due today; --all: every monitored customer; --customer ID: one. "
        "Joins a run of the same scope that is already running."
    )

    def add_arguments(self, parser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--due", action="store_true", help="customers due for re-evaluation today (default)")
        scope.add_argument("--all", action="store_true", help="every monitored customer")
        scope.add_argument("--customer", type=int, metavar="ID", help="one customer, by id")
        parser.add_argument("--chunk-size", type=int, default=None, help="customers per transaction")

    def handle(self, *args, **options) -> None:
        if published_compiled() is None:
            raise CommandError("No scorecard version is published; a risk manager must publish one.")
        scope, customer_id = Scope.DUE, None
        if options["all"]:
            scope = Scope.ALL
        elif options["customer"] is not None:
            scope, customer_id = Scope.CUSTOMER, options["customer"]
            if not Customer.objects.filter(pk=customer_id).exists():
                raise CommandError(f"No customer with id {customer_id}.")
        run = runs.plan_run(
            kind=JobKind.REEVALUATION, scope=scope, customer_id=customer_id, trigger=Trigger.COMMAND,
            chunk_size=options["chunk_size"],
        )
        if run is None:
            self.stdout.write("Nothing to re-evaluate.")
            return
        self.stdout.write(f"Run #{run.pk}: {run.customers:,} customers in {run.chunks:,} chunks.")
        finish_run(self, run)


def finish_run(command: BaseCommand, run: JobRun) -> None:
    """Work on ``run`` in this process until it is over (other workers may help)."""
    bar = ProgressBar(command.stdout, run.customers)
    while True:
        result = runs.work(run_id=run.pk, budget=3600, progress=lambda outcome: bar.advance(outcome.customers))
        if result.finished:
            break
        time.sleep(1)  # the remaining chunks are being done by other workers
    bar.finish()
    run.refresh_from_db()
    command.stdout.write(
        f"Run #{run.pk} {run.get_status_display().lower()}: {run.evaluated:,} evaluated, "
        f"{run.alerts_raised:,} alerts raised, {run.errors:,} errors."
    )
    if run.status == RunStatus.FAILED:
        raise CommandError("The run failed; see its error messages on the run page.")
