"""Saved filters: conditions on fields, dates, properties and relations, turned into one query.

A filter is stored as plain JSON (``EntityFilter.conditions``) so that the web editor, the API
and the command line share one shape. ``parse_conditions`` checks that shape and names the
faulty condition; ``filter_q`` turns a saved filter into a ``Q`` on its entity type's model.

Relation conditions read the relation table from the *other* side when they can: "customer of
A" is "the objects of A's *is a supplier of* relations", which the unique (subject, type,
object) index answers without visiting a single contact that is not one.
"""

from __future__ import annotations

import calendar
import datetime
import decimal
import functools
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.search import Folded, fold

if TYPE_CHECKING:
    from tandem.core.models import EntityFilter, User

MAX_CONDITIONS = 50
MAX_VALUES = 50
MAX_VALUE_LENGTH = 200
#: How deep filters may use other filters; a chain beyond it is refused as a likely mistake.
MAX_DEPTH = 10

MATCH_ALL, MATCH_ANY = "all", "any"

# Condition kinds ("type" in the JSON).
FIELD, DATE, PROPERTY, RELATION, RELATION_FILTER, INCLUDE = (
    "field",
    "date",
    "property",
    "relation",
    "relation_filter",
    "filter",
)
CONDITION_TYPES = (FIELD, DATE, PROPERTY, RELATION, RELATION_FILTER, INCLUDE)

# Field kinds, and the operators each accepts.
TEXT, NUMBER, BOOLEAN, CHOICE, USER, DATE_KIND = (
    "text",
    "number",
    "boolean",
    "choice",
    "user",
    "date",
)
TEXT_OPERATORS = (
    "iequals",
    "icontains",
    "istartswith",
    "iendswith",
    "equals",
    "contains",
    "startswith",
    "endswith",
    "empty",
)
NUMBER_OPERATORS = ("equals", "gt", "gte", "lt", "lte", "between", "empty")
OPERATORS = {
    TEXT: TEXT_OPERATORS,
    NUMBER: NUMBER_OPERATORS,
    BOOLEAN: ("true", "false"),
    CHOICE: ("in", "empty"),
    USER: ("in", "empty"),
}
#: Operators that take no value.
NO_VALUE = frozenset({"empty", "true", "false"})

OPERATOR_LABELS = {
    "iequals": gettext_lazy("is"),
    "icontains": gettext_lazy("contains"),
    "istartswith": gettext_lazy("starts with"),
    "iendswith": gettext_lazy("ends with"),
    "equals": gettext_lazy("is exactly (same case and accents)"),
    "contains": gettext_lazy("contains exactly (same case and accents)"),
    "startswith": gettext_lazy("starts exactly with (same case and accents)"),
    "endswith": gettext_lazy("ends exactly with (same case and accents)"),
    "empty": gettext_lazy("is empty"),
    "gt": gettext_lazy("is greater than"),
    "gte": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "between": gettext_lazy("is between"),
    "true": gettext_lazy("is yes"),
    "false": gettext_lazy("is no"),
    "in": gettext_lazy("is one of"),
}
#: The number operators' "equals" reads differently from the text one.
NUMBER_EQUALS_LABEL = gettext_lazy("equals")

DATE_RANGES = (
    "today",
    "yesterday",
    "tomorrow",
    "current_month",
    "previous_month",
    "next_month",
    "current_quarter",
    "previous_quarter",
    "next_quarter",
    "current_year",
    "previous_year",
    "next_year",
    "past",
    "future",
    "between",
    "empty",
    "not_empty",
)
DATE_RANGE_LABELS = {
    "today": gettext_lazy("today"),
    "yesterday": gettext_lazy("yesterday"),
    "tomorrow": gettext_lazy("tomorrow"),
    "current_month": gettext_lazy("this month"),
    "previous_month": gettext_lazy("last month"),
    "next_month": gettext_lazy("next month"),
    "current_quarter": gettext_lazy("this quarter"),
    "previous_quarter": gettext_lazy("last quarter"),
    "next_quarter": gettext_lazy("next quarter"),
    "current_year": gettext_lazy("this year"),
    "previous_year": gettext_lazy("last year"),
    "next_year": gettext_lazy("next year"),
    "past": gettext_lazy("in the past"),
    "future": gettext_lazy("in the future"),
    "between": gettext_lazy("between two dates"),
    "empty": gettext_lazy("empty"),
    "not_empty": gettext_lazy("not empty"),
}

