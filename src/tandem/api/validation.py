"""Input types that refuse what databases cannot store, and translated validation messages.

Pydantic's own messages are English only; clients get the same translated sentences as the
web UI, keyed by the field they are about.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError


def _storable(value: str) -> str:
    """Strip surrounding spaces (as the web forms do) and refuse NUL characters (PostgreSQL
    cannot store them) and lone surrogates (not encodable in UTF-8)."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("unencodable", "unencodable text") from None
    return value.strip()


#: Text a database can store.
Text = Annotated[str, AfterValidator(_storable)]


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field does not exist or cannot be set."),
        "string_type": _("Give a text."),
        "string_too_long": _("At most %(max)s characters.")
        % {"max": context.get("max_length", "")},
        "string_too_short": _("This field cannot be empty."),
        "int_type": _("Give a whole number."),
        "int_parsing": _("Give a whole number."),
        "int_from_float": _("Give a whole number."),
        "greater_than_equal": _("At least %(min)s.") % {"min": context.get("ge", "")},
        "less_than_equal": _("At most %(max)s.") % {"max": context.get("le", "")},
        "bool_type": _("Give true or false."),
        "bool_parsing": _("Give true or false."),
        "date_type": _("Give a date as YYYY-MM-DD."),
        "date_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_inexact": _("Give a date as YYYY-MM-DD."),
        "decimal_type": _("Give a number."),
        "decimal_parsing": _("Give a number."),
        "finite_number": _("Give a finite number."),
        "uuid_type": _("Give a UUID."),
        "uuid_parsing": _("Give a UUID."),
        "list_type": _("Give a list."),
        "dict_type": _("Give an object."),
        "model_type": _("Give an object."),
        "model_attributes_type": _("Give an object."),
        "literal_error": _("Give one of: %(values)s.")
        % {"values": str(context.get("expected", "")).replace(" or ", ", ")},
        "enum": _("Give one of: %(values)s.") % {"values": context.get("expected", "")},
        "nul_character": _("NUL characters cannot be stored."),
        "unencodable": _("This text contains characters that cannot be stored."),
        "too_long": (
            _("At most %(max)s items.")
            if context.get("field_type") == "List"
            else _("At most %(max)s characters.")
        )
        % {"max": context.get("max_length", "")},
        "json_invalid": _("The request body is not valid JSON."),
        "too_short": _("This field cannot be empty."),
        "decimal_max_digits": _("At most %(max)s digits.") % {"max": context.get("max_digits", "")},
        "decimal_max_places": _("At most %(max)s digits after the decimal point.")
        % {"max": context.get("decimal_places", "")},
        "decimal_whole_digits": _("At most %(max)s digits before the decimal point.")
        % {"max": context.get("whole_digits", "")},
    }
    return messages.get(kind, _("This value is not valid."))


#: Parts of a location that say where a parameter came from, not which field it is.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "payload", "filters"}


def field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Ninja's error list as ``{"field.sub.0": [translated messages]}``."""
    result: dict[str, list[str]] = {}
    for error in errors:
        location = list(error.get("loc", ()))
        while location and str(location[0]) in _SOURCES:
            location.pop(0)
        # Unions add the tried type's name to the location: drop those parts.
        parts = [
            str(part)
            for part in location
            if not ((isinstance(part, str) and part[:1].isupper()) or "[" in str(part))
        ]
        key = ".".join(parts) or "non_field_errors"
        result.setdefault(key, [])
        message = _message(error)
        if message not in result[key]:
            result[key].append(message)
    return result
