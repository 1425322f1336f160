"""Writing history entries; called by the other services inside their transactions."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

from django.db import models

from tandem.core.models import Entity, HistoryEntry, User


def display_value(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value for the history."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, default=str))
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def record(
    entity: Entity, kind: HistoryEntry.Kind, user: User | None, **data: Any
) -> HistoryEntry:
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