#: Entity columns a filter never offers: internal, or served better by another condition.
_HIDDEN = frozenset(
    {
        "id",
        "uuid",
        "entity_type",
        "entity_ptr",
        "is_deleted",
        "version",
        "search_text",
        "sort_label",
    }
)


class FilterBroken(Exception):
    """A saved filter names something that is gone (a relation type, an entity, a filter)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class FilterField:
    """A field a condition may test: its path from the entity, its label and its kind."""

    path: str
    label: str
    kind: str
    model_field: models.Field

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS.get(self.kind, ())


def filter_fields(model: type[models.Model]) -> dict[str, FilterField]:
    """The fields of ``model`` a filter can test, through foreign keys to addresses."""
    from tandem.core.models import Entity

    fields: dict[str, FilterField] = {}
    for field in model._meta.get_fields():
        if not field.concrete or field.name in _HIDDEN or field.many_to_many:
            continue
        label = str(field.verbose_name)
        if field.many_to_one or field.one_to_one:
            related = field.related_model
            if issubclass(related, Entity):
                continue
            if related._meta.label_lower == "core.user" or related is _user_model():
                fields[field.name] = FilterField(field.name, label, USER, field)
            elif any(f.name == "name" for f in related._meta.get_fields()):
                fields[field.name] = FilterField(field.name, label, CHOICE, field)
            else:  # a structured value (an address): its text parts
                for part in related._meta.get_fields():
                    if isinstance(part, models.CharField | models.TextField) and part.editable:
                        path = f"{field.name}__{part.name}"
                        fields[path] = FilterField(
                            path, f"{label} → {part.verbose_name}", TEXT, part
                        )
            continue
        kind = _kind_of(field)
        if field.name == "label":
            label = _("name as shown")  # beside a type's own "name" field
        if kind:
            fields[field.name] = FilterField(field.name, label, kind, field)
    return fields


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _kind_of(field: models.Field) -> str | None:
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.DateField):  # DateTimeField too
        return DATE_KIND
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return NUMBER
    if isinstance(field, models.CharField | models.TextField):
        return TEXT
    return None


# --------------------------------------------------------------------------------------------
# Checking the JSON shape


def _error(index: int, message: str) -> ValidationError:
    return ValidationError(
        {
            "conditions": [
                _("Condition %(number)s: %(message)s") % {"number": index + 1, "message": message}
            ]
        }
    )


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float | decimal.Decimal) or isinstance(value, bool):
        raise ValueError
    text = str(value).strip()
    if "\x00" in text or len(text) > MAX_VALUE_LENGTH:
        raise ValueError
    return text


def parse_conditions(model: type[models.Model], raw: Any) -> list[dict[str, Any]]:
    """Check ``raw`` (a list of condition objects) and return it normalised: known keys only,
    values as strings, defaults filled in. References (types, entities, filters) are checked
    by the service, which knows the user."""
    if not isinstance(raw, list):
        raise ValidationError({"conditions": [_("The conditions must be a list.")]})
    if len(raw) > MAX_CONDITIONS:
        raise ValidationError(
            {"conditions": [_("At most %(max)s conditions.") % {"max": MAX_CONDITIONS}]}
        )
    fields = filter_fields(model)
    return [_parse_condition(index, item, fields) for index, item in enumerate(raw)]


def _parse_condition(index: int, item: Any, fields: dict[str, FilterField]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _error(index, _("each condition must be an object."))
    kind = item.get("type")
    if kind not in CONDITION_TYPES:
        raise _error(
            index,
            _("unknown type “%(type)s”; expected one of: %(types)s.")
            % {"type": str(kind)[:50], "types": ", ".join(CONDITION_TYPES)},
        )
    if kind in (FIELD, DATE):
        path = item.get("field")
        field = fields.get(path) if isinstance(path, str) else None
        if field is None or (kind == DATE) != (field.kind == DATE_KIND):
            raise _error(
                index,
                _("“%(field)s” is not a field this condition can test.")
                % {"field": str(path)[:100]},
            )
        if kind == DATE:
            return _parse_date(index, item, field)
        return _parse_field(index, item, field)
    if kind == PROPERTY:
        return {
            "type": PROPERTY,
            "property_type": _reference(index, item, "property_type"),
            "has": _flag(index, item, "has", True),
        }
    if kind == INCLUDE:
        return {"type": INCLUDE, "filter": _filter_id(index, item)}
    condition = {
        "type": kind,
        "relation_type": _reference(index, item, "relation_type"),
        "has": _flag(index, item, "has", True),
    }
    if kind == RELATION_FILTER:
        condition["filter"] = _filter_id(index, item)
        return condition
    entity, entity_type = item.get("entity"), item.get("entity_type")
    if entity not in (None, ""):
        condition["entity"] = _reference(index, item, "entity")
    if entity_type not in (None, ""):
        condition["entity_type"] = _reference(index, item, "entity_type")
    return condition


def _reference(index: int, item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > 100
        or not value.isprintable()
    ):
        raise _error(index, _("“%(key)s” is missing.") % {"key": key})
    return value.strip()


def _filter_id(index: int, item: dict[str, Any]) -> int:
    value = item.get("filter")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise _error(index, _("choose the filter it uses."))
    return value


def _flag(index: int, item: dict[str, Any], key: str, default: bool) -> bool:
    value = item.get(key, default)
    if not isinstance(value, bool):
        raise _error(index, _("“%(key)s” must be true or false.") % {"key": key})
    return value


def _parse_field(index: int, item: dict[str, Any], field: FilterField) -> dict[str, Any]:
    operator = item.get("operator")
    if operator not in field.operators:
        raise _error(
            index,
            _("“%(operator)s” cannot test “%(field)s”; choose one of: %(operators)s.")
            % {
                "operator": str(operator)[:50],
                "field": field.label,
                "operators": ", ".join(field.operators),
            },
        )
    raw_values = item.get("values", [])
    if not isinstance(raw_values, list) or len(raw_values) > MAX_VALUES:
        raise _error(
            index, _("“values” must be a list of at most %(max)s values.") % {"max": MAX_VALUES}
        )
    try:
        values = [_text(value) for value in raw_values]
    except ValueError:
        raise _error(
            index,
            _("each value must be a text of at most %(max)s characters.")
            % {"max": MAX_VALUE_LENGTH},
        ) from None
    values = [value for value in values if value]
    if operator in NO_VALUE:
        values = []
    elif operator == "between":
        if len(values) != 2:
            raise _error(index, _("“between” needs two values: the lowest and the highest."))
    elif not values:
        raise _error(
            index, _("give the value to compare “%(field)s” with.") % {"field": field.label}
        )
    for value in values:
        _convert(index, field, value)
    return {
        "type": FIELD,
        "field": field.path,
        "operator": operator,
        "values": values,
        "negate": _flag(index, item, "negate", False),
    }


def _convert(index: int, field: FilterField, value: str) -> Any:
    """The value as the database compares it; the error names the condition and field."""
    if field.kind == NUMBER:
        try:
            number = decimal.Decimal(value.replace(",", ".").replace(" ", "").replace("\u202f", ""))
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= 10**15:
            raise _error(index, _("“%(value)s” is not a number.") % {"value": value})
        return number
    if field.kind in (CHOICE, USER):
        if field.kind == USER and value == "me":
            return value
        if not value.isdigit():
            raise _error(
                index,
                _("“%(value)s” is not a choice of “%(field)s”.")
                % {"value": value, "field": field.label},
            )
        return int(value)
    return value


def _parse_date(index: int, item: dict[str, Any], field: FilterField) -> dict[str, Any]:
    date_range = item.get("range")
    if date_range not in DATE_RANGES:
        raise _error(
            index,
            _("unknown date range “%(range)s”; expected one of: %(ranges)s.")
            % {"range": str(date_range)[:50], "ranges": ", ".join(DATE_RANGES)},
        )
    condition: dict[str, Any] = {"type": DATE, "field": field.path, "range": date_range}
    if date_range == "between":
        for key in ("start", "end"):
            value = item.get(key)
            if value in (None, ""):
                condition[key] = None
                continue
            try:
                condition[key] = datetime.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise _error(
                    index, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": str(value)[:20]}
                ) from None
        if condition["start"] is None and condition["end"] is None:
            raise _error(index, _("give at least one of the two dates."))
        if condition["start"] and condition["end"] and condition["start"] > condition["end"]:
            raise _error(index, _("the first date comes after the second."))
    return condition


# --------------------------------------------------------------------------------------------
# References between filters


def used_filter_ids(conditions: list[dict[str, Any]]) -> set[int]:
    return {c["filter"] for c in conditions if c["type"] in (INCLUDE, RELATION_FILTER)}


# --------------------------------------------------------------------------------------------
# Turning a filter into a query


@dataclass(frozen=True)
class FilterContext:
    """What a filter's meaning depends on: who runs it and what day it is for them."""

    user: User | None
    today: datetime.date

    @classmethod
    def for_user(cls, user: User | None) -> FilterContext:
        return cls(user=user, today=timezone.localdate())


