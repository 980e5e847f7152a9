"""python manage.py refresh_watchlists [--source NAME]: import sources again from their refresh path or URL."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from watchlists import services
from watchlists.models import WatchlistSource


class Command(BaseCommand):
    help = "Refresh the due watchlist sources (or one, due or not) from their configured path or URL."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", help="refresh this source now, due or not")

    def handle(self, *args, source: str | None, **options) -> None:
        if source:
            found = WatchlistSource.objects.filter(name=source).exclude(refresh_location="").first()
            if found is None:
                raise CommandError(f"No source “{source}” with a refresh path or URL.")
            ids = [found.pk]
        else:
            ids = services.sources_due()
        failed = 0
        for source_id in ids:
            change = services.source_refresh(source_id=source_id)
            name = change.source.name
            if change.error:
                failed += 1
                self.stderr.write(f"{name}: {change.error}")
            else:
                self.stdout.write(f"{name}: {change.added} added, {change.removed} removed, "
                                  f"{change.changed} changed.")
        if not ids:
            self.stdout.write("No source is due.")
        if failed:
            raise CommandError(f"{failed} refresh(es) failed; the previous lists stay in force.")
