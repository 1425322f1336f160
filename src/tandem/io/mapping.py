"""What an import is asked to do: the mapping and its options, as the wizard edits them and a
mapping file stores them (one JSON shape for both, so a file saved from the wizard runs the
same import from the command line)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.core.models import Entity, RelationType
from tandem.core.registry import entity_types
from tandem.persons.models import Address, ChoiceItem
from tandem.persons.validators import PHONE_KINDS

ADDRESS_FIELDS = ("billing_address", "shipping_address")
SPECIAL_TARGETS = (
    "full_name",
    "extra_emails",
    "phones",
    "birthday",
    "properties",
    "owner",
    "relation",
)
ON_DUPLICATE = ("update", "skip", "create")
DATE_ORDERS = ("dmy", "mdy", "ymd")
MATCH_BY = ("name", "email", "uuid")
#: Key fields that are not model fields: "name" is the record's displayed name.
NAME_KEY = "name"


class ImportSettingsError(ValueError):
    """A mapping or option that cannot be used; the message names it."""


@dataclass
class ImportSettings:
    """``columns`` maps a source column to a target dict (see docs/import.md);
    ``defaults`` gives a value per target name for rows that have none; ``relations`` are
    fixed relations ``{"relation_type", "object"}`` added to every imported record."""

    entity_type: str
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    relations: list[dict[str, str]] = field(default_factory=list)
    key: list[str] = field(default_factory=list)
    on_duplicate: str = "update"
    date_order: str = "dmy"
    decimal_comma: bool = False

    @property
    def model(self) -> type[Entity]:
        return entity_types.for_slug(self.entity_type).model

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, data: Any, *, entity_type: str | None = None) -> ImportSettings:
        """Build and check settings from a mapping file's content; ``entity_type`` (the
        command line's --type) wins over the file's."""
        if not isinstance(data, dict):
            raise ImportSettingsError(_("A mapping must be a JSON object."))
        known = {"entity_type", "columns", "defaults", "relations", "key", "on_duplicate"}
        known |= {"date_order", "decimal_comma"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ImportSettingsError(
                _("Unknown mapping key(s): %(keys)s.") % {"keys": ", ".join(unknown)}
            )
        settings = cls(
            entity_type=entity_type or data.get("entity_type") or "",
            columns=data.get("columns") or {},
            defaults=data.get("defaults") or {},
            relations=data.get("relations") or [],
            key=data.get("key") or [],
            on_duplicate=data.get("on_duplicate") or "update",
            date_order=data.get("date_order") or "dmy",
            decimal_comma=bool(data.get("decimal_comma", False)),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Raise ImportSettingsError naming the first thing that cannot work."""
        try:
            model = self.model
        except KeyError:
            raise ImportSettingsError(
                _("“%(type)s” is not a type of record (%(types)s).")
                % {"type": self.entity_type, "types": ", ".join(i.slug for i in entity_types)}
            ) from None
        if self.on_duplicate not in ON_DUPLICATE:
            raise ImportSettingsError(
                _("“%(value)s” is not a choice for duplicates (%(choices)s).")
                % {"value": self.on_duplicate, "choices": ", ".join(ON_DUPLICATE)}
            )
        if self.date_order not in DATE_ORDERS:
            raise ImportSettingsError(
                _("“%(value)s” is not a date order (%(choices)s).")
                % {"value": self.date_order, "choices": ", ".join(DATE_ORDERS)}
            )
        if not isinstance(self.columns, dict) or not all(
            isinstance(target, dict) for target in self.columns.values()
        ):
            raise ImportSettingsError(_("“columns” must map each column name to a target object."))
        for column, target in self.columns.items():
            check_target(model, target, column=column)
        for name in self.defaults:
            check_target(model, {"target": name}, column=_("default value"))
        for key in self.key:
            if key != NAME_KEY and _model_field(model, key) is None:
                raise ImportSettingsError(
                    _("“%(key)s” cannot be used to find duplicates.") % {"key": key}
                )
        for relation in self.relations:
            if not isinstance(relation, dict) or not relation.get("object"):
                raise ImportSettingsError(
                    _("A fixed relation needs a relation type and an object (its uuid).")
                )
            _relation_type(relation.get("relation_type"), column=_("fixed relation"))


def _model_field(model: type[Entity], name: str):
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if (
        name in Entity.bookkeeping_fields
        or not model_field.editable
        or model_field.auto_created
        or name in ADDRESS_FIELDS
        or name in ("phones", "extra_emails", "user")
        or name.startswith("birth_")
    ):
        return None
    return model_field


def _relation_type(type_id: Any, *, column: str) -> RelationType:
    relation_type = RelationType.objects.filter(pk=type_id or "").first()
    if relation_type is None:
        raise ImportSettingsError(
            _("Column “%(column)s”: “%(type)s” is not a relation type.")
            % {"column": column, "type": type_id}
        )
    return relation_type


