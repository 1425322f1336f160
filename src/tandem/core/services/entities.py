"""Creating, editing, trashing, restoring and deleting entities: the only write path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.exceptions import ActionRefused, ConflictError, TandemError
from tandem.core.models import Entity, HistoryEntry, Relation, User
from tandem.core.permissions import check_permission
from tandem.core.services.history import record, record_lost_relations
from tandem.core.values import display_value


def _check_settable(model: type[Entity], data: dict[str, Any]) -> None:
    errors = {}
    for name in data:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            errors[name] = _("Unknown field “%(field)s”.") % {"field": name}
            continue
        if name in Entity.bookkeeping_fields or not field.editable or field.auto_created:
            errors[name] = _("The field “%(field)s” cannot be set.") % {"field": name}
    if errors:
        raise ValidationError(errors)


#: Fields the services set themselves from trusted objects (or a fresh uuid4): validating
#: them would cost a query each on every save, for nothing; the database still enforces them.
SERVICE_SET_FIELDS = ("uuid", "entity_type", "owner", "created_by", "modified_by")


def create_entity(
    *, user: User | None, model: type[Entity], data: dict[str, Any], owner: User | None = None
) -> Entity:
    """Validate and save a new entity of ``model``; the acting user owns it by default."""
    check_permission(user, "create")
    _check_settable(model, data)
    entity = model()
    entity.assign(data)
    entity.owner = owner if owner is not None else user
    entity.created_by = entity.modified_by = user
    entity.refresh_denormalised_fields()
    entity.full_clean(exclude=SERVICE_SET_FIELDS)
    with transaction.atomic():
        entity.save()
        record(entity, HistoryEntry.Kind.CREATED, user)
    return entity


def update_entity(
    *, user: User | None, entity: Entity, data: dict[str, Any], version: int
) -> Entity:
    """Apply ``data`` to ``entity`` if nobody saved it since ``version``; return the fresh copy.

    Raises ConflictError (listing what the caller would overwrite) on a stale version.
    """
    check_permission(user, "change", entity)
    model = type(entity)
    _check_settable(model, data)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=entity.pk)
        if current.is_deleted:
            raise ActionRefused(
                _("“%(entity)s” is in the trash: restore it before editing it.")
                % {"entity": current.label}
            )
        if current.version != version:
            raise ConflictError(
                _(
                    "“%(entity)s” was changed by someone else since you opened it. Nothing "
                    "was saved."
                )
                % {"entity": current.label},
                current=current,
                changes=_differences(current, data),
            )
        changes = current.assign(data)
        current.refresh_denormalised_fields()
        current.full_clean(exclude=SERVICE_SET_FIELDS)
        if changes:
            current.version = version + 1
            current.modified = timezone.now()
            current.modified_by = user
            current.save()
            record(current, HistoryEntry.Kind.EDITED, user, changes=changes)
    return current


def _differences(current: Entity, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What the caller's ``data`` would have overwritten in ``current``."""
    differences = []
    for name, value in data.items():
        theirs = display_value(getattr(current, name, None))
        yours = display_value(value)
        if theirs != yours:
            differences.append({"field": name, "yours": yours, "theirs": theirs})
    return differences


def trash_entity(*, user: User | None, entity: Entity) -> None:
    """Hide ``entity`` from normal lists; its relations are kept for a restore."""
    check_permission(user, "delete", entity)
    entity = entity.get_real_entity()
    if entity.is_deleted:
        raise ActionRefused(_("“%(entity)s” is already in the trash.") % {"entity": entity.label})
    with transaction.atomic():
        entity.check_can_trash()
        # Only a row still out of the trash changes: two concurrent calls trash it once.
        if not Entity.objects.filter(pk=entity.pk, is_deleted=False).update(
            is_deleted=True, modified=timezone.now(), modified_by=user
        ):
            raise ActionRefused(
                _("“%(entity)s” is already in the trash.") % {"entity": entity.label}
            )
        entity.is_deleted = True
        record(entity, HistoryEntry.Kind.TRASHED, user)


def restore_entity(*, user: User | None, entity: Entity) -> None:
    """Bring ``entity`` back from the trash."""
    check_permission(user, "delete", entity)
    if not entity.is_deleted:
        raise ActionRefused(_("“%(entity)s” is not in the trash.") % {"entity": entity.label})
    with transaction.atomic():
        if not Entity.objects.filter(pk=entity.pk, is_deleted=True).update(
            is_deleted=False, modified=timezone.now(), modified_by=user
        ):
            raise ActionRefused(_("“%(entity)s” is not in the trash.") % {"entity": entity.label})
        entity.is_deleted = False
        record(entity, HistoryEntry.Kind.RESTORED, user)


def delete_entity(*, user: User | None, entity: Entity) -> None:
    """Delete ``entity`` for good, with both sides of each of its relations.

    Its history is kept under its label, and each entity it was related to records the loss.
    """
    check_permission(user, "delete", entity)
    entity = entity.get_real_entity()
    with transaction.atomic():
        entity.check_can_delete()
        relations = list(
            Relation.objects.filter(subject=entity).select_related("type__reverse", "object")
        )
        record_lost_relations(
            user,
            (
                (relation.object, relation.type.reverse_id, relation.type.reverse.predicate, entity)
                for relation in relations
            ),
        )
        record(entity, HistoryEntry.Kind.DELETED, user)
        entity.delete()


def empty_trash(*, user: User | None) -> tuple[int, list[str]]:
    """Delete every trashed entity for good, one transaction each, so that one refusal (the
    last managed organisation…) does not keep the others; return (deleted, refusals)."""
    deleted, refusals = 0, []
    for entity in Entity.objects.filter(is_deleted=True).order_by("pk").iterator():
        try:
            delete_entity(user=user, entity=entity)
        except TandemError as error:
            refusals.append(str(error))
        else:
            deleted += 1
    return deleted, refusals