def filter_q(entity_filter: EntityFilter, context: FilterContext, *, _depth: int = 0) -> Q:
    """The ``Q`` selecting the entities ``entity_filter`` accepts, on its type's model.

    Raises FilterBroken when the filter names something that is gone.
    """
    if _depth > MAX_DEPTH:
        raise FilterBroken(
            _("The filter “%(filter)s” uses other filters too deeply (or in a loop).")
            % {"filter": entity_filter.name}
        )
    model = entity_filter.entity_type.model_class()
    if model is None:
        raise FilterBroken(
            _("The filter “%(filter)s” is for an entity type that no longer exists.")
            % {"filter": entity_filter.name}
        )
    parts = [
        _condition_q(model, entity_filter, condition, context, _depth)
        for condition in entity_filter.conditions
    ]
    if not parts:
        return Q()
    return functools.reduce(
        operator.or_ if entity_filter.match == MATCH_ANY else operator.and_, parts
    )


def _condition_q(
    model: type[models.Model],
    entity_filter: EntityFilter,
    condition: dict[str, Any],
    context: FilterContext,
    depth: int,
) -> Q:
    from tandem.core.models import EntityFilter, Property, PropertyType, Relation, RelationType

    kind = condition.get("type")

    def broken(message: str) -> FilterBroken:
        return FilterBroken(
            _("The filter “%(filter)s” cannot run: %(problem)s")
            % {"filter": entity_filter.name, "problem": message}
        )

    if kind in (FIELD, DATE):
        field = filter_fields(model).get(condition.get("field"))
        if field is None:
            raise broken(
                _("the field “%(field)s” no longer exists.") % {"field": condition.get("field")}
            )
        if kind == DATE:
            return _date_q(field, condition, context)
        return _field_q(field, condition, context)
    if kind == PROPERTY:
        if not PropertyType.objects.filter(pk=condition["property_type"]).exists():
            raise broken(_("a property type it uses has been deleted."))
        exists = Exists(
            Property.objects.filter(entity_id=OuterRef("pk"), type_id=condition["property_type"])
        )
        return Q(exists) if condition["has"] else ~Q(exists)
    if kind == INCLUDE:
        included = (
            EntityFilter.objects.filter(pk=condition["filter"])
            .select_related("entity_type")
            .first()
        )
        if included is None:
            raise broken(_("a filter it includes has been deleted."))
        if not _reachable(included, context):
            raise broken(_("a filter it includes is now private to someone else."))
        return filter_q(included, context, _depth=depth + 1)
    relation_type = RelationType.objects.filter(pk=condition.get("relation_type")).first()
    if relation_type is None or relation_type.reverse_id is None:
        raise broken(_("a relation type it uses has been deleted."))
    # Read from the other side: objects of the reverse relations of the matching entities.
    related = Relation.objects.filter(type_id=relation_type.reverse_id, subject__is_deleted=False)
    if kind == RELATION_FILTER:
        sub_filter = (
            EntityFilter.objects.filter(pk=condition["filter"])
            .select_related("entity_type")
            .first()
        )
        if sub_filter is None:
            raise broken(_("a filter it uses has been deleted."))
        if not _reachable(sub_filter, context):
            raise broken(_("a filter it uses is now private to someone else."))
        sub_model = sub_filter.entity_type.model_class()
        if sub_model is None:
            raise broken(_("a filter it uses is for an entity type that no longer exists."))
        accepted = sub_model._default_manager.filter(
            filter_q(sub_filter, context, _depth=depth + 1), is_deleted__in=[False]
        )
        related = related.filter(subject_id__in=accepted.values("pk"))
    else:
        if condition.get("entity"):
            from tandem.core.models import Entity

            target = Entity.objects.filter(uuid=_uuid_or_none(condition["entity"])).first()
            if target is None:
                raise broken(_("an entity it names has been deleted."))
            related = related.filter(subject_id=target.pk)
        if condition.get("entity_type"):
            content_type = _content_type(condition["entity_type"])
            if content_type is None:
                raise broken(_("an entity type it names no longer exists."))
            related = related.filter(subject__entity_type_id=content_type.pk)
    q = Q(pk__in=_related_ids(related))
    return q if condition["has"] else ~q


