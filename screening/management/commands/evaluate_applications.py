"""Evaluate applications in background check by hand (the same service the Celery task calls)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from onboarding.enums import State
from onboarding.models import Application
from screening import services


class Command(BaseCommand):
    help = "Evaluate the given applications (or all in background check) unless their evaluation is current."

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="application ids; default: all in background check")

    def handle(self, *args, ids: list[int], **options) -> None:
        ids = ids or list(Application.objects.filter(state=State.BACKGROUND_CHECK).values_list("pk", flat=True))
        done = 0
        for application_id in ids:
            if services.evaluation_refresh(application_id=application_id) is not None:
                done += 1
        self.stdout.write(f"{done} of {len(ids)} applications evaluated.")
