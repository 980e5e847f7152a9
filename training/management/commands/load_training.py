from django.core.management.base import BaseCommand

from training.content.load import load_content


class Command(BaseCommand):
    help = "Create the shipped playbooks, courses and required training that are missing (edits are kept)."

    def handle(self, *args, **options) -> None:
        created = load_content()
        self.stdout.write(f"{created} course(s) created.")
