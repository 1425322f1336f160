"""``/api/v1/filters``: saved filters, and the ``?filter=<id>`` parameter of entity lists.

The conditions are documented as typed objects (one per ``type``), but checked by the core
(``parse_conditions`` through the services), so that API clients get the same translated
messages, naming the faulty condition, as the web editor.

Note: no ``from __future__ import annotations`` here; Ninja reads the handlers' annotations.
"""

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, PlainValidator, StrictBool

from tandem.api.common import ENTITY_ERRORS, ERRORS, CursorParams, refuse_unknown_parameters
from tandem.api.listing import id_page
from tandem.api.problems import ApiProblem
from tandem.api.validation import Text
from tandem.core.filters import (
    DATE_RANGES,
    MATCH_ALL,
    MATCH_ANY,
    OPERATORS,
    FilterBroken,
    apply_filter,
)
from tandem.core.models import EntityFilter, User
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.selectors import visible_filters
from tandem.core.services.filters import (
    can_change_filter,
    check_can_change_filter,
    create_filter,
    delete_filter,
    update_filter,
)

MAX_ID = 2**63 - 1
FilterId = Annotated[int, Field(ge=1, le=MAX_ID)]

#: Every operator a field condition may name (which ones a field accepts depends on its kind).
ALL_OPERATORS = tuple(dict.fromkeys(op for ops in OPERATORS.values() for op in ops))
Operator = Literal[ALL_OPERATORS]  # type: ignore[valid-type]
DateRange = Literal[DATE_RANGES]  # type: ignore[valid-type]

#: The ``?filter=`` parameter of entity lists and exports.
FILTER_PARAMETER_DESCRIPTION = (
    "A saved filter's id (`GET /filters?entity_type=<this type>`): only the records it accepts, "
    "combined with the other parameters."
)

# -- conditions, as the OpenAPI document describes them -----------------------------------


class FieldCondition(Schema):
    """A test on one field of the record (text, number, yes/no, choice or user)."""

    type: Literal["field"]
    field: str = Field(
        ...,
        description="The field's name as in the records (`last_name`, `employees`), or an "
        "address part (`billing_address__city`).",
    )
    operator: Operator = Field(
        ...,
        description="Text: `iequals`, `icontains`, `istartswith`, `iendswith` (ignoring case "
        "and accents), `equals`, `contains`, `startswith`, `endswith` (exact), `empty`. "
        "Number: `equals`, `gt`, `gte`, `lt`, `lte`, `between`, `empty`. Yes/no: `true`, "
        "`false`. Choice and user: `in`, `empty`.",
    )
    values: list[str] = Field(
        [],
        description="What to compare with; any of them matches. None for `empty`, `true` and "
        "`false`; two (lowest, highest) for `between`; ids for `in` (`me` is the user running "
        "the filter).",
    )
    negate: bool = Field(False, description="Accept the records the test rejects instead.")


class DateCondition(Schema):
    """A date or date-time field in a period, relative to the day the filter runs."""

    type: Literal["date"]
    field: str = Field(..., description="A date field's name (`birthday`, `created`).")
    range: DateRange = Field(..., description="The period; `between` uses `start` and `end`.")
    start: datetime.date | None = Field(None, description="For `between`: the first day.")
    end: datetime.date | None = Field(None, description="For `between`: the last day.")


class PropertyCondition(Schema):
    """The record carries (or not) a property."""

    type: Literal["property"]
    property_type: str = Field(..., description="A property type's id (`GET /property-types`).")
    has: bool = Field(True, description="`false`: the records without the property.")


class RelationCondition(Schema):
    """The record is the subject of a relation of this type, optionally to one entity or to
    entities of one type."""

    type: Literal["relation"]
    relation_type: str = Field(
        ..., description="A relation type side's id (`GET /relation-types`)."
    )
    has: bool = Field(True, description="`false`: the records without such a relation.")
    entity: uuid.UUID | None = Field(None, description="Only relations to this entity.")
    entity_type: str | None = Field(
        None, description="Only relations to entities of this type (`contacts`, …)."
    )


class RelationFilterCondition(Schema):
    """The record is related by this type to an entity another saved filter accepts."""

    type: Literal["relation_filter"]
    relation_type: str = Field(
        ..., description="A relation type side's id (`GET /relation-types`)."
    )
    has: bool = Field(True, description="`false`: the records without such a relation.")
    filter: int = Field(..., description="The id of the filter the related entities pass.")


class IncludeCondition(Schema):
    """The record also passes another saved filter of the same entity type."""

    type: Literal["filter"]
    filter: int = Field(..., description="The id of the filter to include.")


Condition = Annotated[
    FieldCondition
    | DateCondition
    | PropertyCondition
    | RelationCondition
    | RelationFilterCondition
    | IncludeCondition,
    Field(discriminator="type"),
]


def _as_sent(value: Any) -> Any:
    """The conditions go to the core unchanged: it checks them with the web UI's messages."""
    return value


