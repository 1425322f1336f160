"""The filter editor's rows: one condition as a sentence of selects and inputs, read back
from the form as the JSON shape ``tandem.core.filters`` checks.

The first select of a row says what is tested ("City", "Creation date", "is a customer of",
"a property", "another filter"); the rest of the row follows from it. Changing it re-renders
the row through htmx; without JavaScript, "Update" does the same with the whole form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core import filters as f
from tandem.core.models import Entity, EntityFilter, User
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.search import fold
from tandem.core.selectors import property_types_for_type, relation_types_for_type, visible_filters

MAX_ROWS = f.MAX_CONDITIONS
#: A negated operator's value in the operator select: "!icontains" is "does not contain".
NOT = "!"
NEGATED_LABELS = {
    "iequals": gettext_lazy("is not"),
    "icontains": gettext_lazy("does not contain"),
    "istartswith": gettext_lazy("does not start with"),
    "iendswith": gettext_lazy("does not end with"),
    "equals": gettext_lazy("is not exactly (same case and accents)"),
    "contains": gettext_lazy("does not contain exactly (same case and accents)"),
    "startswith": gettext_lazy("does not start exactly with (same case and accents)"),
    "endswith": gettext_lazy("does not end exactly with (same case and accents)"),
    "empty": gettext_lazy("is not empty"),
    "in": gettext_lazy("is none of"),
}


@dataclass
class Row:
    """One condition as the form shows it."""

    index: int
    what: str = ""
    operator: str = ""
    values: list[str] = field(default_factory=list)
    range: str = "current_month"
    start: str = ""
    end: str = ""
    has: bool = True
    property_type: str = ""
    target: str = "any"
    entity: str = ""
    filter: str = ""

    @property
    def prefix(self) -> str:
        return f"c{self.index}"

    @property
    def kind(self) -> str:
        return self.what.split(":", 1)[0]

    @property
    def argument(self) -> str:
        return self.what.split(":", 1)[1] if ":" in self.what else ""

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def second_value(self) -> str:
        return self.values[1] if len(self.values) > 1 else ""


def row_from_condition(index: int, condition: dict[str, Any]) -> Row:
    kind = condition.get("type")
    row = Row(index)
    if kind == f.FIELD:
        row.what = f"field:{condition['field']}"
        row.operator = (NOT if condition.get("negate") else "") + condition["operator"]
        row.values = list(condition.get("values", []))
    elif kind == f.DATE:
        row.what = f"date:{condition['field']}"
        row.range = condition["range"]
        row.start, row.end = condition.get("start") or "", condition.get("end") or ""
    elif kind == f.PROPERTY:
        row.what, row.has = "property", condition.get("has", True)
        row.property_type = condition["property_type"]
    elif kind == f.INCLUDE:
        row.what, row.filter = "filter", str(condition["filter"])
    else:
        row.what = f"relation:{condition['relation_type']}"
        row.has = condition.get("has", True)
        if kind == f.RELATION_FILTER:
            row.target = f"filter:{condition['filter']}"
        elif condition.get("entity"):
            row.target, row.entity = "entity", condition["entity"]
        elif condition.get("entity_type"):
            row.target = f"type:{condition['entity_type']}"
    return row


def row_from_data(data: QueryDict, index: int) -> Row:
    """The row ``c<index>-…`` of a submitted form (or of the htmx re-render)."""
    prefix = f"c{index}-"

    def get(name: str) -> str:
        return data.get(prefix + name, "").strip()[: f.MAX_VALUE_LENGTH]

    row = Row(
        index,
        what=get("what"),
        operator=get("operator"),
        values=[value.strip()[: f.MAX_VALUE_LENGTH] for value in data.getlist(prefix + "value")],
        range=get("range") or "current_month",
        start=get("start"),
        end=get("end"),
        has=get("has") != "no",
        property_type=get("property_type"),
        target=get("target") or "any",
        entity=get("entity"),
        filter=get("filter"),
    )
    return row


def rows_from_data(data: QueryDict) -> list[Row]:
    """Every row of the form, in order; removed rows leave gaps in the numbering."""
    indexes = sorted(
        {
            int(key[1:].split("-", 1)[0])
            for key in data
            if key.startswith("c") and "-" in key and key[1:].split("-", 1)[0].isdigit()
        }
    )
    return [
        row_from_data(data, index)
        for index in indexes[: MAX_ROWS + 1]
        if data.get(f"c{index}-what")
    ]


def condition_of(row: Row) -> dict[str, Any]:
    """The JSON condition a row stands for; the core checks it (and names it by its number)."""
    kind, argument = row.kind, row.argument
    if kind == "field":
        negate = row.operator.startswith(NOT)
        return {
            "type": f.FIELD,
            "field": argument,
            "operator": row.operator.removeprefix(NOT),
            "values": [value for value in row.values if value],
            "negate": negate,
        }
    if kind == "date":
        condition = {"type": f.DATE, "field": argument, "range": row.range}
        if row.range == "between":
            condition.update(start=row.start or None, end=row.end or None)
        return condition
    if kind == "property":
        return {"type": f.PROPERTY, "property_type": row.property_type, "has": row.has}
    if kind == "filter":
        return {"type": f.INCLUDE, "filter": row.filter}
    if kind == "relation":
        condition = {"type": f.RELATION, "relation_type": argument, "has": row.has}
        if row.target.startswith("filter:"):
            condition.update(type=f.RELATION_FILTER, filter=row.target.split(":", 1)[1])
        elif row.target == "entity":
            condition["entity"] = row.entity
        elif row.target.startswith("type:"):
            condition["entity_type"] = row.target.split(":", 1)[1]
        return condition
    return {"type": kind}


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Editor:
    """What the rows of one filter may offer: its type's fields, relation types, properties
    and the other filters the user can see."""

    info: EntityTypeInfo
    user: User
    entity_filter: EntityFilter | None = None

    def __post_init__(self) -> None:
        self.fields = f.filter_fields(self.info.model)
        content_type_id = self.info.content_type.pk
        self.relation_types = sorted(
            relation_types_for_type(content_type_id), key=lambda rt: fold(str(rt))
        )
        self.property_types = sorted(
            property_types_for_type(content_type_id), key=lambda pt: fold(str(pt))
        )
        own_pk = self.entity_filter.pk if self.entity_filter else None
        self.other_filters = [
            other for other in visible_filters(self.user).order_by("name") if other.pk != own_pk
        ]

    def what_groups(self) -> list[tuple[str, list[Option]]]:
        fields = [
            Option(f"field:{path}", _capital(ff.label))
            for path, ff in self.fields.items()
            if ff.kind != f.DATE_KIND
        ]
        dates = [
            Option(f"date:{path}", _capital(ff.label))
            for path, ff in self.fields.items()
            if ff.kind == f.DATE_KIND
        ]
        relations = [Option(f"relation:{rt.pk}", _capital(str(rt))) for rt in self.relation_types]
        other = [Option("property", _("A property")), Option("filter", _("Another filter"))]
        return [
            (_("Fields"), sorted(fields, key=lambda o: fold(o.label))),
            (_("Dates"), sorted(dates, key=lambda o: fold(o.label))),
            (_("Relations"), relations),
            (_("Other"), other),
        ]

    def filter_field(self, row: Row) -> f.FilterField | None:
        return self.fields.get(row.argument) if row.kind in ("field", "date") else None

    def operators(self, row: Row) -> list[Option]:
        filter_field = self.filter_field(row)
        if filter_field is None:
            return []
        options = []
        for operator in filter_field.operators:
            label = f.OPERATOR_LABELS[operator]
            if filter_field.kind == f.NUMBER and operator == "equals":
                label = f.NUMBER_EQUALS_LABEL
            options.append(Option(operator, str(label)))
            negatable = filter_field.kind in (f.TEXT, f.CHOICE, f.USER) or operator == "empty"
            if negatable and operator in NEGATED_LABELS:
                options.append(Option(NOT + operator, str(NEGATED_LABELS[operator])))
        return options

    def operator_of(self, row: Row) -> str:
        """The row's operator, or the first its field offers."""
        options = self.operators(row)
        if any(option.value == row.operator for option in options):
            return row.operator
        return options[0].value if options else ""

    def value_inputs(self, row: Row) -> int:
        """How many value inputs the row shows: 0, 1 or 2 ("between")."""
        operator = self.operator_of(row).removeprefix(NOT)
        if not operator or operator in f.NO_VALUE:
            return 0
        return 2 if operator == "between" else 1

    def choices(self, row: Row) -> list[Option]:
        """The values of a choice-list or user field, for a multiple select."""
        filter_field = self.filter_field(row)
        if filter_field is None or filter_field.kind not in (f.CHOICE, f.USER):
            return []
        if filter_field.kind == f.USER:
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            return [Option("me", _("me (whoever uses the filter)"))] + [
                Option(str(user.pk), str(user.get_username())) for user in users[:500]
            ]
        related = filter_field.model_field.related_model
        return [Option(str(item.pk), str(item)) for item in related._default_manager.all()[:500]]

    def date_ranges(self) -> list[Option]:
        return [Option(name, _capital(str(f.DATE_RANGE_LABELS[name]))) for name in f.DATE_RANGES]

    def relation_targets(self) -> list[tuple[str, list[Option]]]:
        kinds = [Option("any", _("any entity")), Option("entity", _("a given entity…"))]
        kinds += [
            Option(
                f"type:{info.slug}",
                _("any entity of type “%(type)s”") % {"type": info.verbose_name},
            )
            for info in entity_types
        ]
        in_filters = [
            Option(
                f"filter:{other.pk}",
                _("one of “%(filter)s” (%(type)s)")
                % {
                    "type": entity_types.for_content_type_id(
                        other.entity_type_id
                    ).verbose_name_plural,
                    "filter": other,
                },
            )
            for other in self.other_filters
            if other.entity_type.model_class() in entity_types
        ]
        return [(_("Linked to"), kinds), (_("Linked to an entity of a filter"), in_filters)]

    def include_filters(self) -> list[Option]:
        return [
            Option(str(other.pk), str(other))
            for other in self.other_filters
            if other.entity_type_id == self.info.content_type.pk
        ]

    def gone(self, row: Row) -> tuple[str, str] | None:
        """The row's relation or property type when the editor no longer offers it, as
        (what the menu shows, why): deleted, or disabled since the filter was saved. The row
        keeps it, so that saving never silently tests the first type of the list instead (a
        deleted one is then refused, a disabled one kept)."""
        from tandem.core.models import PropertyType, RelationType

        if row.kind == "relation" and row.argument not in {rt.pk for rt in self.relation_types}:
            relation_type = RelationType.objects.filter(pk=row.argument).first()
            if relation_type is None:
                return _("(a deleted relation type)"), _(
                    "The relation type this condition used was deleted: choose another one."
                )
            return _("%(type)s (disabled)") % {"type": _capital(str(relation_type))}, _(
                "This relation type is disabled: the filter still tests it, but it is no "
                "longer offered."
            )
        offered = {pt.pk for pt in self.property_types}
        if row.kind == "property" and row.property_type and row.property_type not in offered:
            property_type = PropertyType.objects.filter(pk=row.property_type).first()
            if property_type is None:
                return _("(a deleted property type)"), _(
                    "The property type this condition used was deleted: choose another one."
                )
            return _("%(type)s (disabled)") % {"type": property_type}, _(
                "This property type is disabled: the filter still tests it, but it is no "
                "longer offered."
            )
        return None

    def view(self, row: Row, errors: list[str] | None = None) -> dict[str, Any]:
        """Everything the row's template needs, computed once."""
        filter_field = self.filter_field(row)
        operator = self.operator_of(row)
        gone = self.gone(row)
        errors = [gone[1], *(errors or [])] if gone else errors
        return {
            "gone": gone[0] if gone else "",
            "row": row,
            "number": row.index + 1,
            "kind": row.kind,
            "field_kind": filter_field.kind if filter_field else "",
            "operators": self.operators(row),
            "operator": operator,
            "value_inputs": self.value_inputs(row),
            "choices": self.choices(row),
            "date_ranges": self.date_ranges() if row.kind == "date" else [],
            "relation_targets": self.relation_targets() if row.kind == "relation" else [],
            "include_filters": self.include_filters() if row.kind == "filter" else [],
            "property_types": self.property_types if row.kind == "property" else [],
            "entity_label": self.entity_label(row) if row.target == "entity" else "",
            "errors": errors or [],
        }

    def entity_label(self, row: Row) -> str:
        if not row.entity:
            return ""
        entity = Entity.objects.filter(uuid=_uuid_or_none(row.entity)).only("label").first()
        return entity.label if entity else _("(deleted)")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def describe(entity_filter: EntityFilter) -> list[str]:
    """The filter's conditions in words, for the list page ("City contains “lyon”")."""
    model = entity_filter.entity_type.model_class()
    fields = f.filter_fields(model) if model else {}
    sentences = []
    for condition in entity_filter.conditions:
        kind = condition.get("type")
        if kind == f.FIELD and condition.get("field") in fields:
            filter_field = fields[condition["field"]]
            operator = condition["operator"]
            label = f.OPERATOR_LABELS[operator]
            if filter_field.kind == f.NUMBER and operator == "equals":
                label = f.NUMBER_EQUALS_LABEL
            if condition.get("negate"):
                label = NEGATED_LABELS.get(operator, label)
            shown = _shown_values(filter_field, condition["values"])
            if filter_field.kind != f.NUMBER:
                shown = [_quoted(value) for value in shown]
            if operator == "between" and len(shown) == 2:
                values = _("%(low)s and %(high)s") % {"low": shown[0], "high": shown[1]}
            else:
                values = _(", ").join(shown)
            sentences.append(
                " ".join(
                    part for part in (_capital(filter_field.label), str(label), values) if part
                )
            )
        elif kind == f.DATE and condition.get("field") in fields:
            date_range = condition["range"]
            if date_range == "between":
                shown = _("from %(start)s to %(end)s") % {
                    "start": _shown_date(condition.get("start")),
                    "end": _shown_date(condition.get("end")),
                }
            else:
                shown = str(f.DATE_RANGE_LABELS[date_range])
            sentences.append(
                _("%(field)s: %(period)s")
                % {"field": _capital(fields[condition["field"]].label), "period": shown}
            )
        elif kind == f.PROPERTY:
            from tandem.core.models import PropertyType

            property_type = PropertyType.objects.filter(pk=condition["property_type"]).first()
            text = str(property_type) if property_type else _("(deleted)")
            sentences.append(
                (
                    _("Has the property “%(property)s”")
                    if condition.get("has", True)
                    else _("Does not have the property “%(property)s”")
                )
                % {"property": text}
            )
        elif kind == f.INCLUDE:
            other = EntityFilter.objects.filter(pk=condition["filter"]).first()
            sentences.append(_("Matches “%(filter)s”") % {"filter": other or _("(deleted)")})
        elif kind in (f.RELATION, f.RELATION_FILTER):
            from tandem.core.models import RelationType

            relation_type = RelationType.objects.filter(pk=condition["relation_type"]).first()
            predicate = str(relation_type) if relation_type else _("(deleted)")
            target = _("any entity")
            if kind == f.RELATION_FILTER:
                other = EntityFilter.objects.filter(pk=condition["filter"]).first()
                target = _("one of “%(filter)s”") % {"filter": other or _("(deleted)")}
            elif condition.get("entity"):
                entity = Entity.objects.filter(uuid=_uuid_or_none(condition["entity"])).first()
                target = _quoted(entity.label) if entity else _("(deleted)")
            elif condition.get("entity_type"):
                try:
                    target = _("any entity of type “%(type)s”") % {
                        "type": entity_types.for_slug(condition["entity_type"]).verbose_name
                    }
                except KeyError:
                    target = _("(deleted)")
            template = (
                _("%(predicate)s %(target)s")
                if condition.get("has", True)
                else _("No relation “%(predicate)s” to %(target)s")
            )
            sentences.append(_capital(template % {"predicate": predicate, "target": target}))
    return sentences


def _quoted(text: str) -> str:
    """``text`` between the language's quotation marks."""
    return _("“%(text)s”") % {"text": text}


def _shown_date(value: str | None) -> str:
    import datetime

    from django.utils import formats

    if not value:
        return "…"
    return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")


def _shown_values(filter_field: f.FilterField, values: list[str]) -> list[str]:
    if filter_field.kind == f.CHOICE:
        related = filter_field.model_field.related_model
        names = {
            str(item.pk): str(item)
            for item in related._default_manager.filter(pk__in=[v for v in values if v.isdigit()])
        }
        return [names.get(value, _("(deleted)")) for value in values]
    if filter_field.kind == f.USER:
        users = {
            str(u.pk): u.get_username()
            for u in get_user_model().objects.filter(pk__in=[v for v in values if v.isdigit()])
        }
        return [_("me") if value == "me" else users.get(value, _("(deleted)")) for value in values]
    return values
