"""Writes on user accounts' own preferences."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tandem.core.models import User


def set_user_language(*, user: User, language: str) -> None:
    """Remember ``user``'s language (``""``: follow the browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language “%(code)s”.") % {"code": language}})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
