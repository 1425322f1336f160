"""Reading the engine's data: each function costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from tandem.core.models import (
    LABEL_MAX_LENGTH,
    SEARCH_TEXT_MAX_LENGTH,
    Entity,
    EntityFilter,
    HistoryEntry,
    Property,
    PropertyType,
    Relation,
    RelationType,
    SavedView,
    User,
)
from tandem.core.search import NUL, Folded, fold, search_text_q, search_words_q

#: "Not in the trash", written so that databases use the (entity type, trash, sort label)
#: index: Django writes ``is_deleted=False`` as ``NOT is_deleted``, which SQLite and MySQL
#: cannot match to an index column; ``IN (false)`` they can.
NOT_TRASHED = Q(is_deleted__in=[False])


@dataclass
class RelationGroup:
    """The relations of one entity through one relation type: "is a customer of: A, D"."""

    relation_type: RelationType
    relations: list[Relation] = field(default_factory=list)
    #: How many relations of this type the entity has (``relations`` may show fewer).
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.relations)


def relations_of(entity: Entity, *, include_trashed: bool = True) -> list[Relation]:
    """Every relation whose subject is ``entity``, with type and object, in one query."""
    relations = (
        Relation.objects.filter(subject_id=entity.pk)
        .select_related("type", "object")
        .order_by("type__predicate", "object__sort_label", "pk")
    )
    if not include_trashed:
        relations = relations.filter(object__is_deleted=False)
    return list(relations)


def grouped_relations_of(entity: Entity, *, include_trashed: bool = True) -> list[RelationGroup]:
    """``relations_of`` grouped by relation type, in one query."""
    groups: dict[str, RelationGroup] = {}
    for relation in relations_of(entity, include_trashed=include_trashed):
        groups.setdefault(relation.type_id, RelationGroup(relation.type)).relations.append(relation)
    return list(groups.values())


#: How many relations of one type a detail page shows before "show all".
RELATIONS_PER_GROUP = 20


def relation_summary(entity: Entity, *, per_type: int = RELATIONS_PER_GROUP) -> list[RelationGroup]:
    """The first ``per_type`` relations of each type (by the other entity's name) with each
    type's total, in three queries: an entity with thousands of relations costs what one
    with a handful does."""
    totals = dict(
        Relation.objects.filter(subject_id=entity.pk)
        .values("type_id")
        .annotate(count=Count("pk"))
        .values_list("type_id", "count")
    )
    if not totals:
        return []
    # The window ranks narrow rows (id, type, the other entity's name); only the relations it
    # keeps are read whole, with their type and object: the ranking of thousands of
    # relations costs what their ids and names do.
    first_ids = (
        Relation.objects.filter(subject_id=entity.pk)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("type_id")],
                order_by=[F("object__sort_label").asc(), F("pk").asc()],
            )
        )
        .filter(position__lte=per_type)
        .values_list("pk", flat=True)
    )
    # Listed, not a subquery: PostgreSQL cannot guess how few the window keeps, and on a
    # mid-sized table it hashed the whole relation table to join them.
    first = (
        Relation.objects.filter(pk__in=list(first_ids))
        .select_related("type", "object")
        .order_by("type__predicate", "object__sort_label", "pk")
    )
    groups: dict[str, RelationGroup] = {}
    for relation in first:
        group = groups.setdefault(
            relation.type_id, RelationGroup(relation.type, total=totals[relation.type_id])
        )
        group.relations.append(relation)
    return list(groups.values())


def relations_of_type(entity: Entity, relation_type_id: str) -> QuerySet[Relation]:
    """All of ``entity``'s relations of one type, by the other entity's name (to page)."""
    return (
        Relation.objects.filter(subject_id=entity.pk, type_id=relation_type_id)
        .select_related("type", "object")
        .order_by("object__sort_label", "pk")
    )


def relation_types_for(entity: Entity) -> QuerySet[RelationType]:
    """Enabled, public relation types whose subject may be ``entity`` (by type; properties are
    checked when linking)."""
    return relation_types_for_type(entity.entity_type_id)


def relation_types_for_type(entity_type_id: int) -> QuerySet[RelationType]:
    """Enabled, public relation types whose subject may be of this entity type."""
    restrictions = RelationType.subject_types.through.objects.filter(relationtype_id=OuterRef("pk"))
    return (
        RelationType.objects.filter(enabled=True, is_internal=False)
        .filter(~Exists(restrictions) | Exists(restrictions.filter(contenttype_id=entity_type_id)))
        .select_related("reverse")
    )


def property_types_for_type(entity_type_id: int) -> QuerySet[PropertyType]:
    """Enabled property types entities of this type may carry."""
    restrictions = PropertyType.subject_types.through.objects.filter(propertytype_id=OuterRef("pk"))
    return PropertyType.objects.filter(enabled=True).filter(
        ~Exists(restrictions) | Exists(restrictions.filter(contenttype_id=entity_type_id))
    )


#: How many entities a picker offers at once.
PICKER_LIMIT = 20


def relation_types_allowed(entity: Entity) -> list[RelationType]:
    """Enabled, public types whose subject side accepts ``entity``'s type and properties."""
    owned = set(Property.objects.filter(entity=entity).values_list("type_id", flat=True))
    types = relation_types_for(entity).prefetch_related(
        "subject_properties", "subject_forbidden_properties"
    )
    allowed = []
    for relation_type in types:
        required = {p.pk for p in relation_type.subject_properties.all()}
        forbidden = {p.pk for p in relation_type.subject_forbidden_properties.all()}
        if required <= owned and not forbidden & owned:
            allowed.append(relation_type)
    return sorted(allowed, key=lambda relation_type: fold(str(relation_type)))


def picker_candidates(
    entity: Entity, relation_type: RelationType, text: str, *, limit: int = PICKER_LIMIT
) -> list[Entity]:
    """Entities the type accepts as object of ``entity`` and not linked yet, matching ``text``."""
    reverse = relation_type.reverse
    candidates = Entity.objects.filter(NOT_TRASHED).exclude(pk=entity.pk)
    allowed_types = list(reverse.subject_types.values_list("pk", flat=True))
    if allowed_types:
        candidates = candidates.filter(entity_type_id__in=allowed_types)
    for property_type in reverse.subject_properties.all():
        candidates = candidates.filter(
            Exists(Property.objects.filter(entity_id=OuterRef("pk"), type=property_type))
        )
    forbidden = list(reverse.subject_forbidden_properties.values_list("pk", flat=True))
    if forbidden:
        candidates = candidates.exclude(
            Exists(Property.objects.filter(entity_id=OuterRef("pk"), type_id__in=forbidden))
        )
    candidates = candidates.exclude(
        Exists(
            Relation.objects.filter(
                subject_id=entity.pk, type_id=relation_type.pk, object_id=OuterRef("pk")
            )
        )
    )
    candidates = candidates.filter(search_words_q(text))
    return list(candidates.order_by("sort_label", "pk")[:limit])


def history_of(entity: Entity) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(entity=entity).select_related("user")


def search_entities(
    text: str, *, types: Iterable[int] = (), include_trashed: bool = False
) -> QuerySet[Entity]:
    """Entities whose folded text contains every word of ``text`` (case- and accent-blind)."""
    entities = Entity.objects.all()
    if not include_trashed:
        entities = entities.filter(NOT_TRASHED)
    types = list(types)
    if types:
        entities = entities.filter(entity_type_id__in=types)
    entities = entities.filter(search_words_q(text))
    return entities.order_by("sort_label", "pk")


def ranked_search(text: str, *, types: Iterable[int] = (), limit: int = 50) -> list[Entity]:
    """At most ``limit`` + 1 entities matching every word of ``text``, best first: the name
    itself, names starting with the text, names with a word starting with it, then other
    matches. Each tier is one bounded query: the first two are ranges of the (type, trash,
    sort label) index; the last two stop at the first matches found (and are sorted by name
    here), so a word found in half the database costs what a rare one does."""
    from tandem.core.registry import entity_types

    folded = fold(text)
    if not folded:
        return []
    # Naming every type lets the databases use the index that starts with the type.
    types = list(types) or [content_type.pk for content_type in entity_types.content_types()]
    matching = search_entities(text, types=types)
    wanted = limit + 1
    following = ord(folded[-1]) + 1
    after_prefix = folded[:-1] + chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)
    # The range bound lets the index serve the prefix; startswith keeps it exact whatever the
    # collation.
    tiers = [
        (matching.filter(sort_label=folded), True),
        (
            matching.filter(
                sort_label__gte=folded, sort_label__lt=after_prefix, sort_label__startswith=folded
            ).exclude(sort_label=folded),
            True,
        ),
        (
            matching.filter(sort_label__contains=f" {folded}").exclude(
                sort_label__startswith=folded
            ),
            False,
        ),
        (matching, False),
    ]
    found: list[Entity] = []
    seen: set[int] = set()
    for tier, ordered in tiers:
        if len(found) >= wanted:
            break
        if seen:
            tier = tier.exclude(pk__in=seen)
        if not ordered:
            tier = tier.order_by()
        rows = list(tier[: wanted - len(found)])
        if not ordered:
            rows.sort(key=lambda entity: (entity.sort_label, entity.pk))
        for entity in rows:
            found.append(entity)
            seen.add(entity.pk)
    return found