#: A relation condition matching at most this many entities names them in the list's query.
LISTED_IDS_LIMIT = 5_000


def _related_ids(related: models.QuerySet) -> list[int] | models.QuerySet:
    """The ids at the other end of ``related``: a list when there are few, else a subquery.

    One query more, but a list the planner can count: given the subquery, PostgreSQL guessed
    its size from the relation type alone (40 % of all relations for "is employed by") and
    hashed the whole relation table, and SQLite walked every row of the list's sort index,
    looking each one up (seconds on two million entities, for a few hundred matches)."""
    ids = list(related.values_list("object_id", flat=True)[: LISTED_IDS_LIMIT + 1])
    if len(ids) <= LISTED_IDS_LIMIT:
        return ids
    return related.values("object_id")


def _reachable(entity_filter: EntityFilter, context: FilterContext) -> bool:
    """Whether the user running a filter may see a filter it uses."""
    if not entity_filter.is_private or context.user is None:
        return True
    return entity_filter.owner_id == context.user.pk


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _content_type(slug: str) -> ContentType | None:
    from tandem.core.registry import entity_types

    try:
        return entity_types.for_slug(slug).content_type
    except KeyError:
        return None


def _field_q(field: FilterField, condition: dict[str, Any], context: FilterContext) -> Q:
    path, operator, values = field.path, condition["operator"], condition["values"]
    if operator == "empty":
        q = Q(**{f"{path}__isnull": True})
        if field.kind == TEXT:
            q |= Q(**{path: ""})
    elif operator in ("true", "false"):
        q = Q(**{path: operator == "true"})
    elif field.kind in (CHOICE, USER):
        ids = []
        for value in values:
            if value == "me":
                ids.append(context.user.pk if context.user is not None else 0)
            else:
                ids.append(int(value))
        q = Q(**{f"{path}__in": ids})
    elif field.kind == NUMBER:
        # "Not empty" too: Django drops a comparison that an integer column's range makes
        # always true ("> -1" on a positive column), which would let empty values in.
        numbers = [_convert(0, field, value) for value in values]
        if operator == "between":
            low, high = sorted(numbers)
            q = Q(**{f"{path}__gte": low, f"{path}__lte": high})
        elif operator == "equals":
            q = Q(**{f"{path}__in": numbers})
        else:
            q = Q(**{f"{path}__{operator}": numbers[0]})
        q &= Q(**{f"{path}__isnull": False})
    else:
        q = _text_q(path, operator, values)
    if condition["negate"]:
        # "not …" includes the rows where the column is empty (NULL), as a user expects.
        return ~q | Q(**{f"{path}__isnull": True}) if operator != "empty" else ~q
    return q


