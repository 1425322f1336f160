"""Creating, changing, enabling and deleting property types (configuration).

Built-in property types belong to the code (it looks them up by id): they may be disabled,
never changed or deleted. Custom ones are the users' own words.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.core.exceptions import BuiltInProtected, InUse
from tandem.core.models import Entity, HistoryEntry, Property, PropertyType, User
from tandem.core.permissions import check_permission


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the property says, e.g. “is a VIP”.")})
    max_length = PropertyType._meta.get_field("text").max_length
    if len(text) > max_length:
        raise ValidationError({"text": _("At most %(max)s characters.") % {"max": max_length}})
    return text


def _check_custom(property_type: PropertyType) -> None:
    if not property_type.is_custom:
        raise BuiltInProtected(
            _(
                "“%(property)s” is a built-in property type: it can be disabled, not changed "
                "or deleted."
            )
            % {"property": property_type}
        )


def create_property_type(
    *, user: User | None, text: str, subject_types: Iterable[ContentType] = ()
) -> PropertyType:
    """Create a custom property type; no subject types means any entity may carry it."""
    check_permission(user, "configure")
    text = _check_text(text)
    with transaction.atomic():
        property_type = PropertyType.objects.create(
            id=f"custom-{uuid.uuid4().hex[:12]}", text=text, is_custom=True
        )
        property_type.subject_types.set(subject_types)
    return property_type


def update_property_type(
    *,
    user: User | None,
    property_type: PropertyType,
    text: str,
    subject_types: Iterable[ContentType] = (),
) -> None:
    """Reword a custom property type and change the types it applies to.

    Narrowing the types is refused while entities of a removed type carry the property, so
    that no entity is left with a property its type may not have.
    """
    check_permission(user, "configure")
    _check_custom(property_type)
    text = _check_text(text)
    subject_types = list(subject_types)
    with transaction.atomic():
        if subject_types:
            outside = (
                Property.objects.filter(type=property_type)
                .exclude(entity__entity_type__in=subject_types)
                .count()
            )
            if outside:
                raise ValidationError(
                    {
                        "subject_types": ngettext(
                            "%(count)s entity of a type you left out carries this property: "
                            "remove the property from it first, or keep its type.",
                            "%(count)s entities of types you left out carry this property: "
                            "remove the property from them first, or keep their types.",
                            outside,
                        )
                        % {"count": outside}
                    }
                )
        PropertyType.objects.filter(pk=property_type.pk).update(text=text)
        property_type.text = text
        property_type.subject_types.set(subject_types)


def set_property_type_enabled(
    *, user: User | None, property_type: PropertyType, enabled: bool
) -> None:
    """Enable or disable a property type; a disabled one can no longer be added to entities
    (those that carry it keep it)."""
    check_permission(user, "configure")
    PropertyType.objects.filter(pk=property_type.pk).update(enabled=enabled)
    property_type.enabled = enabled


def property_type_usage(property_type: PropertyType) -> int:
    """How many entities carry ``property_type`` (one indexed count, for confirmations)."""
    return Property.objects.filter(type=property_type).count()


def delete_property_type(
    *, user: User | None, property_type: PropertyType, force: bool = False
) -> int:
    """Delete a custom property type; return how many entities lost it.

    One still carried by entities needs ``force``, which removes it from them and records
    that in each one's history. Relation types that required or forbade it drop that rule.
    """
    check_permission(user, "configure")
    _check_custom(property_type)
    with transaction.atomic():
        carried = Property.objects.filter(type=property_type)
        entities = list(
            Entity.objects.filter(properties__type=property_type).values_list(
                "pk", "label", "entity_type_id"
            )
        )
        if entities and not force:
            raise InUse(
                ngettext(
                    "“%(property)s” is carried by %(count)s entity: remove it from that entity "
                    "first, or confirm to remove it too.",
                    "“%(property)s” is carried by %(count)s entities: remove it from them "
                    "first, or confirm to remove it from them too.",
                    len(entities),
                )
                % {"property": property_type, "count": len(entities)}
            )
        now = timezone.now()
        HistoryEntry.objects.bulk_create(
            HistoryEntry(
                entity_id=pk,
                entity_label=label,
                entity_type_id=entity_type_id,
                kind=HistoryEntry.Kind.PROPERTY_REMOVED,
                date=now,
                user=user,
                data={"property_type": property_type.pk, "property": property_type.text},
            )
            for pk, label, entity_type_id in entities
        )
        carried.delete()
        property_type.subject_types.clear()
        PropertyType.objects.filter(pk=property_type.pk).delete()
    return len(entities)
