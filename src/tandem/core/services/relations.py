"""Linking and unlinking entities: relations are always written and removed in pairs."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.exceptions import DuplicateRelation, NotFound, RelationRefused
from tandem.core.models import (
    Entity,
    HistoryEntry,
    Property,
    PropertyType,
    Relation,
    RelationType,
    User,
)
from tandem.core.permissions import check_permission
from tandem.core.services.history import record, relation_data


def _refuse(
    reason: str,
    subject: Entity,
    relation_type: RelationType,
    obj: Entity,
    error: type[RelationRefused] = RelationRefused,
) -> None:
    raise error(
        _("Cannot link “%(subject)s” – %(predicate)s – “%(object)s”: %(reason)s")
        % {
            "subject": subject.label,
            "predicate": relation_type,
            "object": obj.label,
            "reason": reason,
        }
    )


def check_link(
    subject: Entity, relation_type: RelationType, obj: Entity, *, allow_internal: bool = False
) -> None:
    """Raise RelationRefused when the type's rules forbid (subject, type, object)."""
    reverse = relation_type.reverse
    if relation_type.is_internal and not allow_internal:
        _refuse(_("this relation type is reserved for Tandem itself."), subject, relation_type, obj)
    if not relation_type.enabled:
        _refuse(_("this relation type is disabled."), subject, relation_type, obj)
    if subject.pk == obj.pk:
        _refuse(_("an entity cannot be linked to itself."), subject, relation_type, obj)
    for entity in (subject, obj):
        if entity.is_deleted:
            _refuse(
                _("“%(entity)s” is in the trash.") % {"entity": entity.label},
                subject,
                relation_type,
                obj,
            )
    sides = [
        (side, entity, role, *_rules(side))
        for side, entity, role in (
            (relation_type, subject, _("subject")),
            (reverse, obj, _("object")),
        )
    ]
    properties: dict[int, set[str]] = {subject.pk: set(), obj.pk: set()}
    if any(required or forbidden for _s, _e, _r, _t, required, forbidden in sides):
        for entity_id, type_id in Property.objects.filter(
            entity_id__in=[subject.pk, obj.pk]
        ).values_list("entity_id", "type_id"):
            properties[entity_id].add(type_id)
    for _side, entity, role, allowed_types, required, forbidden_types in sides:
        if allowed_types and entity.entity_type_id not in allowed_types:
            _refuse(
                _("this relation type does not accept the type “%(type)s” as %(role)s.")
                % {"type": entity.entity_type.model_class()._meta.verbose_name, "role": role},
                subject,
                relation_type,
                obj,
            )
        missing = next((p for p in required if p.pk not in properties[entity.pk]), None)
        if missing:
            _refuse(
                _("“%(entity)s” must have the property “%(property)s”.")
                % {"entity": entity.label, "property": missing},
                subject,
                relation_type,
                obj,
            )
        forbidden = next((p for p in forbidden_types if p.pk in properties[entity.pk]), None)
        if forbidden:
            _refuse(
                _("“%(entity)s” must not have the property “%(property)s”.")
                % {"entity": entity.label, "property": forbidden},
                subject,
                relation_type,
                obj,
            )


def _rules(side: RelationType) -> tuple[set[int], list[PropertyType], list[PropertyType]]:
    """One side's rules: allowed entity types, required and forbidden property types. Read
    through ``.all()`` so that a caller linking many times (an import) can prefetch them."""
    return (
        {content_type.pk for content_type in side.subject_types.all()},
        list(side.subject_properties.all()),
        list(side.subject_forbidden_properties.all()),
    )


#: What ``check_link`` reads of a relation type, for callers that prefetch it.
RULES_PREFETCH = tuple(
    f"{prefix}{name}"
    for prefix in ("", "reverse__")
    for name in ("subject_types", "subject_properties", "subject_forbidden_properties")
)


def _resolve_type(relation_type: RelationType | str) -> RelationType:
    if isinstance(relation_type, RelationType):
        return relation_type
    try:
        return RelationType.objects.select_related("reverse").get(pk=relation_type)
    except RelationType.DoesNotExist:
        raise RelationRefused(
            _("The relation type “%(type)s” does not exist.") % {"type": relation_type}
        ) from None


