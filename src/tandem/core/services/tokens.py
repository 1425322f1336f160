"""API tokens: created (shown once), listed, revoked, and checked on each API request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.exceptions import PermissionDenied
from tandem.core.models import ApiToken, User

TOKEN_PREFIX = "tdm_"  # noqa: S105 (a marker, not a secret)
#: ``last_used`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    # The secret is 32 random bytes: a plain hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its secret, which is never stored."""
    name = (name or "").strip() or _("API token")
    max_length = ApiToken._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ValidationError({"name": _("At most %(max)s characters.") % {"max": max_length}})
    if any(ord(char) < 32 for char in name):
        raise ValidationError({"name": _("A name cannot contain control characters.")})
    if not user.is_active:
        raise PermissionDenied(
            _("“%(user)s” is deactivated: it cannot get a token.") % {"user": user}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], digest=_digest(secret)
    )
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


def revoke_token(*, user: User, token: ApiToken) -> None:
    """Delete ``token``; only its owner or a superuser may."""
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied(_("This token belongs to someone else."))
    token.delete()


def user_for_token(secret: str) -> User | None:
    """The active user a bearer secret belongs to, or None; notes when it was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
