"""The service layer: every write to entities, relations and properties passes here."""

from tandem.core.services.entities import (
    create_entity,
    delete_entity,
    empty_trash,
    restore_entity,
    trash_entity,
    update_entity,
)
from tandem.core.services.properties import add_property, remove_property
from tandem.core.services.relation_types import (
    create_relation_type,
    delete_relation_type,
    set_relation_type_enabled,
    update_relation_type,
)
from tandem.core.services.relations import (
    bulk_link,
    check_link,
    get_or_link,
    link,
    link_many,
    unlink,
    update_relation,
)

__all__ = [
    "add_property",
    "bulk_link",
    "check_link",
    "create_entity",
    "create_relation_type",
    "delete_entity",
    "delete_relation_type",
    "empty_trash",
    "get_or_link",
    "link",
    "link_many",
    "remove_property",
    "restore_entity",
    "set_relation_type_enabled",
    "trash_entity",
    "unlink",
    "update_entity",
    "update_relation",
    "update_relation_type",
]
