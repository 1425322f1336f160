"""Creating, changing, enabling and deleting relation type pairs (configuration)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core.exceptions import ActionRefused
from tandem.core.models import PropertyType, Relation, RelationType, User
from tandem.core.permissions import check_permission


def _check_predicate(field: str, predicate: str) -> str:
    predicate = (predicate or "").strip()
    if not predicate:
        raise ValidationError({field: _("Write the verb of this side, e.g. “is a partner of”.")})
    max_length = RelationType._meta.get_field("predicate").max_length
    if len(predicate) > max_length:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": max_length}})
    return predicate


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
    subject_predicate = _check_predicate("subject_predicate", subject_predicate)
    object_predicate = _check_predicate("object_predicate", object_predicate)
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
        raise ActionRefused(
            _("“%(type)s” is a built-in relation type: it can be disabled, not changed or deleted.")
            % {"type": relation_type}
        )


def update_relation_type(
    *,
    user: User | None,
    relation_type: RelationType,
    subject_predicate: str,
    object_predicate: str,
) -> None:
    """Reword a custom pair's two predicates."""
    check_permission(user, "configure")
    _check_custom(relation_type)
    subject_predicate = _check_predicate("subject_predicate", subject_predicate)
    object_predicate = _check_predicate("object_predicate", object_predicate)
    with transaction.atomic():
        RelationType.objects.filter(pk=relation_type.pk).update(predicate=subject_predicate)
        RelationType.objects.filter(pk=relation_type.reverse_id).update(predicate=object_predicate)


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
                raise ActionRefused(
                    _(
                        "“%(type)s” is used by relations: remove them first, or force the "
                        "deletion to remove them too."
                    )
                    % {"type": relation_type}
                )
            in_use.update(reverse=None)
            in_use.delete()
        RelationType.objects.filter(pk__in=sides).update(reverse=None)
        RelationType.objects.filter(pk__in=sides).delete()
