"""Creating, changing and deleting saved filters.

A filter is private (its owner's alone) or shared. Only its owner (or a superuser) changes a
shared filter; built-in filters are used, never changed or deleted. A filter may use other
filters (include them, or test relations to the entities they accept): the service refuses
loops, private filters inside shared ones, and deleting a filter others use.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.exceptions import BuiltInProtected, InUse, NotFound, PermissionDenied
from tandem.core.filters import (
    INCLUDE,
    MATCH_ALL,
    MATCH_ANY,
    MAX_DEPTH,
    PROPERTY,
    RELATION,
    RELATION_FILTER,
    parse_conditions,
    used_filter_ids,
)
from tandem.core.models import Entity, EntityFilter, PropertyType, RelationType, User
from tandem.core.permissions import check_permission
from tandem.core.registry import entity_types
from tandem.core.selectors import visible_filters

NAME_MAX_LENGTH = EntityFilter._meta.get_field("name").max_length


def create_filter(
    *,
    user: User | None,
    name: str,
    entity_type: ContentType,
    conditions: Any,
    match: str = MATCH_ALL,
    is_private: bool = False,
) -> EntityFilter:
    """Save a new filter owned by ``user``; every reference is checked against what ``user``
    may see."""
    check_permission(user, "view")
    entity_filter = EntityFilter(entity_type=entity_type, owner=user)
    return _save(user, entity_filter, name, conditions, match, is_private)


def update_filter(
    *,
    user: User | None,
    entity_filter: EntityFilter,
    name: str,
    conditions: Any,
    match: str,
    is_private: bool,
) -> EntityFilter:
    """Change a filter's name, conditions, match and privacy (not its entity type); each is
    given, so that no caller resets one by leaving it out."""
    check_can_change_filter(user, entity_filter)
    return _save(user, entity_filter, name, conditions, match, is_private)


def delete_filter(*, user: User | None, entity_filter: EntityFilter) -> None:
    """Delete a filter that no shared filter, and none of the user's own, uses.

    Other users' private filters do not hold it back (the user cannot see or change them):
    they say, when they run, that a filter they use is gone."""
    check_can_change_filter(user, entity_filter)
    with transaction.atomic():
        users = [
            other
            for other in EntityFilter.objects.select_for_update().filter(uses=entity_filter)
            if not other.is_private or other.owner_id == entity_filter.owner_id
        ]
        if users:
            raise InUse(
                _("“%(filter)s” is used by the filter(s) %(users)s: change them first.")
                % {"filter": entity_filter, "users": _names(users)}
            )
        entity_filter.delete()


def check_can_change_filter(user: User | None, entity_filter: EntityFilter) -> None:
    """Raise unless ``user`` may change or delete ``entity_filter``."""
    check_permission(user, "view")
    if entity_filter.is_builtin:
        raise BuiltInProtected(
            _("“%(filter)s” is a built-in filter: it can be used, not changed or deleted.")
            % {"filter": entity_filter}
        )
    check_owner(user, entity_filter)


def check_owner(user: User | None, item: Any) -> None:
    """Raise unless ``user`` owns ``item`` (a saved filter or view), or is a superuser and
    ``item`` is shared: private means its owner's alone."""
    if user is None or item.owner_id == user.pk:
        return
    if item.is_private:
        raise NotFound(_("This does not exist (any more)."))
    if user.is_superuser:
        return
    raise PermissionDenied(
        _("“%(item)s” belongs to %(owner)s: only they can change it.")
        % {"item": item, "owner": item.owner}
    )


def can_change_filter(user: User | None, entity_filter: EntityFilter) -> bool:
    try:
        check_can_change_filter(user, entity_filter)
    except (BuiltInProtected, NotFound, PermissionDenied):
        return False
    return True


def _names(filters: list[EntityFilter]) -> str:
    return ", ".join(f"“{entity_filter}”" for entity_filter in filters)


def _save(
    user: User | None,
    entity_filter: EntityFilter,
    name: str,
    conditions: Any,
    match: str,
    is_private: bool,
) -> EntityFilter:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("At most %(max)s characters.") % {"max": NAME_MAX_LENGTH}})
    if match not in (MATCH_ALL, MATCH_ANY):
        raise ValidationError({"match": _("Choose “all” or “any”.")})
    model = entity_filter.entity_type.model_class()
    if model is None or model not in entity_types:
        raise ValidationError({"entity_type": _("This is not an entity type.")})
    conditions = parse_conditions(model, conditions)
    with transaction.atomic():
        used = _check_references(user, entity_filter, conditions, is_private)
        if entity_filter.pk and is_private:
            _check_can_be_private(entity_filter)
        entity_filter.name = name
        entity_filter.match = match
        entity_filter.is_private = is_private
        entity_filter.conditions = conditions
        entity_filter.modified = timezone.now()
        entity_filter.save()
        entity_filter.uses.set(used)
    return entity_filter


