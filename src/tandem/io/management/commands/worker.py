from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run background jobs (imports) as they are queued; --batch runs what is waiting and exits."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run waiting jobs, then exit.")

    def handle(self, *args, batch: bool, **options) -> None:
        arguments = ["--batch"] if batch else []
        call_command("db_worker", *arguments, "--no-startup-delay", verbosity=options["verbosity"])
