"""Validators for the persons' multi-valued fields and French company identifiers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PHONE_KINDS = {
    "work": gettext_lazy("work"),
    "mobile": gettext_lazy("mobile"),
    "home": gettext_lazy("home"),
    "fax": gettext_lazy("fax"),
    "pager": gettext_lazy("pager"),
    "other": gettext_lazy("other"),
}
PHONE_MAX_LENGTH = 50


def validate_phones(value: Any) -> None:
    """A list of ``{"kind", "number", "primary"}`` with known kinds and at most one primary."""
    if not isinstance(value, list):
        raise ValidationError(_("Phone numbers must be a list."))
    primaries = 0
    for position, phone in enumerate(value, start=1):
        if not isinstance(phone, dict) or set(phone) - {"kind", "number", "primary"}:
            raise ValidationError(
                _("Phone number %(position)s must have a kind, a number and a primary flag.")
                % {"position": position}
            )
        if phone.get("kind") not in PHONE_KINDS:
            raise ValidationError(
                _("Phone number %(position)s: “%(kind)s” is not a kind of phone (%(kinds)s).")
                % {"position": position, "kind": phone.get("kind"), "kinds": ", ".join(PHONE_KINDS)}
            )
        number = phone.get("number")
        if not isinstance(number, str) or not number.strip():
            raise ValidationError(_("Phone number %(position)s is empty.") % {"position": position})
        if len(number) > PHONE_MAX_LENGTH:
            raise ValidationError(
                _("Phone number %(position)s is longer than %(max)s characters.")
                % {"position": position, "max": PHONE_MAX_LENGTH}
            )
        if not isinstance(phone.get("primary", False), bool):
            raise ValidationError(
                _("Phone number %(position)s: “primary” must be true or false.")
                % {"position": position}
            )
        primaries += bool(phone.get("primary"))
    if primaries > 1:
        raise ValidationError(_("Only one phone number can be the primary one."))


def normalise_phones(phones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Strip numbers and make the first number primary when none is."""
    normalised = [
        {
            "kind": phone.get("kind", "other"),
            "number": str(phone.get("number", "")).strip(),
            "primary": bool(phone.get("primary", False)),
        }
        for phone in phones
    ]
    if normalised and not any(phone["primary"] for phone in normalised):
        normalised[0]["primary"] = True
    return normalised


def validate_extra_emails(value: Any) -> None:
    """A list of valid e-mail addresses."""
    if not isinstance(value, list):
        raise ValidationError(_("Other e-mail addresses must be a list."))
    validator = EmailValidator()
    for email in value:
        try:
            validator(email)
        except ValidationError:
            raise ValidationError(
                _("“%(email)s” is not a valid e-mail address.") % {"email": email}
            ) from None


def validate_website(value: str) -> None:
    """A web address, with or without ``https://``: ``example.com``, ``https://example.com/x``.
    Other schemes (``javascript:``…) and text with spaces are refused."""
    from urllib.parse import urlsplit

    from django.core.validators import URLValidator

    candidate = value.strip()
    if "://" not in candidate:
        candidate = f"https://{candidate}"
    message = _("“%(value)s” is not a web address (e.g. example.com).") % {"value": value}
    if urlsplit(candidate).scheme.lower() not in {"http", "https"}:
        raise ValidationError(message)
    try:
        URLValidator(schemes=["http", "https"])(candidate)
    except ValidationError:
        raise ValidationError(message) from None


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char) * (2 if index % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def _validate_luhn_number(value: str, length: int, name: str) -> None:
    digits = value.replace(" ", "")
    if not (digits.isdigit() and len(digits) == length):
        raise ValidationError(
            _("A %(name)s has %(length)s digits.") % {"name": name, "length": length}
        )
    if not _luhn_ok(digits):
        raise ValidationError(
            _("This %(name)s is not valid (its check digit is wrong).") % {"name": name}
        )


def validate_siren(value: str) -> None:
    _validate_luhn_number(value, 9, "SIREN")


def validate_siret(value: str) -> None:
    _validate_luhn_number(value, 14, "SIRET")
