"""The one permission hook every service asks before it acts.

For now any active, authenticated user may do anything, and ``user=None`` means the system
itself (populate, migrations). Roles and record-level rights will plug in here, so that the
web UI, the API, imports and the command line all get them at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tandem.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from tandem.core.models import Entity, User

ACTIONS = frozenset({"view", "create", "change", "delete", "link", "unlink", "configure", "export"})


def check_permission(user: User | None, action: str, entity: Entity | None = None) -> None:
    """Raise PermissionDenied unless ``user`` may perform ``action`` (on ``entity``)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if user is None:
        return
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("You must be logged in with an active account to do this."))