#: What clients send: documented as typed conditions, checked by the core.
SentConditions = Annotated[Any, PlainValidator(_as_sent, json_schema_input_type=list[Condition])]

CONDITIONS_DESCRIPTION = (
    "The tests a record must pass, all of them or any (see `match`); none: every record. "
    "Errors are keyed `conditions` and name the condition by its number."
)

# -- schemas -----------------------------------------------------------------------------


class FilterOut(Schema):
    id: int
    name: str = Field(..., description="Built-in filters' names are translated.")
    entity_type: str = Field(..., description="The slug of the type it filters (`contacts`).")
    match: Literal["all", "any"]
    private: bool = Field(..., description="Only its owner sees a private filter.")
    builtin: bool = Field(..., description="Built-in filters are used, not changed or deleted.")
    owner: str | None = Field(..., description="The owner's username.")
    can_change: bool = Field(..., description="Whether you may change or delete it.")
    conditions: list[Condition]
    created: datetime.datetime
    modified: datetime.datetime


class FilterPage(Schema):
    items: list[FilterOut]
    next: str | None


def _slug_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(info.slug for info in entity_types)


MatchText = Annotated[
    Text,
    Field(
        max_length=10,
        description="`all`: every condition must hold; `any`: one is enough.",
        json_schema_extra={"enum": [MATCH_ALL, MATCH_ANY]},
    ),
]


class FilterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text
    entity_type: Annotated[
        Text,
        Field(
            max_length=100,
            description="The slug of the type it filters; it cannot be changed later.",
            json_schema_extra=_slug_enum,
        ),
    ]
    match: MatchText = MATCH_ALL
    private: StrictBool = Field(False, description="Only you will see it.")
    conditions: SentConditions = Field(default_factory=list, description=CONDITIONS_DESCRIPTION)


class FilterPatch(Schema):
    """The keys sent are changed; the others keep their values."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    entity_type: Annotated[Text, Field(max_length=100)] | None = Field(
        None, description="Cannot be changed: only the filter's own type is accepted."
    )
    match: MatchText | None = None
    # No "| None": a null would not mean anything; leaving it out keeps the current value.
    private: StrictBool = Field(None, description="Only you will see it.")  # type: ignore[assignment]
    conditions: SentConditions = Field(None, description=CONDITIONS_DESCRIPTION)


class FilterListParams(CursorParams):
    entity_type: Annotated[Text, Field(max_length=100)] | None = Field(
        None, description="Only the filters of this type (its slug: `contacts`, …)."
    )


# -- helpers -----------------------------------------------------------------------------


def _slug(entity_filter: EntityFilter) -> str:
    try:
        return entity_types.for_content_type(entity_filter.entity_type).slug
    except KeyError:  # a type no longer registered: still name it
        return entity_filter.entity_type.model


def filter_json(entity_filter: EntityFilter, user: User | None) -> dict[str, Any]:
    """A filter as the API shows it to ``user``."""
    return {
        "id": entity_filter.pk,
        "name": str(entity_filter),
        "entity_type": _slug(entity_filter),
        "match": entity_filter.match,
        "private": entity_filter.is_private,
        "builtin": entity_filter.is_builtin,
        "owner": entity_filter.owner.get_username() if entity_filter.owner else None,
        "can_change": can_change_filter(user, entity_filter),
        "conditions": entity_filter.conditions,
        "created": entity_filter.created,
        "modified": entity_filter.modified,
    }


def _entity_type(slug: str | None) -> EntityTypeInfo:
    try:
        return entity_types.for_slug(slug or "")
    except KeyError:
        raise ValidationError(
            {
                "entity_type": _("Unknown entity type “%(type)s” (known: %(known)s).")
                % {
                    "type": (slug or "")[:100],
                    "known": ", ".join(sorted(info.slug for info in entity_types)),
                }
            }
        ) from None


def _find(user: User | None, filter_id: int) -> EntityFilter:
    """A filter ``user`` can see; another user's private filter is as absent as a missing one."""
    entity_filter = visible_filters(user).filter(pk=filter_id).first()
    if entity_filter is None:
        raise ApiProblem(404, _("No filter has the id %(id)s.") % {"id": filter_id})
    return entity_filter


def _condition_error(index: int, message: str) -> ValidationError:
    return ValidationError(
        {
            "conditions": [
                _("Condition %(number)s: %(message)s") % {"number": index + 1, "message": message}
            ]
        }
    )


def _storable(index: int, condition: Any) -> None:
    """Refuse what no database column can hold, before the core compares it with one."""
    pending = [condition]
    while pending:  # a loop, not recursion: a deeply nested body must not exhaust the stack
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise _condition_error(index, _("NUL characters cannot be stored."))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _condition_error(
                    index, _("This text contains characters that cannot be stored.")
                ) from None
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
            raise _condition_error(index, _("At most %(max)s.") % {"max": MAX_ID})
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _checked(conditions: Any) -> Any:
    """The conditions as sent, once nothing in them would make a database fail; the core
    checks their meaning."""
    if isinstance(conditions, list):
        for index, condition in enumerate(conditions):
            _storable(index, condition)
    return conditions


