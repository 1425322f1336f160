"""Bulk actions: one service call per entity, each in its own transaction, so that one refusal
(a rule, a permission, a stale row) stops nothing else and is reported by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.core.exceptions import TandemError
from tandem.core.models import Entity, Property, PropertyType, RelationType, User
from tandem.core.services.entities import trash_entity, update_entity
from tandem.core.services.properties import add_property, remove_property
from tandem.core.services.relations import link_many

#: The most entities one bulk action handles at once (each is a few statements).
BULK_LIMIT = 5_000


@dataclass
class BulkReport:
    """What a bulk action did: how many it changed, which it left as they were, and which
    it could not change, with why."""

    done: int = 0
    unchanged: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def error_text(error: Exception, model: type[Entity] | None = None) -> str:
    """The refusal in words, each field's messages led by the field's name: a bulk report
    says "Name: This field cannot be blank.", not only the second half."""
    if not isinstance(error, ValidationError):
        return str(error)
    if model is None or not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        try:
            label = capfirst(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # NON_FIELD_ERRORS, or a rule about several fields
            parts.extend(messages)
            continue
        parts.extend(
            _("%(field)s: %(message)s") % {"field": label, "message": message}
            for message in messages
        )
    return " ".join(parts)


def run_each(entities: Iterable[Entity], action: Callable[[Entity], bool]) -> BulkReport:
    """``action`` on each entity in its own transaction; it returns False for "nothing to
    do" (the entity is as asked already)."""
    report = BulkReport()
    for entity in entities:
        try:
            with transaction.atomic():
                changed = action(entity)
        except (TandemError, ValidationError) as error:
            report.failures.append((entity.label, error_text(error, type(entity))))
        else:
            if changed:
                report.done += 1
            else:
                report.unchanged.append(entity.label)
    return report


def bulk_update(
    *, user: User | None, entities: Iterable[Entity], data: dict[str, Any]
) -> BulkReport:
    """Set the same field values on every entity, each at its current version."""

    def update(entity: Entity) -> bool:
        before = entity.version
        return (
            update_entity(user=user, entity=entity, data=dict(data), version=before).version
            != before
        )

    return run_each(entities, update)


def bulk_trash(*, user: User | None, entities: Iterable[Entity]) -> BulkReport:
    def trash(entity: Entity) -> bool:
        trash_entity(user=user, entity=entity)
        return True

    return run_each(entities, trash)


def bulk_add_property(
    *, user: User | None, entities: list[Entity], property_type: PropertyType
) -> BulkReport:
    carried = set(
        Property.objects.filter(entity__in=entities, type=property_type).values_list(
            "entity_id", flat=True
        )
    )

    def add(entity: Entity) -> bool:
        if entity.pk in carried:
            return False
        add_property(user=user, entity=entity, property_type=property_type)
        return True

    return run_each(entities, add)


def bulk_remove_property(
    *, user: User | None, entities: list[Entity], property_type: PropertyType
) -> BulkReport:
    carried = set(
        Property.objects.filter(entity__in=entities, type=property_type).values_list(
            "entity_id", flat=True
        )
    )

    def remove(entity: Entity) -> bool:
        if entity.pk not in carried:
            return False
        remove_property(user=user, entity=entity, property_type=property_type)
        return True

    return run_each(entities, remove)


def bulk_link_to(
    *, user: User | None, entities: Iterable[Entity], relation_type: RelationType, target: Entity
) -> BulkReport:
    """Link every entity to ``target`` (the relation type's rules checked for each)."""

    def add(entity: Entity) -> bool:
        link_many(user, entity, relation_type, [target], note="", start=None, end=None)
        return True

    return run_each(entities, add)
