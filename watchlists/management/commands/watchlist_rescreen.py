"""python manage.py watchlist_rescreen [--application ID ...] [--customer ID ...] [--open-applications]

The screening jobs by hand (the Celery tasks watchlists.screen_application,
watchlists.screen_customers and watchlists.screen_open_applications call the same services).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from watchlists import services


class Command(BaseCommand):
    help = "Screen applications or customers against the watchlists now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--application", type=int, action="append", default=[], help="application id")
        parser.add_argument("--customer", type=int, action="append", default=[], help="customer id")
        parser.add_argument("--open-applications", action="store_true",
                            help="every application in background check")

    def handle(self, *args, application: list[int], customer: list[int], open_applications: bool,
               **options) -> None:
        if not (application or customer or open_applications):
            raise CommandError("Name --application, --customer or --open-applications.")
        for application_id in application:
            run = services.screen_application(application_id=application_id)
            self.stdout.write(f"application {application_id}: {run.hits_found} hit(s)")
        if customer:
            for customer_id, new in services.screen_customers(customer).items():
                self.stdout.write(f"customer {customer_id}: {new} new hit(s)")
        if open_applications:
            count = services.screen_open_applications()
            self.stdout.write(f"{count} application(s) in background check screened")