def _text_q(path: str, operator: str, values: list[str]) -> Q:
    """Any of ``values``; ``i…`` operators compare folded forms (no case, no accents)."""
    folded = operator.startswith("i")
    lookup = {"equals": "exact", "contains": "contains", "startswith": "startswith"}.get(
        operator.removeprefix("i") if folded else operator, "endswith"
    )
    q = Q()
    for value in values:
        if folded and path == "label" and lookup in ("exact", "startswith"):
            # The folded label is stored (and indexed): no function on the column.
            q |= Q(**{f"sort_label__{lookup}": fold(value)})
        elif folded:
            q |= _lookup_q(Folded(path), lookup, fold(value), folded=True)
        else:
            q |= _lookup_q(models.F(path), lookup, value, folded=False)
    return q


def _lookup_q(expression: Any, lookup: str, value: str, *, folded: bool) -> Q:
    """``expression <lookup> value`` as text, the same on every database: MySQL's collation
    ignores case and accents, which suits folded comparisons and must be undone for exact
    ones (its ``contains`` is LIKE BINARY, so folded ones use the ``i`` lookups there)."""
    if connection.vendor == "mysql":
        if folded:
            lookup = f"i{lookup}"
        else:
            expression = Collate(expression, "utf8mb4_bin")
    text = ExpressionWrapper(expression, output_field=models.TextField())
    return Q(models.TextField().get_lookup(lookup)(text, value))