def _check_references(
    user: User | None,
    entity_filter: EntityFilter,
    conditions: list[dict[str, Any]],
    is_private: bool,
) -> list[EntityFilter]:
    """Every type, entity and filter the conditions name exists and may be used here."""

    def refuse(index: int, message: str) -> ValidationError:
        return ValidationError(
            {
                "conditions": [
                    _("Condition %(number)s: %(message)s")
                    % {"number": index + 1, "message": message}
                ]
            }
        )

    property_ids = {c["property_type"] for c in conditions if c["type"] == PROPERTY}
    known_properties = set(
        PropertyType.objects.filter(pk__in=property_ids).values_list("pk", flat=True)
    )
    relation_ids = {
        c["relation_type"] for c in conditions if c["type"] in (RELATION, RELATION_FILTER)
    }
    known_relations = set(
        RelationType.objects.filter(pk__in=relation_ids, is_internal=False).values_list(
            "pk", flat=True
        )
    )
    filter_ids = used_filter_ids(conditions)
    known_filters = {f.pk: f for f in visible_filters(user).filter(pk__in=filter_ids)}
    for index, condition in enumerate(conditions):
        kind = condition["type"]
        if kind == PROPERTY and condition["property_type"] not in known_properties:
            raise refuse(index, _("there is no such property type."))
        if (
            kind in (RELATION, RELATION_FILTER)
            and condition["relation_type"] not in known_relations
        ):
            raise refuse(index, _("there is no such relation type."))
        if (
            kind == RELATION
            and condition.get("entity")
            and not Entity.objects.filter(uuid=_uuid(condition["entity"])).exists()
        ):
            raise refuse(index, _("there is no such entity."))
        if kind == RELATION and condition.get("entity_type"):
            try:
                entity_types.for_slug(condition["entity_type"])
            except KeyError:
                raise refuse(index, _("there is no such entity type.")) from None
        if kind in (INCLUDE, RELATION_FILTER):
            used = known_filters.get(condition["filter"])
            if used is None:
                raise refuse(index, _("there is no such filter."))
            if entity_filter.pk and used.pk == entity_filter.pk:
                raise refuse(index, _("a filter cannot use itself."))
            if kind == INCLUDE and used.entity_type_id != entity_filter.entity_type_id:
                raise refuse(
                    index, _("“%(filter)s” is for another entity type.") % {"filter": used}
                )
            if used.is_private and not is_private:
                raise refuse(
                    index,
                    _(
                        "“%(filter)s” is private: a shared filter cannot use it (others could "
                        "not see what it does)."
                    )
                    % {"filter": used},
                )
    used = list(known_filters.values())
    if entity_filter.pk:
        _check_no_loop(entity_filter, used)
    return used


def _check_no_loop(entity_filter: EntityFilter, used: list[EntityFilter]) -> None:
    """Refuse when a used filter leads back to ``entity_filter``, naming the chain."""
    # One query per level of the walk: chains are short (MAX_DEPTH).
    paths: dict[int, list[str]] = {f.pk: [str(entity_filter), str(f)] for f in used}
    frontier = set(paths)
    for _level in range(MAX_DEPTH + 1):
        if entity_filter.pk in frontier:
            chain = " → ".join(paths[entity_filter.pk])
            raise ValidationError(
                {
                    "conditions": [
                        _("This would make a loop of filters: %(chain)s.") % {"chain": chain}
                    ]
                }
            )
        if not frontier:
            return
        edges = EntityFilter.uses.through.objects.filter(
            from_entityfilter_id__in=frontier
        ).select_related("to_entityfilter")
        next_frontier = set()
        for edge in edges:
            target = edge.to_entityfilter
            if target.pk not in paths:
                paths[target.pk] = [*paths[edge.from_entityfilter_id], str(target)]
                next_frontier.add(target.pk)
        frontier = next_frontier
    raise ValidationError(
        {
            "conditions": [
                _("Filters may use other filters at most %(max)s levels deep.") % {"max": MAX_DEPTH}
            ]
        }
    )


def _check_can_be_private(entity_filter: EntityFilter) -> None:
    """A filter that shared filters use must stay shared. Other users' private filters do
    not hold it back: once it is private, they say it is out of their reach when they run."""
    users = [f for f in EntityFilter.objects.filter(uses=entity_filter) if not f.is_private]
    if users:
        raise ValidationError(
            {
                "is_private": _("The filter(s) %(users)s use this one: it must stay shared.")
                % {"users": _names(users)}
            }
        )


def _uuid(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
