"""Merging two entities of one type into one: a duplicate found late must not cost its
relations, properties or history."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core.exceptions import ActionRefused, ConflictError
from tandem.core.models import Entity, HistoryEntry, Property, Relation, User
from tandem.core.permissions import check_permission
from tandem.core.registry import entity_types
from tandem.core.services.entities import update_entity
from tandem.core.services.history import record


def merge_entities(
    *,
    user: User | None,
    survivor: Entity,
    merged: Entity,
    take: Iterable[str],
    survivor_version: int,
    merged_version: int,
) -> Entity:
    """Merge ``merged`` into ``survivor`` and return the survivor, fresh.

    ``take`` names the fields whose value the survivor takes from ``merged``. The
    relations and properties of ``merged`` move to the survivor, except those it has already
    and those that would link it to itself; ``merged``'s history moves too, and ``merged`` is
    deleted, leaving a "merged" line under its own name. Both versions must be current, so
    that nobody's edit of either is lost.
    """
    check_permission(user, "change", survivor)
    check_permission(user, "delete", merged)
    survivor, merged = survivor.get_real_entity(), merged.get_real_entity()
    if type(survivor) is not type(merged):
        raise ActionRefused(_("Only two entities of the same type can be merged."))
    if survivor.pk == merged.pk:
        raise ActionRefused(_("An entity cannot be merged with itself."))
    model = type(survivor)
    take = list(dict.fromkeys(take))
    mergeable = {
        name for _title, names in entity_types.for_model(model).field_groups for name in names
    }
    unknown = [name for name in take if name not in mergeable]
    if unknown:
        raise ValidationError(
            {
                "take": _("These are not fields a merge can take: %(fields)s.")
                % {"fields": ", ".join(str(name)[:50] for name in unknown[:10])}
            }
        )
    with transaction.atomic():
        locked = {
            entity.pk: entity
            for entity in model._default_manager.select_for_update()
            .filter(pk__in=[survivor.pk, merged.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ActionRefused(_("One of the two entities no longer exists."))
        merged = locked[merged.pk]
        for entity in locked.values():
            if entity.is_deleted:
                raise ActionRefused(
                    _("“%(entity)s” is in the trash: restore it before merging it.")
                    % {"entity": entity.label}
                )
        if merged.version != merged_version:
            raise ConflictError(
                _(
                    "“%(entity)s” was changed by someone else since you opened the merge. "
                    "Nothing was merged."
                )
                % {"entity": merged.label},
                current=merged,
                changes=[],
            )
        survivor = update_entity(
            user=user, entity=survivor, data=merged.values_of(take), version=survivor_version
        )
        absorbed = survivor.absorb(merged)
        merged.refresh_from_db()
        merged.check_can_delete()
        moved, dropped = _move_relations(survivor, merged)
        properties = _move_properties(survivor, merged)
        _repoint_filters(survivor, merged)
        HistoryEntry.objects.filter(entity=merged).update(entity=survivor)
        details = {
            "other_uuid": str(merged.uuid),
            "other_label": merged.label,
            "relations_moved": moved,
            "relations_dropped": dropped,
            "properties_moved": properties,
        }
        record(survivor, HistoryEntry.Kind.MERGED, user, changes=absorbed, **details)
        # The trace of the merged-away entity: its own line, kept under its name once the
        # entity row is gone.
        record(
            merged,
            HistoryEntry.Kind.MERGED,
            user,
            into_uuid=str(survivor.uuid),
            into_label=survivor.label,
        )
        Entity.objects.filter(pk=merged.pk).delete()
    return survivor


def _repoint_filters(survivor: Entity, merged: Entity) -> None:
    """Saved filters that named the merged-away entity ("employees of Dup Alpha") name the
    survivor, which now holds its relations, instead of breaking. Filters are few: read all."""
    from tandem.core.models import EntityFilter

    old, new = str(merged.uuid), str(survivor.uuid)
    for entity_filter in EntityFilter.objects.all():
        conditions = [
            {**condition, "entity": new} if condition.get("entity") == old else condition
            for condition in entity_filter.conditions
        ]
        if conditions != entity_filter.conditions:
            entity_filter.conditions = conditions
            entity_filter.save(update_fields=["conditions"])


def _move_relations(survivor: Entity, merged: Entity) -> tuple[int, int]:
    """Re-point both sides of each of ``merged``'s relation pairs at the survivor; drop the
    pairs the survivor has already and those between the two. Return (moved, dropped)."""
    existing = set(Relation.objects.filter(subject=survivor).values_list("type_id", "object_id"))
    move, drop = [], []
    for pk, reverse_id, type_id, object_id in Relation.objects.filter(subject=merged).values_list(
        "pk", "reverse_id", "type_id", "object_id"
    ):
        if object_id == survivor.pk or (type_id, object_id) in existing:
            drop.extend([pk, reverse_id])
        else:
            move.append((pk, reverse_id))
            existing.add((type_id, object_id))
    if drop:
        # Pointers first: MySQL checks foreign keys row by row.
        Relation.objects.filter(pk__in=drop).update(reverse=None)
        Relation.objects.filter(pk__in=drop).delete()
    if move:
        Relation.objects.filter(pk__in=[pk for pk, _reverse in move]).update(subject=survivor)
        Relation.objects.filter(pk__in=[reverse for _pk, reverse in move]).update(object=survivor)
    return len(move), len(drop) // 2


def _move_properties(survivor: Entity, merged: Entity) -> int:
    owned = Property.objects.filter(entity=survivor).values_list("type_id", flat=True)
    Property.objects.filter(entity=merged, type_id__in=list(owned)).delete()
    return Property.objects.filter(entity=merged).update(entity=survivor)
