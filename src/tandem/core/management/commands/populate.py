from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tandem.core.populate import populate_all


class Command(BaseCommand):
    help = "Create Tandem's default data (relation types, choice lists…); safe to run again."

    def handle(self, *args, **options) -> None:
        populate_all()
        if options["verbosity"]:
            self.stdout.write(_("Default data is in place."))
