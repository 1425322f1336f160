"""How entity values are shown on pages: one place, so lists and detail pages agree."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.core.models import Entity
from tandem.core.registry import EntityTypeInfo


@dataclass(frozen=True)
class ShownValue:
    """A value and how to render it: ``kind`` is text, email, url, lines, phones or address."""

    label: str
    kind: str
    value: Any


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, decimal.Decimal | int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def readable(value: Any) -> Any:
    """A history or conflict value (as JSON keeps it) as a person reads it: phones as
    "number (kind)", addresses as one line, lists joined by commas."""
    if isinstance(value, list):
        parts = [readable(item) for item in value]
        return ", ".join(str(part) for part in parts if part not in ("", None))
    if isinstance(value, dict):
        if "number" in value:
            from tandem.persons.validators import PHONE_KINDS

            kind = PHONE_KINDS.get(value.get("kind"), value.get("kind") or "")
            return f"{value['number']} ({kind})" if kind else str(value["number"])
        from tandem.persons.models import Address

        if set(value) <= set(Address.editable_fields):
            return str(Address(**value))
        return ", ".join(str(part) for part in value.values() if part)
    return value


def field_label(model: type[Entity], path: str) -> str:
    """The label of a field, or of the last field of a ``billing_address__city`` path."""
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return str(model._meta.get_field(last).verbose_name)


def path_value(entity: Entity, path: str) -> Any:
    value: Any = entity
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def shown_value(model: type[Entity], entity: Entity, path: str) -> ShownValue:
    """``entity``'s value at ``path`` as a page shows it (empty text when unset)."""
    label = capfirst(field_label(model, path))
    value = path_value(entity, path)
    name = path.rsplit("__", 1)[-1]
    field = model._meta.get_field(path.split("__")[0])
    if name == "phones":
        from tandem.persons.validators import PHONE_KINDS

        phones = [
            {
                "number": phone["number"],
                "kind": PHONE_KINDS.get(phone["kind"], phone["kind"]),
                "primary": phone.get("primary", False),
            }
            for phone in sorted(value or [], key=lambda phone: not phone.get("primary"))
        ]
        return ShownValue(label, "phones", phones)
    if isinstance(value, list):
        return ShownValue(label, "lines", [str(item) for item in value])
    if isinstance(field, models.EmailField) and value:
        return ShownValue(label, "email", value)
    if name == "website" and value:
        href = value if "://" in value else f"https://{value}"
        return ShownValue(label, "url", {"text": value, "href": href})
    if isinstance(value, models.Model) and path in getattr(model, "address_fields", ()):
        return ShownValue(label, "address", str(value))
    return ShownValue(label, "text", _text(value))


def birthday(entity: Entity) -> ShownValue | None:
    """Contacts' birthday: one line from day, month and optional year."""
    value = getattr(entity, "birthday", None)
    if value is None:
        return None
    if isinstance(value, tuple):
        month, day = value
        text = formats.date_format(datetime.date(2000, month, day), "MONTH_DAY_FORMAT")
    else:
        text = formats.date_format(value, "DATE_FORMAT")
    return ShownValue(_("Birthday"), "text", text)


BIRTHDAY_PARTS = ("birth_day", "birth_month", "birth_year")


def field_groups(info: EntityTypeInfo, entity: Entity) -> list[tuple[str, list[ShownValue]]]:
    """The type's field groups with the values ``entity`` has (empty ones left out)."""
    groups = []
    for title, names in info.field_groups:
        values = []
        for name in names:
            if name in BIRTHDAY_PARTS:
                if name == "birth_day" and (shown := birthday(entity)):
                    values.append(shown)
                continue
            shown = shown_value(info.model, entity, name)
            if shown.value not in ("", None, []):
                values.append(shown)
        if values:
            groups.append((title, values))
    return groups
