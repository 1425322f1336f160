import os
import secrets

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.persons.models import Organisation


class Command(BaseCommand):
    help = (
        "Create the first administrator (TANDEM_ADMIN_USER, default 'admin') unless one "
        "exists; prints a generated password once unless TANDEM_ADMIN_PASSWORD is set."
    )

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        username = os.environ.get("TANDEM_ADMIN_USER", "admin")
        existing = user_model.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                _(
                    "An administrator already exists; log in with your account "
                    "(forgotten password: tandem changepassword %(username)s)."
                )
                % {"username": existing.get_username()}
            )
            return
        password = os.environ.get("TANDEM_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        else:
            try:
                password_validation.validate_password(password, user_model(username=username))
            except ValidationError as error:
                raise CommandError(
                    _("TANDEM_ADMIN_PASSWORD is not accepted: %(reasons)s")
                    % {"reasons": " ".join(error.messages)}
                ) from None
        with transaction.atomic():
            admin = user_model.objects.create_superuser(username=username, password=password)
            # The organisation created by populate before any user existed becomes the
            # administrator's.
            Organisation.objects.filter(owner__isnull=True).update(owner=admin)
        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Administrator created. Log in as “%(username)s” with the password "
                        "%(password)s — it is shown only this once."
                    )
                    % {"username": username, "password": password}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Administrator created. Log in as “%(username)s” with the password "
                        "from TANDEM_ADMIN_PASSWORD."
                    )
                    % {"username": username}
                )
            )