def filter_text(queryset: QuerySet, field_path: str, text: str) -> QuerySet:
    """Rows whose ``field_path`` contains ``text``, ignoring case and accents, with ``%`` and
    ``_`` taken literally."""
    folded = fold(text)
    if not folded:
        return queryset
    if NUL in folded:  # no stored text holds one, and the databases refuse it in a query
        return queryset.none()
    if copied_in_search_text(queryset.model, field_path):
        # The indexed search text holds the whole column: it narrows the rows first, and the
        # column's own test runs on those only.
        queryset = queryset.filter(search_text_q(folded))
    annotation = f"_folded_{field_path}"
    # MySQL's ``contains`` is LIKE BINARY; ``icontains`` lets the collation ignore accents.
    lookup = "icontains" if connection.vendor == "mysql" else "contains"
    return queryset.annotate(**{annotation: Folded(field_path)}).filter(
        **{f"{annotation}__{lookup}": folded}
    )


def copied_in_search_text(model: type[Entity], field_path: str) -> bool:
    """Whether ``Entity.search_text`` always holds this column's whole folded value: the label,
    and the search fields whose maximum lengths (and those before them) fit in it uncut."""
    if field_path == "label":
        return True
    used = LABEL_MAX_LENGTH
    for name in model.search_fields:
        max_length = model._meta.get_field(name).max_length
        if max_length is None:
            return False
        used += 1 + max_length
        if used > SEARCH_TEXT_MAX_LENGTH:
            return False
        if name == field_path:
            return True
    return False


def visible_filters(user: User | None) -> QuerySet[EntityFilter]:
    """Shared filters and ``user``'s own private ones (all of them for the system)."""
    filters = EntityFilter.objects.select_related("entity_type", "owner")
    if user is None:
        return filters
    return filters.filter(Q(is_private=False) | Q(owner_id=user.pk))


def filters_for_type(user: User | None, entity_type_id: int) -> list[EntityFilter]:
    """The filters ``user`` may apply to a list of this type, built-in ones first."""
    filters = visible_filters(user).filter(entity_type_id=entity_type_id)
    return sorted(filters, key=lambda f: (not f.is_builtin, fold(str(f)), f.pk))


def visible_views(user: User | None) -> QuerySet[SavedView]:
    """Shared views and ``user``'s own private ones."""
    views = SavedView.objects.select_related("owner")
    if user is None:
        return views
    return views.filter(Q(is_private=False) | Q(owner_id=user.pk))
