"""Creating, changing and deleting saved views (the columns of a list)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.columns import parse_columns
from tandem.core.models import SavedView, User
from tandem.core.permissions import check_permission
from tandem.core.registry import entity_types
from tandem.core.services.filters import check_owner

NAME_MAX_LENGTH = SavedView._meta.get_field("name").max_length


def create_view(
    *, user: User | None, name: str, entity_type: ContentType, columns: Any, is_private: bool
) -> SavedView:
    """Save a new view owned by ``user``."""
    check_permission(user, "view")
    return _save(SavedView(entity_type=entity_type, owner=user), name, columns, is_private)


def update_view(
    *, user: User | None, view: SavedView, name: str, columns: Any, is_private: bool
) -> SavedView:
    check_owner(user, view)
    return _save(view, name, columns, is_private)


def delete_view(*, user: User | None, view: SavedView) -> None:
    check_owner(user, view)
    view.delete()


def _save(view: SavedView, name: str, columns: Any, is_private: bool) -> SavedView:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("At most %(max)s characters.") % {"max": NAME_MAX_LENGTH}})
    model = view.entity_type.model_class()
    if model is None or model not in entity_types:
        raise ValidationError({"entity_type": _("This is not an entity type.")})
    view.columns = parse_columns(model, view.entity_type_id, columns)
    view.name, view.is_private, view.modified = name, is_private, timezone.now()
    view.save()
    return view
