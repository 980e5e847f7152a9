"""python manage.py webhooks_tick — what the beat entry does: send due webhook retries now."""

from django.core.management.base import BaseCommand

from api.tasks import webhooks_tick


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (retries and lost sends) and prune old idempotency keys."

    def handle(self, *args, **options) -> None:
        result = webhooks_tick()
        self.stdout.write(f"{result['attempted']} deliveries attempted, {result['idempotency_pruned']} keys pruned.")
