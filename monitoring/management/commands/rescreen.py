"""Screen monitored customers against the watchlists again (the task after a list import)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from monitoring import runs
from monitoring.enums import JobKind, Scope, Trigger
from monitoring.management.commands.reevaluate import finish_run
from onboarding.models import Customer


class Command(BaseCommand):
    help = "Screen every monitored customer (or --customer ID) against the watchlists and raise alerts for hits."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customer", type=int, metavar="ID", help="one customer, by id")

    def handle(self, *args, **options) -> None:
        customer_id = options["customer"]
        if customer_id is not None and not Customer.objects.filter(pk=customer_id).exists():
            raise CommandError(f"No customer with id {customer_id}.")
        run = runs.plan_run(
            kind=JobKind.RESCREEN, scope=Scope.CUSTOMER if customer_id else Scope.ALL, customer_id=customer_id,
            trigger=Trigger.COMMAND,
        )
        if run is None:
            self.stdout.write("No monitored customer to screen.")
            return
        self.stdout.write(f"Run #{run.pk}: {run.customers:,} customers in {run.chunks:,} chunks.")
        finish_run(self, run)
