from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tandem.core.exceptions import TandemError
from tandem.core.models import ApiToken
from tandem.core.services.tokens import create_token, revoke_token, tokens_of


class Command(BaseCommand):
    help = "Create, list and revoke API tokens (tandem token create <username> [--name N])."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = actions.add_parser("list", help="List a user's tokens (never their secret).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke a token by the id `list` shows.")
        revoke.add_argument("id", type=int)

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is called “%(user)s”.") % {"user": username})
        return user

    def handle(self, *args, **options) -> None:
        action = options["action"]
        try:
            if action == "create":
                token, secret = create_token(
                    user=self._user(options["username"]), name=options["name"]
                )
                self.stderr.write(
                    _("Token “%(name)s” created for %(user)s; it is shown only this once:")
                    % {"name": token.name, "user": token.user}
                )
                self.stdout.write(secret)
            elif action == "list":
                for token in tokens_of(self._user(options["username"])):
                    used = token.last_used.isoformat(timespec="minutes") if token.last_used else "-"
                    self.stdout.write(
                        f"{token.pk}\t{token.prefix}…\t{token.name}\t"
                        f"{token.created.isoformat(timespec='minutes')}\t{used}"
                    )
            else:
                token = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
                if token is None:
                    raise CommandError(_("No token has the id %(id)s.") % {"id": options["id"]})
                revoke_token(user=token.user, token=token)
                self.stdout.write(_("Token %(id)s revoked.") % {"id": options["id"]})
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except TandemError as error:
            raise CommandError(str(error)) from None