# --------------------------------------------------------------------------------------------
# Dates


def date_bounds(
    date_range: str, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day (inclusive, ``None`` = open) of a named range around ``today``."""
    if date_range == "today":
        return today, today
    if date_range == "yesterday":
        day = today - datetime.timedelta(days=1)
        return day, day
    if date_range == "tomorrow":
        day = today + datetime.timedelta(days=1)
        return day, day
    if date_range == "past":
        return None, today - datetime.timedelta(days=1)
    if date_range == "future":
        return today + datetime.timedelta(days=1), None
    period, shift = (
        date_range.split("_")[1],
        {"current": 0, "previous": -1, "next": 1}[date_range.split("_")[0]],
    )
    if period == "year":
        year = today.year + shift
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    months = 3 if period == "quarter" else 1
    first_month = (today.month - 1) // months * months  # 0-based month index of the period
    index = today.year * 12 + first_month + shift * months
    year, month = divmod(index, 12)
    start = datetime.date(year, month + 1, 1)
    end_index = index + months - 1
    end_year, end_month = divmod(end_index, 12)
    end = datetime.date(end_year, end_month + 1, calendar.monthrange(end_year, end_month + 1)[1])
    return start, end


def _date_q(field: FilterField, condition: dict[str, Any], context: FilterContext) -> Q:
    path, date_range = field.path, condition["range"]
    if date_range == "empty":
        return Q(**{f"{path}__isnull": True})
    if date_range == "not_empty":
        return Q(**{f"{path}__isnull": False})
    if date_range == "between":
        start = datetime.date.fromisoformat(condition["start"]) if condition.get("start") else None
        end = datetime.date.fromisoformat(condition["end"]) if condition.get("end") else None
    else:
        start, end = date_bounds(date_range, context.today)
    is_datetime = isinstance(field.model_field, models.DateTimeField)
    q = Q()
    if start is not None:
        q &= Q(**{f"{path}__gte": _moment(start) if is_datetime else start})
    if end is not None:
        next_day = end + datetime.timedelta(days=1)
        q &= Q(**{f"{path}__lt": _moment(next_day) if is_datetime else next_day})
    return q


def _moment(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the current time zone: "today" is the user's today."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def apply_filter(
    queryset: models.QuerySet, entity_filter: EntityFilter, user: User | None
) -> models.QuerySet:
    """``queryset`` narrowed to what ``entity_filter`` accepts for ``user`` today."""
    return queryset.filter(filter_q(entity_filter, FilterContext.for_user(user)))
