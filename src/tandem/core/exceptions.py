"""Domain errors raised by the services; interfaces map each to one HTTP status or message.

Every message is translated and names what it is about, so an interface can show it as is.
"""

from __future__ import annotations

from typing import Any


class TandemError(Exception):
    """Base of the domain errors: a translated, user-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(TandemError):
    """The acting user may not do this."""


class RelationRefused(TandemError):
    """A link or unlink the relation type's rules forbid; nothing was written."""


class DuplicateRelation(RelationRefused):
    """The (subject, type, object) relation exists already."""


class ActionRefused(TandemError):
    """An operation the engine's rules forbid (trashing the last managed organisation…)."""


class AlreadyExists(ActionRefused):
    """What the caller asks to add is there already (a property the entity carries)."""


class NotFound(TandemError):
    """What the caller names is gone (removed by someone else a moment ago)."""


class BuiltInProtected(ActionRefused):
    """A built-in configuration item (relation or property type) may be disabled, not changed
    or deleted: the code relies on it."""


class InUse(ActionRefused):
    """Deleting this would remove data that uses it; the caller must force it."""


class ConflictError(TandemError):
    """An update was based on a stale version: someone else saved the record first."""

    def __init__(self, message: str, *, current: Any, changes: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.current = current
        self.changes = changes