def link(
    *,
    user: User | None,
    subject: Entity,
    relation_type: RelationType | str,
    object: Entity,
    note: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    allow_internal: bool = False,
) -> Relation:
    """Write (subject, type, object) and its reverse in one transaction; return the first.

    Refuses a duplicate: callers that want idempotence use ``get_or_link``.
    """
    relation_type = _resolve_type(relation_type)
    check_permission(user, "link", subject)
    check_permission(user, "link", object)
    check_link(subject, relation_type, object, allow_internal=allow_internal)
    if start_date and end_date and start_date > end_date:
        _refuse(_("the validity period ends before it starts."), subject, relation_type, object)
    try:
        with transaction.atomic():
            relation = Relation.objects.create(
                subject=subject,
                type=relation_type,
                object=object,
                note=note,
                start_date=start_date,
                end_date=end_date,
                created_by=user,
            )
            reverse = Relation.objects.create(
                subject=object,
                type=relation_type.reverse,
                object=subject,
                reverse=relation,
                note=note,
                start_date=start_date,
                end_date=end_date,
                created=relation.created,
                created_by=user,
            )
            relation.reverse = reverse
            relation.save(update_fields=["reverse"])
            record(
                subject,
                HistoryEntry.Kind.RELATED,
                user,
                **relation_data(relation_type.pk, relation_type.predicate, object),
            )
            record(
                object,
                HistoryEntry.Kind.RELATED,
                user,
                **relation_data(relation_type.reverse_id, relation_type.reverse.predicate, subject),
            )
    except IntegrityError:
        _refuse(
            _("this relation already exists."), subject, relation_type, object, DuplicateRelation
        )
    return relation


def link_many(
    user: User | None,
    subject: Entity,
    relation_type: RelationType,
    objects: list[Entity],
    *,
    note: str,
    start: datetime.date | None,
    end: datetime.date | None,
) -> list[Relation]:
    """Link ``subject`` to each object in one transaction: all of them, or none."""
    with transaction.atomic():
        return [
            link(
                user=user,
                subject=subject,
                relation_type=relation_type,
                object=obj,
                note=note,
                start_date=start,
                end_date=end,
            )
            for obj in objects
        ]


def get_or_link(
    *,
    user: User | None,
    subject: Entity,
    relation_type: RelationType | str,
    object: Entity,
    **options,
) -> tuple[Relation, bool]:
    """The existing (subject, type, object) relation, or a new one: ``(relation, created)``."""
    relation_type = _resolve_type(relation_type)
    existing = Relation.objects.filter(subject=subject, type=relation_type, object=object).first()
    if existing is not None:
        return existing, False
    return link(
        user=user, subject=subject, relation_type=relation_type, object=object, **options
    ), True


def unlink(*, user: User | None, relation: Relation, allow_internal: bool = False) -> None:
    """Remove ``relation`` and its reverse together."""
    relation = Relation.objects.select_related("type__reverse", "subject", "object").get(
        pk=relation.pk
    )
    check_permission(user, "unlink", relation.subject)
    check_permission(user, "unlink", relation.object)
    if relation.type.is_internal and not allow_internal:
        raise RelationRefused(
            _(
                "The relation “%(subject)s – %(predicate)s – %(object)s” is managed by Tandem "
                "itself and cannot be removed by hand."
            )
            % {
                "subject": relation.subject.label,
                "predicate": relation.type,
                "object": relation.object.label,
            }
        )
    with transaction.atomic():
        Relation.objects.filter(pk__in=[relation.pk, relation.reverse_id]).update(reverse=None)
        deleted, _details = Relation.objects.filter(
            pk__in=[relation.pk, relation.reverse_id]
        ).delete()
        if not deleted:
            # Someone removed it between our read and our write: say so, record nothing.
            raise NotFound(_("This relation was removed a moment ago."))
        record(
            relation.subject,
            HistoryEntry.Kind.UNRELATED,
            user,
            **relation_data(relation.type_id, relation.type.predicate, relation.object),
        )
        record(
            relation.object,
            HistoryEntry.Kind.UNRELATED,
            user,
            **relation_data(
                relation.type.reverse_id, relation.type.reverse.predicate, relation.subject
            ),
        )


def update_relation(
    *,
    user: User | None,
    relation: Relation,
    note: str,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
) -> None:
    """Change the note and validity period, which both sides share."""
    check_permission(user, "link", relation.subject)
    check_permission(user, "link", relation.object)
    if start_date and end_date and start_date > end_date:
        raise RelationRefused(_("The validity period ends before it starts."))
    Relation.objects.filter(pk__in=[relation.pk, relation.reverse_id]).update(
        note=note, start_date=start_date, end_date=end_date
    )


