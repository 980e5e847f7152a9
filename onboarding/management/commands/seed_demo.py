"""Create demo users and data for trying Vetted out; safe to run again (creates nothing twice)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from onboarding.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = (
        "Create demo users (one shared, printed password) and demo applications. Idempotent. "
        "Each app may add its own part with seed_<app label>(stdout) in its demo module."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-without-debug", action="store_true",
            help="Run even though DEBUG is off. The demo password is public: never do this on a real system.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "seed_demo creates users with a published password and runs only with DEBUG=1 "
                "(or --allow-without-debug on a throw-away system)."
            )
        # INSTALLED_APPS order is the layering order (accounts, onboarding, screening, ...),
        # so each app's demo data can build on the data of the apps below it.
        for app_config in apps.get_app_configs():
            if not module_has_submodule(app_config.module, "demo"):
                continue
            seed = getattr(import_module(f"{app_config.name}.demo"), f"seed_{app_config.label}", None)
            if seed is not None:
                seed(self.stdout)
        self.print_logins()

    def print_logins(self) -> None:
        rows = [(u.username, f"{u.role.value} ({u.role_zh})", DEMO_PASSWORD) for u in DEMO_USERS]
        header = ("username", "role", "password")
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(3)]
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write("\nDemo logins (users that existed before keep their password):")
        self.stdout.write(rule)
        for row in [header, None, *rows]:
            if row is None:
                self.stdout.write(rule)
                continue
            self.stdout.write("| " + " | ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) + " |")
        self.stdout.write(rule)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
