import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = (
        "Migrate the database, populate default data and create the first administrator; "
        "--demo (or TANDEM_DEMO=1) adds the demo data too."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--demo", action="store_true", help="Add the demo data (`demo`).")

    def handle(self, *args, demo: bool = False, **options) -> None:
        call_command("migrate", interactive=False, verbosity=options["verbosity"] and 1)
        call_command("createadmin")
        call_command("populate")
        if demo or os.environ.get("TANDEM_DEMO", "").lower() in {"1", "true", "yes"}:
            call_command("demo")
        elif options["verbosity"]:
            self.stdout.write(
                _(
                    "Demo data (503 S&P 500 companies, contacts, relations): "
                    "TANDEM_DEMO=1 make run, or .venv/bin/tandem demo."
                )
            )