def bulk_link(
    *,
    user: User | None,
    relation_type: RelationType | str,
    pairs: Iterable[tuple[int, int]],
    batch_size: int = 2000,
) -> int:
    """Link many (subject id, object id) pairs with one type, both sides and history, in
    batches of set-based statements; return how many pairs were written.

    For imports and data generators: the type's subject/object entity types are checked with
    one query per batch; an existing pair, a self-link or a trashed entity refuses the whole
    batch (nothing of it is written). Properties are not checked.
    """
    relation_type = _resolve_type(relation_type)
    check_permission(user, "link")
    if relation_type.is_internal or not relation_type.enabled:
        raise RelationRefused(
            _("The relation type “%(type)s” cannot be used here.") % {"type": relation_type}
        )
    subject_types = set(relation_type.subject_types.values_list("pk", flat=True))
    object_types = set(relation_type.reverse.subject_types.values_list("pk", flat=True))
    written = 0
    for batch in _batches(pairs, batch_size):
        with transaction.atomic():
            written += _bulk_link_batch(user, relation_type, batch, subject_types, object_types)
    return written


def _batches(pairs: Iterable[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    iterator = iter(pairs)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _bulk_link_batch(
    user: User | None,
    relation_type: RelationType,
    batch: list[tuple[int, int]],
    subject_types: set[int],
    object_types: set[int],
) -> int:
    batch = list(dict.fromkeys(batch))
    ids = {entity_id for pair in batch for entity_id in pair}
    entities = {
        row[0]: row
        for row in Entity.objects.filter(pk__in=ids).values_list(
            "pk", "entity_type_id", "is_deleted", "label", "uuid"
        )
    }
    for subject_id, object_id in batch:
        subject, obj = entities.get(subject_id), entities.get(object_id)
        if subject is None or obj is None or subject_id == object_id or subject[2] or obj[2]:
            raise RelationRefused(
                _(
                    "Cannot link entity %(subject)s to entity %(object)s with “%(type)s”: one "
                    "of them does not exist, is in the trash, or they are the same."
                )
                % {"subject": subject_id, "object": object_id, "type": relation_type}
            )
        if (subject_types and subject[1] not in subject_types) or (
            object_types and obj[1] not in object_types
        ):
            raise RelationRefused(
                _(
                    "Cannot link “%(subject)s” to “%(object)s” with “%(type)s”: this relation "
                    "type does not allow these entity types."
                )
                % {"subject": subject[3], "object": obj[3], "type": relation_type}
            )
    now = timezone.now()
    common = {"created": now, "created_by": user}
    try:
        forward = Relation.objects.bulk_create(
            Relation(subject_id=s, type=relation_type, object_id=o, **common) for s, o in batch
        )
        backward = Relation.objects.bulk_create(
            Relation(
                subject_id=o,
                type_id=relation_type.reverse_id,
                object_id=s,
                reverse_id=relation.pk,
                **common,
            )
            for (s, o), relation in zip(batch, forward, strict=True)
        )
    except IntegrityError:
        raise DuplicateRelation(
            _(
                "Some of these “%(type)s” relations already exist; nothing of this batch was "
                "written."
            )
            % {"type": relation_type}
        ) from None
    for relation, reverse in zip(forward, backward, strict=True):
        relation.reverse_id = reverse.pk
    Relation.objects.bulk_update(forward, ["reverse"], batch_size=500)

    def entry(entity_id: int, type_id: str, predicate: str, other_id: int) -> HistoryEntry:
        entity, other = entities[entity_id], entities[other_id]
        return HistoryEntry(
            entity_id=entity_id,
            entity_label=entity[3],
            entity_type_id=entity[1],
            kind=HistoryEntry.Kind.RELATED,
            date=now,
            user=user,
            data={
                "relation_type": type_id,
                "predicate": predicate,
                "other_uuid": str(other[4]),
                "other_label": other[3],
            },
        )

    HistoryEntry.objects.bulk_create(
        [entry(s, relation_type.pk, relation_type.predicate, o) for s, o in batch]
        + [entry(o, relation_type.reverse_id, relation_type.reverse.predicate, s) for s, o in batch]
    )
    return len(batch)
