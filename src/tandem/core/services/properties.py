"""Adding and removing properties (tags with meaning) on entities."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.core.exceptions import ActionRefused, AlreadyExists
from tandem.core.models import Entity, HistoryEntry, Property, PropertyType, Relation, User
from tandem.core.permissions import check_permission
from tandem.core.services.history import record


def _relation_with_rule(entity: Entity, rule: str, property_type: PropertyType) -> Relation | None:
    """One of ``entity``'s relations whose type names ``property_type`` in ``rule``
    (required or forbidden properties of the entity's side)."""
    return (
        Relation.objects.filter(subject=entity, **{f"type__{rule}": property_type})
        .select_related("type", "object")
        .first()
    )


def add_property(*, user: User | None, entity: Entity, property_type: PropertyType) -> Property:
    """Give ``entity`` the property; refused if the type does not apply or it is there."""
    check_permission(user, "change", entity)
    names = {"entity": entity.label, "property": property_type}
    if not property_type.enabled:
        raise ActionRefused(_("The property “%(property)s” is disabled.") % names)
    allowed = set(property_type.subject_types.values_list("pk", flat=True))
    if allowed and entity.entity_type_id not in allowed:
        raise ActionRefused(
            _("The property “%(property)s” does not apply to “%(entity)s”.") % names
        )
    forbidding = _relation_with_rule(entity, "subject_forbidden_properties", property_type)
    if forbidding is not None:
        raise ActionRefused(
            _(
                "“%(entity)s” cannot have the property “%(property)s”: its relation "
                "“%(predicate)s %(other)s” forbids it. Remove that relation first."
            )
            % {**names, "predicate": forbidding.type, "other": forbidding.object.label}
        )
    try:
        with transaction.atomic():
            prop = Property.objects.create(entity=entity, type=property_type)
            record(
                entity,
                HistoryEntry.Kind.PROPERTY_ADDED,
                user,
                property_type=property_type.pk,
                property=property_type.text,
            )
    except IntegrityError:
        raise AlreadyExists(
            _("“%(entity)s” already has the property “%(property)s”.") % names
        ) from None
    return prop


def remove_property(*, user: User | None, entity: Entity, property_type: PropertyType) -> None:
    """Take the property away from ``entity``."""
    check_permission(user, "change", entity)
    requiring = _relation_with_rule(entity, "subject_properties", property_type)
    if requiring is not None:
        raise ActionRefused(
            _(
                "“%(entity)s” must keep the property “%(property)s”: its relation "
                "“%(predicate)s %(other)s” requires it. Remove that relation first."
            )
            % {
                "entity": entity.label,
                "property": property_type,
                "predicate": requiring.type,
                "other": requiring.object.label,
            }
        )
    with transaction.atomic():
        deleted, _details = Property.objects.filter(entity=entity, type=property_type).delete()
        if not deleted:
            raise ActionRefused(
                _("“%(entity)s” does not have the property “%(property)s”.")
                % {"entity": entity.label, "property": property_type}
            )
        record(
            entity,
            HistoryEntry.Kind.PROPERTY_REMOVED,
            user,
            property_type=property_type.pk,
            property=property_type.text,
        )