def saved_filter(user: User | None, info: EntityTypeInfo, filter_id: int) -> EntityFilter:
    """The filter ``?filter=`` names, if ``user`` can see it and it is for ``info``'s type."""

    def refuse(message: str) -> ApiProblem:
        return ApiProblem(
            400, _("Some values are not valid: see “errors”."), errors={"filter": [message]}
        )

    entity_filter = visible_filters(user).filter(pk=filter_id).first()
    if entity_filter is None:
        raise refuse(_("No filter you can use has the id %(id)s.") % {"id": filter_id})
    if entity_filter.entity_type_id != info.content_type.pk:
        try:
            other = entity_types.for_content_type(entity_filter.entity_type).verbose_name_plural
        except KeyError:
            other = entity_filter.entity_type.model
        raise refuse(
            _("“%(filter)s” is a filter of %(other)s, not of %(type)s.")
            % {"filter": entity_filter, "other": other, "type": info.verbose_name_plural}
        )
    return entity_filter


def apply_saved_filter(
    queryset: QuerySet, info: EntityTypeInfo, user: User | None, filter_id: int | None
) -> QuerySet:
    """``queryset`` narrowed by the saved filter ``?filter=`` names (unchanged without one).

    A filter that names something deleted since answers 400 with the core's message, keyed
    ``filter``: the request can be sent again without it, or after the filter is repaired.
    """
    if filter_id is None:
        return queryset
    entity_filter = saved_filter(user, info, filter_id)
    try:
        return apply_filter(queryset, entity_filter, user)
    except FilterBroken as error:
        raise ApiProblem(400, str(error), errors={"filter": [str(error)]}) from None


# -- endpoints ---------------------------------------------------------------------------

filters_router = Router(tags=["filters"])


@filters_router.get("", response={200: FilterPage, **ERRORS}, operation_id="filters_list")
def list_filters(request: HttpRequest, params: Query[FilterListParams]):
    """The filters you can use: shared ones and your private ones, by id."""
    refuse_unknown_parameters(request, FilterListParams)
    filters = visible_filters(request.auth)
    if params.entity_type is not None:
        filters = filters.filter(entity_type_id=_entity_type(params.entity_type).content_type.pk)
    page = id_page(filters, limit=params.limit, cursor=params.cursor)
    return {"items": [filter_json(f, request.auth) for f in page.rows], "next": page.next}


@filters_router.post("", response={201: FilterOut, **ERRORS}, operation_id="filters_create")
def create(request: HttpRequest, payload: FilterIn):
    """Save a filter; you own it. Every type, entity and filter it names must exist and be
    visible to you; a shared filter cannot use a private one."""
    info = _entity_type(payload.entity_type)
    entity_filter = create_filter(
        user=request.auth,
        name=payload.name,
        entity_type=info.content_type,
        conditions=_checked(payload.conditions),
        match=payload.match,
        is_private=payload.private,
    )
    return Status(201, filter_json(_find(request.auth, entity_filter.pk), request.auth))


@filters_router.get(
    "/{int:filter_id}", response={200: FilterOut, **ENTITY_ERRORS}, operation_id="filters_get"
)
def get(request: HttpRequest, filter_id: FilterId):
    return filter_json(_find(request.auth, filter_id), request.auth)


@filters_router.patch(
    "/{int:filter_id}", response={200: FilterOut, **ENTITY_ERRORS}, operation_id="filters_update"
)
def update(request: HttpRequest, filter_id: FilterId, payload: FilterPatch):
    """Change the keys sent (not `entity_type`). Only the owner changes a filter; built-in
    ones cannot be changed (403); a filter others use must stay shared."""
    entity_filter = _find(request.auth, filter_id)
    check_can_change_filter(request.auth, entity_filter)
    sent = payload.model_fields_set
    if "entity_type" in sent and payload.entity_type != _slug(entity_filter):
        raise ValidationError(
            {
                "entity_type": _(
                    "The entity type of a filter cannot be changed: create a new filter for "
                    "%(type)s."
                )
                % {"type": str(payload.entity_type)[:100]}
            }
        )
    if sent - {"entity_type"}:
        update_filter(
            user=request.auth,
            entity_filter=entity_filter,
            name=payload.name if "name" in sent else entity_filter.name,
            conditions=_checked(payload.conditions)
            if "conditions" in sent
            else entity_filter.conditions,
            match=payload.match if "match" in sent else entity_filter.match,
            is_private=payload.private if "private" in sent else entity_filter.is_private,
        )
    return filter_json(_find(request.auth, filter_id), request.auth)


@filters_router.delete(
    "/{int:filter_id}", response={204: None, **ENTITY_ERRORS}, operation_id="filters_delete"
)
def delete(request: HttpRequest, filter_id: FilterId):
    """Delete a filter no other filter uses (else 409, naming them)."""
    delete_filter(user=request.auth, entity_filter=_find(request.auth, filter_id))
    return Status(204, None)
