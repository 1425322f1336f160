"""List columns a saved view may show: fields (through foreign keys), properties, the
labels of the entities related by one relation type, and computed values.

A column is a short key, so that views are plain JSON shared by the web UI and the API:
``field:billing_address__city``, ``relation:persons-subject_employed_by``, ``properties``,
``computed:relation_count``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tandem.core.filters import filter_fields

MAX_COLUMNS = 30
FIELD, RELATION, PROPERTIES, COMPUTED = "field", "relation", "properties", "computed"
#: Computed columns: name → label.
COMPUTED_COLUMNS = {"relation_count": gettext_noop("Number of relations")}
#: Fields shown as lists (phones, other e-mails): columns, not filters.
_LIST_FIELDS = ("phones", "extra_emails")


@dataclass(frozen=True)
class ColumnChoice:
    """A column a view can show: its key, header, and whether the list can sort on it."""

    key: str
    label: str
    group: str
    sortable: bool = False

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def argument(self) -> str:
        return self.key.split(":", 1)[1] if ":" in self.key else ""


def column_choices(model: type[models.Model], entity_type_id: int) -> dict[str, ColumnChoice]:
    """Every column a view of this type may show, by key."""
    from tandem.core.selectors import relation_types_for_type

    choices: dict[str, ColumnChoice] = {}
    fields_group, relations_group, other_group = _("Fields"), _("Relations"), _("Other")
    for path, filter_field in filter_fields(model).items():
        if path in ("label", "is_managed"):
            continue
        field = filter_field.model_field
        # The keyset needs a column that is never NULL; text columns are stored as "".
        sortable = "__" not in path and isinstance(field, models.CharField) and not field.null
        sortable = sortable or path in ("created", "modified")
        choices[f"field:{path}"] = ColumnChoice(
            f"field:{path}", capfirst(filter_field.label), str(fields_group), sortable
        )
    own_fields = {field.name: field for field in model._meta.get_fields()}
    for name in _LIST_FIELDS:
        if name not in own_fields:
            continue
        field = own_fields[name]
        choices[f"field:{name}"] = ColumnChoice(
            f"field:{name}", capfirst(field.verbose_name), str(fields_group)
        )
    for relation_type in relation_types_for_type(entity_type_id).order_by("predicate"):
        key = f"relation:{relation_type.pk}"
        choices[key] = ColumnChoice(key, capfirst(str(relation_type)), str(relations_group))
    choices[PROPERTIES] = ColumnChoice(PROPERTIES, _("Properties"), str(other_group))
    for name, label in COMPUTED_COLUMNS.items():
        key = f"computed:{name}"
        choices[key] = ColumnChoice(key, _(label), str(other_group))
    return choices


def parse_columns(model: type[models.Model], entity_type_id: int, raw: object) -> list[str]:
    """Check a view's column keys: known, not repeated, at most MAX_COLUMNS."""
    if not isinstance(raw, list) or not all(isinstance(key, str) for key in raw):
        raise ValidationError({"columns": [_("The columns must be a list of column keys.")]})
    if not raw:
        raise ValidationError({"columns": [_("Choose at least one column.")]})
    if len(raw) > MAX_COLUMNS:
        raise ValidationError({"columns": [_("At most %(max)s columns.") % {"max": MAX_COLUMNS}]})
    known = column_choices(model, entity_type_id)
    columns: list[str] = []
    for position, key in enumerate(raw, start=1):
        if key not in known:
            raise ValidationError(
                {
                    "columns": [
                        _("Column %(number)s: “%(key)s” is not a column of this list.")
                        % {"number": position, "key": key[:100]}
                    ]
                }
            )
        if key in columns:
            raise ValidationError(
                {
                    "columns": [
                        _("Column %(number)s: “%(column)s” is there already.")
                        % {"number": position, "column": known[key].label}
                    ]
                }
            )
        columns.append(key)
    return columns
