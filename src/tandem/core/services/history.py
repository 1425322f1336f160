"""Writing history entries; called by the other services inside their transactions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from tandem.core.models import Entity, HistoryEntry, User


def record(entity: Entity, kind: HistoryEntry.Kind, user: User | None, **data: Any) -> HistoryEntry:
    """Add one history line to ``entity``."""
    return HistoryEntry.objects.create(
        entity=entity,
        entity_label=entity.label,
        entity_type_id=entity.entity_type_id,
        kind=kind,
        user=user,
        data=data,
    )


def relation_data(relation_type_id: str, predicate: str, other: Entity) -> dict[str, Any]:
    return {
        "relation_type": relation_type_id,
        "predicate": predicate,
        "other_uuid": str(other.uuid),
        "other_label": other.label,
    }


def record_lost_relations(
    user: User | None, losses: Iterable[tuple[Entity, str, str, Entity]]
) -> None:
    """One "relation removed" line per ``(entity, type id, predicate, other)``, in one
    statement: for removals that bypass ``unlink`` (a deleted entity, a deleted type)."""
    now = timezone.now()
    HistoryEntry.objects.bulk_create(
        HistoryEntry(
            entity=entity,
            entity_label=entity.label,
            entity_type_id=entity.entity_type_id,
            kind=HistoryEntry.Kind.UNRELATED,
            date=now,
            user=user,
            data=relation_data(type_id, predicate, other),
        )
        for entity, type_id, predicate, other in losses
    )
