"""List endpoints: exact filters, ``?order=`` on several fields, and cursor pagination.

The cursor is a keyset ("the rows after this one" on every ordering key, then the primary
key), so the last page costs what the first does. Empty values sort last in both directions
on every database.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from tandem.api.fields import ApiField, find_choice, find_user
from tandem.api.problems import ApiProblem
from tandem.core.search import search_words_q
from tandem.persons.models import Address

MAX_ORDER_KEYS = 4


@dataclass(frozen=True)
class Sortable:
    """A key ``?order=`` accepts: its name in the API and its path in the database."""

    name: str
    path: str
    #: Whether the key can be empty (NULL): such keys sort their empty values last, which
    #: costs an index; the others sort plainly, on their index when there is one.
    nullable: bool = True


def sortable_keys(fields: list[ApiField]) -> dict[str, Sortable]:
    keys = {name: Sortable(name, name, False) for name in ("created", "modified", "version")}
    keys["label"] = Sortable("label", "sort_label", False)  # ignoring case and accents
    for api_field in fields:
        if api_field.kind in {"text", "integer", "decimal", "date", "datetime", "boolean"}:
            keys[api_field.name] = Sortable(api_field.name, api_field.name, api_field.nullable)
        elif api_field.kind == "choice":
            keys[api_field.name] = Sortable(api_field.name, f"{api_field.name}__name")
        elif api_field.kind == "user":
            keys[api_field.name] = Sortable(api_field.name, f"{api_field.name}__username")
        elif api_field.kind == "address":
            for part in Address.editable_fields:
                name = f"{api_field.name}__{part}"
                keys[name] = Sortable(name, name)
    return keys


def filter_keys(fields: list[ApiField]) -> dict[str, ApiField | str]:
    """``?<field>=`` filters: the field itself, or the address part's name."""
    keys: dict[str, ApiField | str] = {}
    for api_field in fields:
        if api_field.kind in {"phones", "emails", "json"}:
            continue
        if api_field.kind == "address":
            for part in Address.editable_fields:
                keys[f"{api_field.name}__{part}"] = "text"
        else:
            keys[api_field.name] = api_field
    return keys


def _parse_filter(name: str, api_field: ApiField | str, raw: str) -> Q:
    kind = api_field if isinstance(api_field, str) else api_field.kind

    def invalid(message: str) -> ApiProblem:
        return ApiProblem(
            400, _("Some values are not valid: see “errors”."), errors={name: [message]}
        )

    if kind == "text":
        if raw == "" and "__" in name:
            # An address part is empty when the part is, or when there is no address at all.
            return Q(**{name: ""}) | Q(**{f"{name.split('__')[0]}__isnull": True})
        return Q(**{name: raw})
    if raw == "":
        return Q(**{f"{name}__isnull": True})
    try:
        if kind == "integer":
            value = int(raw)
            if abs(value) > 2**63 - 1:
                raise ValueError
            return Q(**{name: value})
        if kind == "decimal":
            number = decimal.Decimal(raw)
            if not number.is_finite() or abs(number) >= decimal.Decimal(10) ** 18:
                raise ValueError
            return Q(**{name: number})
        if kind == "date":
            return Q(**{name: datetime.date.fromisoformat(raw)})
        if kind == "datetime":
            return Q(**{name: datetime.datetime.fromisoformat(raw)})
    except (ValueError, ArithmeticError):
        raise invalid(
            _("“%(value)s” is not a valid value for this field.") % {"value": raw}
        ) from None
    if kind == "boolean":
        if raw.lower() not in {"true", "false", "1", "0"}:
            raise invalid(_("Give true or false."))
        return Q(**{name: raw.lower() in {"true", "1"}})
    if kind == "choice":
        try:
            return Q(**{name: find_choice(api_field, raw)})
        except Exception as error:
            raise invalid(" ".join(getattr(error, "messages", [str(error)]))) from None
    if kind == "user":
        try:
            return Q(**{name: find_user(name, raw)})
        except Exception as error:
            raise invalid(" ".join(getattr(error, "messages", [str(error)]))) from None
    raise invalid(_("This field cannot be filtered on."))


def apply_filters(
    queryset: QuerySet, fields: list[ApiField], params: dict[str, Any], *, text: str | None
) -> QuerySet:
    """Exact ``?<field>=`` filters (``&`` between them) and the ``?q=`` folded search."""
    keys = filter_keys(fields)
    for name, raw in params.items():
        if raw is None or name not in keys:
            continue
        queryset = queryset.filter(_parse_filter(name, keys[name], raw))
    queryset = queryset.filter(search_words_q(text or ""))
    return queryset