def check_target(model: type[Entity], target: dict[str, Any], *, column: str) -> None:
    """Raise ImportSettingsError unless ``target`` can receive a value on ``model``."""
    name = target.get("target", "")
    names = {"column": column, "target": name}
    if not name:
        return
    if "." in name:
        address, _dot, part = name.partition(".")
        if address in ADDRESS_FIELDS and part in Address.editable_fields:
            return
        raise ImportSettingsError(
            _("Column “%(column)s”: “%(target)s” is not an address field.") % names
        )
    if name in ADDRESS_FIELDS:
        return
    if name in SPECIAL_TARGETS:
        if name == "birthday" and not hasattr(model, "birth_day"):
            raise ImportSettingsError(
                _("Column “%(column)s”: this type of record has no birthday.") % names
            )
        if name == "phones" and target.get("kind", "other") not in PHONE_KINDS:
            raise ImportSettingsError(
                _("Column “%(column)s”: “%(kind)s” is not a kind of phone (%(kinds)s).")
                % {**names, "kind": target.get("kind"), "kinds": ", ".join(PHONE_KINDS)}
            )
        if name == "relation":
            _relation_type(target.get("relation_type"), column=column)
            try:
                entity_types.for_slug(target.get("target_type", ""))
            except KeyError:
                raise ImportSettingsError(
                    _("Column “%(column)s”: “%(type)s” is not a type of record.")
                    % {**names, "type": target.get("target_type")}
                ) from None
            if target.get("match", "name") not in MATCH_BY:
                raise ImportSettingsError(
                    _("Column “%(column)s”: related records are found by %(choices)s.")
                    % {**names, "choices": ", ".join(MATCH_BY)}
                )
        return
    if _model_field(model, name) is None:
        raise ImportSettingsError(
            _("Column “%(column)s”: “%(target)s” is not a field of %(type)s.")
            % {**names, "type": model._meta.verbose_name_plural}
        )


def is_choice_field(model_field) -> bool:
    related = getattr(model_field, "related_model", None)
    return related is not None and issubclass(related, ChoiceItem)


# -- targets as the wizard offers them ----------------------------------------------------

#: Extra options a guessed target may carry that the wizard's select does not show; kept
#: when the user leaves the guess as it is.
HIDDEN_OPTIONS = ("kind_column", "split", "parse", "create_missing")


def target_value(target: dict[str, Any]) -> str:
    """A target dict as one select value: ``phones:mobile``,
    ``relation:<type id>:<target type>:<match>:<create 0|1>``, or the target's name."""
    name = target.get("target", "")
    if name == "phones":
        return f"phones:{target.get('kind', 'other')}"
    if name == "relation":
        create = "1" if target.get("create") else "0"
        return ":".join(
            (
                "relation",
                target.get("relation_type", ""),
                target.get("target_type", ""),
                target.get("match", "name"),
                create,
            )
        )
    return name


def target_from_value(value: str, guessed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The target dict a select value stands for (the guess itself when unchanged)."""
    if not value:
        return {}
    if guessed and target_value(guessed) == value:
        return dict(guessed)
    if value.startswith("phones:"):
        return {"target": "phones", "kind": value.partition(":")[2]}
    if value.startswith("relation:"):
        _relation, type_id, target_type, match, create = (value.split(":") + [""] * 5)[:5]
        return {
            "target": "relation",
            "relation_type": type_id,
            "target_type": target_type,
            "match": match or "name",
            "create": create == "1",
        }
    return {"target": value}


def target_options(model: type[Entity]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(group title, [(value, label)])`` of every target ``model`` offers, for the
    wizard's column selects."""
    from tandem.core.selectors import relation_types_for_type

    fields = []
    for model_field in model._meta.get_fields():
        if model_field.name in SPECIAL_TARGETS:
            continue  # offered below, with how the value is read ("Owner (user name)")
        if getattr(model_field, "concrete", False) and _model_field(model, model_field.name):
            fields.append((model_field.name, capfirst(str(model_field.verbose_name))))
    if hasattr(model, "first_name"):
        fields.append(("full_name", _("Full name (split into first and last name)")))
    fields.append(("extra_emails", _("Other e-mail address")))
    if hasattr(model, "birth_day"):
        fields.append(("birthday", _("Birthday")))
    fields.append(("properties", _("Properties (tags)")))
    fields.append(("owner", _("Owner (user name)")))
    phones = [
        (f"phones:{kind}", _("Phone (%(kind)s)") % {"kind": label})
        for kind, label in PHONE_KINDS.items()
    ]
    groups = [(_("Fields"), fields), (_("Phones"), phones)]
    for address in ADDRESS_FIELDS:
        address_field = model._meta.get_field(address)
        groups.append(
            (
                capfirst(str(address_field.verbose_name)),
                [
                    # A vCard's ADR, or any reader's address as one value.
                    (
                        address,
                        _("%(field)s (the whole address)")
                        % {"field": capfirst(str(address_field.verbose_name))},
                    ),
                    *(
                        (
                            f"{address}.{part}",
                            # The whole name, since a closed select shows only the chosen option.
                            _("%(field)s: %(part)s")
                            % {
                                "field": capfirst(str(address_field.verbose_name)),
                                "part": Address._meta.get_field(part).verbose_name,
                            },
                        )
                        for part in Address.editable_fields
                    ),
                ],
            )
        )
    relations = []
    content_type = entity_types.for_model(model).content_type
    for relation_type in relation_types_for_type(content_type.pk).filter(enabled=True):
        allowed = {ct.pk for ct in relation_type.reverse.subject_types.all()}
        for info in entity_types:
            if allowed and info.content_type.pk not in allowed:
                continue
            for match, create in (("name", True), ("name", False), ("email", False)):
                if match == "email" and not hasattr(info.model, "email"):
                    continue
                target = {
                    "target": "relation",
                    "relation_type": relation_type.pk,
                    "target_type": info.slug,
                    "match": match,
                    "create": create,
                }
                how = {
                    ("name", True): _("found by name, created when missing"),
                    ("name", False): _("found by name"),
                    ("email", False): _("found by e-mail"),
                }[(match, create)]
                relations.append(
                    (
                        target_value(target),
                        _("%(predicate)s → %(type)s (%(how)s)")
                        % {
                            "predicate": str(relation_type),
                            "type": info.verbose_name,
                            "how": how,
                        },
                    )
                )
    groups.append((_("Relations"), relations))
    return groups
