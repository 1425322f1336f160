"""Short ways to make what many tests need."""

from __future__ import annotations

from tandem.core.models import Entity, EntityFilter, User
from tandem.core.services.filters import create_filter


def relation_filter(
    user: User, model: type[Entity], name: str, relation_type: str, entity: Entity
) -> EntityFilter:
    """A shared filter: the ``model`` entities with a ``relation_type`` relation to ``entity``."""
    return create_filter(
        user=user,
        name=name,
        entity_type=model.get_entity_type(),
        conditions=[
            {
                "type": "relation",
                "relation_type": relation_type,
                "has": True,
                "entity": str(entity.uuid),
            }
        ],
    )
