"""Reading what the configuration screens show; each function costs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from tandem.core.models import PropertyType, RelationType
from tandem.core.registry import entity_types
from tandem.core.search import fold, search_words_q
from tandem.persons.models import Organisation


@dataclass
class RelationTypePair:
    """A relation type as people think of it: subject side and reverse side together."""

    side: RelationType
    reverse: RelationType

    @property
    def is_custom(self) -> bool:
        return self.side.is_custom

    @property
    def enabled(self) -> bool:
        return self.side.enabled and self.reverse.enabled


def type_names(content_types: list[ContentType]) -> list[str]:
    """Plural names of entity types, without queries (content types are cached)."""
    names = []
    for content_type in content_types:
        model = content_type.model_class()
        if model in entity_types:
            names.append(entity_types.for_model(model).verbose_name_plural.capitalize())
        else:
            names.append(content_type.name)
    return names


def _is_subject_side(side: RelationType) -> bool:
    """Which side of a pair reads first: the one declared as subject (by id convention)."""
    side_subject = "subject" in side.pk
    reverse_subject = "subject" in (side.reverse_id or "")
    if side_subject != reverse_subject:
        return side_subject
    return side.pk < (side.reverse_id or "")


def relation_type_pairs() -> list[RelationTypePair]:
    """Every relation type pair with its constraints, built-in first then custom, by wording.

    Four queries whatever the number of types: the types, then their subject types, required
    and forbidden properties.
    """
    sides = {
        side.pk: side
        for side in RelationType.objects.prefetch_related(
            "subject_types", "subject_properties", "subject_forbidden_properties"
        )
    }
    pairs = [
        RelationTypePair(side, sides[side.reverse_id])
        for side in sides.values()
        if side.reverse_id in sides and _is_subject_side(side)
    ]
    pairs.sort(key=lambda pair: (pair.is_custom, fold(str(pair.side)), pair.side.pk))
    return pairs


def relation_type_pair(type_id: str) -> RelationTypePair:
    """One pair by the id of either side, subject side first (raises DoesNotExist)."""
    side = RelationType.objects.prefetch_related(
        "subject_types", "subject_properties", "subject_forbidden_properties"
    ).get(pk=type_id)
    reverse = RelationType.objects.prefetch_related(
        "subject_types", "subject_properties", "subject_forbidden_properties"
    ).get(pk=side.reverse_id)
    side.reverse = reverse
    reverse.reverse = side
    if not _is_subject_side(side):
        side, reverse = reverse, side
    return RelationTypePair(side, reverse)


def same_wording(predicate: str, *, exclude: list[str]) -> list[RelationType]:
    """Other relation types worded like ``predicate`` (as stored, or as shown translated)."""
    folded = fold(predicate)
    return [
        relation_type
        for relation_type in RelationType.objects.exclude(pk__in=exclude)
        if folded in {fold(relation_type.predicate), fold(str(relation_type))}
    ]


def property_types() -> QuerySet[PropertyType]:
    """Every property type with the entity types it applies to (two queries)."""
    return PropertyType.objects.prefetch_related("subject_types").order_by("-is_custom", "text")


def organisations_to_manage(text: str, *, limit: int = 20) -> list[Organisation]:
    """Organisations not yet managed and not in the trash, matching every word of ``text``."""
    organisations = Organisation.objects.filter(is_managed=False, is_deleted=False)
    organisations = organisations.filter(search_words_q(text))
    return list(organisations.order_by("sort_label", "pk")[:limit])
