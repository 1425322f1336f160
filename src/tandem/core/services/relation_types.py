"""Creating, changing, enabling and deleting relation type pairs (configuration)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.core.exceptions import ActionRefused, BuiltInProtected, InUse
from tandem.core.models import (
    Property,
    PropertyType,
    Relation,
    RelationType,
    User,
)
from tandem.core.permissions import check_permission
from tandem.core.services.history import record_lost_relations


def _check_predicate(field: str, predicate: str) -> str:
    predicate = (predicate or "").strip()
    if not predicate:
        example = (
            _("“is a customer of”") if field == "subject_predicate" else _("“is a supplier of”")
        )
        raise ValidationError(
            {field: _("Write the verb of this side, e.g. %(example)s.") % {"example": example}}
        )
    max_length = RelationType._meta.get_field("predicate").max_length
    if len(predicate) > max_length:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": max_length}})
    return predicate


def _check_predicates(subject_predicate: str, object_predicate: str) -> tuple[str, str]:
    """Both verbs checked at once, so that a form shows both errors together."""
    checked, errors = [], {}
    for field, predicate in (
        ("subject_predicate", subject_predicate),
        ("object_predicate", object_predicate),
    ):
        try:
            checked.append(_check_predicate(field, predicate))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked[0], checked[1]


def create_relation_type(
    *,
    user: User | None,
    subject_predicate: str,
    object_predicate: str,
    subject_types: Iterable[ContentType] = (),
    object_types: Iterable[ContentType] = (),
    subject_properties: Iterable[PropertyType] = (),
    object_properties: Iterable[PropertyType] = (),
    subject_forbidden_properties: Iterable[PropertyType] = (),
    object_forbidden_properties: Iterable[PropertyType] = (),
    is_copiable: bool = True,
) -> tuple[RelationType, RelationType]:
    """Create a custom pair "subject – verb – object" and its reverse; return both sides."""
    check_permission(user, "configure")
    subject_predicate, object_predicate = _check_predicates(subject_predicate, object_predicate)
    key = uuid.uuid4().hex[:12]
    with transaction.atomic():
        side = RelationType.objects.create(
            id=f"custom-{key}-subject",
            predicate=subject_predicate,
            is_custom=True,
            is_copiable=is_copiable,
        )
        reverse = RelationType.objects.create(
            id=f"custom-{key}-object",
            predicate=object_predicate,
            is_custom=True,
            is_copiable=is_copiable,
            reverse=side,
        )
        side.reverse = reverse
        side.save(update_fields=["reverse"])
        side.subject_types.set(subject_types)
        side.subject_properties.set(subject_properties)
        side.subject_forbidden_properties.set(subject_forbidden_properties)
        reverse.subject_types.set(object_types)
        reverse.subject_properties.set(object_properties)
        reverse.subject_forbidden_properties.set(object_forbidden_properties)
    return side, reverse


def set_relation_type_enabled(
    *, user: User | None, relation_type: RelationType, enabled: bool
) -> None:
    """Enable or disable a pair (both sides); built-in types may be disabled too."""
    check_permission(user, "configure")
    RelationType.objects.filter(pk__in=[relation_type.pk, relation_type.reverse_id]).update(
        enabled=enabled
    )


def _check_custom(relation_type: RelationType) -> None:
    if not relation_type.is_custom:
        raise BuiltInProtected(
            _("“%(type)s” is a built-in relation type: it can be disabled, not changed or deleted.")
            % {"type": relation_type}
        )


def update_relation_type(
    *,
    user: User | None,
    relation_type: RelationType,
    subject_predicate: str,
    object_predicate: str,
    subject_types: Iterable[ContentType] | None = None,
    object_types: Iterable[ContentType] | None = None,
    subject_properties: Iterable[PropertyType] | None = None,
    object_properties: Iterable[PropertyType] | None = None,
    subject_forbidden_properties: Iterable[PropertyType] | None = None,
    object_forbidden_properties: Iterable[PropertyType] | None = None,
) -> None:
    """Change a custom pair's wording and, when given, its rules (``None``: unchanged).

    New rules are refused while existing relations of the pair would break them.
    """
    check_permission(user, "configure")
    _check_custom(relation_type)
    subject_predicate, object_predicate = _check_predicates(subject_predicate, object_predicate)
    reverse = relation_type.reverse
    sides = (
        (relation_type, subject_types, subject_properties, subject_forbidden_properties),
        (reverse, object_types, object_properties, object_forbidden_properties),
    )
    with transaction.atomic():
        for side, types, required, forbidden in sides:
            _check_rules_fit(side, types, required, forbidden)
        RelationType.objects.filter(pk=relation_type.pk).update(predicate=subject_predicate)
        RelationType.objects.filter(pk=reverse.pk).update(predicate=object_predicate)
        for side, types, required, forbidden in sides:
            if types is not None:
                side.subject_types.set(types)
            if required is not None:
                side.subject_properties.set(required)
            if forbidden is not None:
                side.subject_forbidden_properties.set(forbidden)


def _check_rules_fit(
    side: RelationType,
    types: Iterable[ContentType] | None,
    required: Iterable[PropertyType] | None,
    forbidden: Iterable[PropertyType] | None,
) -> None:
    """Refuse rules for ``side`` that some of its existing relations' subjects break."""
    relations = Relation.objects.filter(type=side)
    breaking = Relation.objects.none()
    type_ids = [content_type.pk for content_type in types or ()]
    if type_ids:
        breaking = breaking | relations.exclude(subject__entity_type_id__in=type_ids)
    for property_type in required or ():
        has_it = Property.objects.filter(entity_id=OuterRef("subject_id"), type=property_type)
        breaking = breaking | relations.exclude(Exists(has_it))
    forbidden_ids = [property_type.pk for property_type in forbidden or ()]
    if forbidden_ids:
        has_one = Property.objects.filter(
            entity_id=OuterRef("subject_id"), type_id__in=forbidden_ids
        )
        breaking = breaking | relations.filter(Exists(has_one))
    count = breaking.count()
    if count:
        raise ActionRefused(
            ngettext(
                "%(count)s relation “%(type)s” would no longer be allowed by these rules: "
                "remove it first, or keep the rules.",
                "%(count)s relations “%(type)s” would no longer be allowed by these rules: "
                "remove them first, or keep the rules.",
                count,
            )
            % {"count": count, "type": side}
        )


def _record_forced_unlinks(user: User | None, relations) -> None:
    """Each entity that loses a relation with its type says so in its history."""
    record_lost_relations(
        user,
        (
            (relation.subject, relation.type_id, relation.type.predicate, relation.object)
            for relation in relations.select_related("type", "subject", "object").iterator()
        ),
    )


def delete_relation_type(
    *, user: User | None, relation_type: RelationType, force: bool = False
) -> None:
    """Delete a custom pair; one still in use needs ``force``, which removes its relations."""
    check_permission(user, "configure")
    _check_custom(relation_type)
    sides = [relation_type.pk, relation_type.reverse_id]
    with transaction.atomic():
        in_use = Relation.objects.filter(type_id__in=sides)
        if in_use.exists():
            if not force:
                raise InUse(
                    _(
                        "“%(type)s” is used by relations: remove them first, or force the "
                        "deletion to remove them too."
                    )
                    % {"type": relation_type}
                )
            _record_forced_unlinks(user, in_use)
            in_use.update(reverse=None)
            in_use.delete()
        RelationType.objects.filter(pk__in=sides).update(reverse=None)
        RelationType.objects.filter(pk__in=sides).delete()