def parse_order(
    order: str | None, keys: dict[str, Sortable], default: str
) -> list[tuple[Sortable, bool]]:
    """``"name,-modified"`` as ``[(key, descending)]``; 400 naming the unknown keys."""
    terms = [term.strip() for term in (order or default).split(",") if term.strip()]
    result, unknown = [], []
    for term in terms:
        descending = term.startswith("-")
        key = keys.get(term.lstrip("-+"))
        if key is None:
            unknown.append(term.lstrip("-+") or term)
        elif all(existing.name != key.name for existing, _desc in result):
            result.append((key, descending))
    if unknown or len(result) > MAX_ORDER_KEYS or not result:
        if unknown:
            message = _("Cannot sort on %(keys)s. Possible keys: %(known)s.") % {
                "keys": ", ".join(unknown),
                "known": ", ".join(sorted(keys)),
            }
        else:
            message = _("Sort on one to %(max)s keys.") % {"max": MAX_ORDER_KEYS}
        raise ApiProblem(
            400, _("Some values are not valid: see “errors”."), errors={"order": [message]}
        )
    return result


# -- cursors ---------------------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"n": str(value)}
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        ((tag, raw),) = value.items()
        return {
            "dt": datetime.datetime.fromisoformat,
            "d": datetime.date.fromisoformat,
            "n": decimal.Decimal,
        }[tag](raw)
    if value is None or isinstance(value, str | int | bool):
        return value
    raise ValueError(value)


def encode_cursor(order_signature: str, values: list[Any], pk: int) -> str:
    raw = json.dumps(
        {"o": order_signature, "v": [_encode_value(v) for v in values], "k": pk},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order_signature: str, width: int) -> tuple[list[Any], int]:
    """The keyset values and pk of a cursor made for this same ordering; 400 otherwise."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = [_decode_value(value) for value in data["v"]]
        pk = data["k"]
        if data["o"] != order_signature or len(values) != width or not isinstance(pk, int):
            raise ValueError
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, ArithmeticError):
        raise ApiProblem(
            400,
            _("Some values are not valid: see “errors”."),
            errors={
                "cursor": [
                    _(
                        "This cursor is not one this list gave with the same order: start "
                        "again without it."
                    )
                ]
            },
        ) from None
    return values, pk


def _after(keys: list[tuple[str, bool, bool]], values: list[Any], pk: int) -> Q:
    """Rows strictly after (values, pk) in the order of ``keys`` (name, descending,
    nullable), empty values last."""
    if not keys:
        return Q(pk__gt=pk)
    (name, descending, nullable), rest = keys[0], keys[1:]
    value = values[0]
    deeper = _after(rest, values[1:], pk)
    if value is None:
        return Q(**{f"{name}__isnull": True}) & deeper
    beyond = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
    if nullable:
        beyond |= Q(**{f"{name}__isnull": True})
    return beyond | (Q(**{name: value}) & deeper)


def _value(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


@dataclass
class CursorPage:
    rows: list[Any]
    next: str | None


def cursor_page(
    queryset: QuerySet,
    order: list[tuple[Sortable, bool]],
    *,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """One page in ``order`` (then pk), after ``cursor``: one query."""
    signature = ",".join(("-" if desc else "") + key.name for key, desc in order)
    # Plain paths for keys that cannot be empty (so the database can walk an index), an
    # alias with "empty last" for the others.
    keys = [
        (f"_order_{index}" if key.nullable else key.path, desc, key.nullable)
        for index, (key, desc) in enumerate(order)
    ]
    queryset = queryset.annotate(
        **{
            name: F(key.path)
            for (name, _desc, nullable), (key, _d) in zip(keys, order, strict=True)
            if nullable
        }
    )
    if cursor:
        values, pk = decode_cursor(cursor, signature, len(order))
        queryset = queryset.filter(_after(keys, values, pk))
        first, descending, nullable = keys[0]
        if not nullable:
            # The same rows, with a bound the database can start an index range scan from
            # (it cannot from the OR above).
            queryset = queryset.filter(**{f"{first}__{'lte' if descending else 'gte'}": values[0]})
    ordering = [
        (F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True))
        if nullable
        else (f"-{name}" if desc else name)
        for name, desc, nullable in keys
    ] + ["pk"]
    rows = list(queryset.order_by(*ordering)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(
            signature, [_value(last, name) for name, _desc, _nullable in keys], last.pk
        )
    return CursorPage(rows, next_cursor)


def id_page(
    queryset: QuerySet, *, limit: int, cursor: str | None, descending: bool = False
) -> CursorPage:
    """Pages in primary key order, for relations and history."""
    signature = "-id" if descending else "id"
    if cursor:
        _values, pk = decode_cursor(cursor, signature, 0)
        queryset = queryset.filter(**{"pk__lt" if descending else "pk__gt": pk})
    rows = list(queryset.order_by("-pk" if descending else "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return CursorPage(rows, encode_cursor(signature, [], rows[-1].pk) if more and rows else None)
