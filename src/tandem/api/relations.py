"""``/api/v1/relations``, ``/relation-types``, ``/property-types``, and the relation,
property and history parts of each entity's endpoints."""

import datetime
import uuid
from typing import Annotated, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictBool
from pydantic import ValidationError as PydanticValidationError

from tandem.api.common import ENTITY_ERRORS, ERRORS, CursorParams, refuse_unknown_parameters
from tandem.api.listing import id_page
from tandem.api.problems import ApiProblem, problem_body, status_for
from tandem.api.validation import Text, field_errors
from tandem.core import selectors, services
from tandem.core.exceptions import TandemError
from tandem.core.models import Entity, Property, PropertyType, Relation, RelationType
from tandem.core.registry import entity_types
from tandem.core.services.property_types import create_property_type

MAX_BULK_ITEMS = 500

Identifier = Annotated[Text, Field(min_length=1, max_length=100)]
Predicate = Annotated[Text, Field(max_length=100)]
Note = Annotated[Text, Field(max_length=10_000)]

# -- schemas ---------------------------------------------------------------------------------


class RelationOut(Schema):
    id: int
    type: str
    predicate: str
    subject: uuid.UUID
    subject_label: str
    object: uuid.UUID
    object_label: str
    object_type: str
    note: str
    start: datetime.date | None
    end: datetime.date | None
    reverse: int | None = Field(None, description="The id of the reverse side.")
    created: datetime.datetime


class RelationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject: uuid.UUID
    type: Identifier = Field(..., description="A relation type side's id.")
    object: uuid.UUID
    note: Note = ""
    start: datetime.date | None = None
    end: datetime.date | None = None


class RelationPage(Schema):
    items: list[RelationOut]
    next: str | None


class RelationGroupOut(Schema):
    type: str
    predicate: str
    relations: list[RelationOut]


class BulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Items are checked one by one, so that one malformed item answers alone (400 in its
    # result) instead of failing the call; the schema still documents their shape.
    items: list[Any] = Field(
        ...,
        description=f"At most {MAX_BULK_ITEMS} relations, each as `POST /relations` takes it.",
        json_schema_extra={"items": RelationIn.model_json_schema()},
    )


class BulkError(Schema):
    status: int
    title: str
    detail: str
    errors: dict[str, list[str]] | None = None


class BulkResult(Schema):
    index: int
    status: int
    relation: RelationOut | None = None
    error: BulkError | None = None


class BulkOut(Schema):
    created: int
    failed: int
    results: list[BulkResult]


class SideOut(Schema):
    id: str
    predicate: str
    reverse: str
    subject_types: list[str]
    subject_properties: list[str]
    subject_forbidden_properties: list[str]
    is_custom: bool
    is_internal: bool
    is_copiable: bool
    enabled: bool


class PairOut(Schema):
    side: SideOut
    reverse: SideOut


TypeNames = Annotated[list[Identifier], Field(max_length=50)]


class RelationTypeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject_predicate: Predicate
    object_predicate: Predicate
    subject_types: TypeNames = []
    object_types: TypeNames = []
    subject_properties: TypeNames = []
    object_properties: TypeNames = []
    subject_forbidden_properties: TypeNames = []
    object_forbidden_properties: TypeNames = []
    is_copiable: StrictBool = True


class RelationTypePatch(Schema):
    """``enabled`` applies to any type; the other fields to custom types only."""

    model_config = ConfigDict(extra="forbid")

    enabled: StrictBool | None = None
    subject_predicate: Predicate | None = None
    object_predicate: Predicate | None = None
    subject_types: TypeNames | None = None
    object_types: TypeNames | None = None
    subject_properties: TypeNames | None = None
    object_properties: TypeNames | None = None
    subject_forbidden_properties: TypeNames | None = None
    object_forbidden_properties: TypeNames | None = None


class PropertyTypeOut(Schema):
    id: str
    label: str
    subject_types: list[str]
    is_custom: bool
    enabled: bool


class PropertyTypeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    label: Annotated[Text, Field(max_length=200)]
    subject_types: TypeNames = []


class PropertyOut(Schema):
    type: str
    label: str


class PropertyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: Identifier = Field(..., description="A property type's id.")


class HistoryOut(Schema):
    id: int
    date: datetime.datetime
    kind: str
    user: str | None
    entity_label: str
    data: dict[str, Any]


class HistoryPage(Schema):
    items: list[HistoryOut]
    next: str | None


# -- reading ---------------------------------------------------------------------------------


def _relations() -> Any:
    return Relation.objects.select_related("type", "subject", "object")


def relation_json(relation: Relation) -> dict[str, Any]:
    return {
        "id": relation.pk,
        "type": relation.type_id,
        "predicate": str(relation.type),
        "subject": relation.subject.uuid,
        "subject_label": relation.subject.label,
        "object": relation.object.uuid,
        "object_label": relation.object.label,
        "object_type": entity_types.for_content_type_id(relation.object.entity_type_id).slug,
        "note": relation.note,
        "start": relation.start_date,
        "end": relation.end_date,
        "reverse": relation.reverse_id,
        "created": relation.created,
    }


def entity_relation_groups(entity: Entity) -> list[dict[str, Any]]:
    groups = []
    for group in selectors.grouped_relations_of(entity):
        for relation in group.relations:
            relation.subject = entity
        groups.append(
            {
                "type": group.relation_type.pk,
                "predicate": str(group.relation_type),
                "relations": [relation_json(relation) for relation in group.relations],
            }
        )
    return groups


def entity_history(entity: Entity, *, limit: int, cursor: str | None) -> dict[str, Any]:
    page = id_page(selectors.history_of(entity), limit=limit, cursor=cursor, descending=True)
    return {
        "items": [
            {
                "id": entry.pk,
                "date": entry.date,
                "kind": entry.kind,
                "user": entry.user.get_username() if entry.user else None,
                "entity_label": entry.entity_label,
                "data": entry.data,
            }
            for entry in page.rows
        ],
        "next": page.next,
    }


def entity_properties(entity: Entity) -> list[dict[str, str]]:
    carried = Property.objects.filter(entity=entity).select_related("type").order_by("type__text")
    return [{"type": prop.type_id, "label": str(prop.type)} for prop in carried]


def _slugs(content_types) -> list[str]:
    slugs = []
    for content_type in content_types:
        try:
            slugs.append(entity_types.for_content_type(content_type).slug)
        except KeyError:
            continue
    return sorted(slugs)


def side_json(side: RelationType) -> dict[str, Any]:
    return {
        "id": side.pk,
        "predicate": str(side),
        "reverse": side.reverse_id,
        "subject_types": _slugs(side.subject_types.all()),
        "subject_properties": sorted(p.pk for p in side.subject_properties.all()),
        "subject_forbidden_properties": sorted(
            p.pk for p in side.subject_forbidden_properties.all()
        ),
        "is_custom": side.is_custom,
        "is_internal": side.is_internal,
        "is_copiable": side.is_copiable,
        "enabled": side.enabled,
    }


def _sides():
    return RelationType.objects.prefetch_related(
        "subject_types", "subject_properties", "subject_forbidden_properties"
    ).order_by("pk")


def property_type_json(property_type: PropertyType) -> dict[str, Any]:
    return {
        "id": property_type.pk,
        "label": str(property_type),
        "subject_types": _slugs(property_type.subject_types.all()),
        "is_custom": property_type.is_custom,
        "enabled": property_type.enabled,
    }


# -- lookups ---------------------------------------------------------------------------------


def _entity(entity_uuid: uuid.UUID, role: str) -> Entity:
    entity = Entity.objects.filter(uuid=entity_uuid).first()
    if entity is None:
        raise ApiProblem(
            404,
            _("No entity has the uuid %(uuid)s (the %(role)s).")
            % {"uuid": entity_uuid, "role": role},
        )
    return entity


def _side(type_id: str) -> RelationType:
    side = RelationType.objects.select_related("reverse").filter(pk=type_id).first()
    if side is None:
        raise ApiProblem(404, _("No relation type has the id “%(id)s”.") % {"id": type_id})
    return side


def find_property_type(type_id: str) -> PropertyType:
    property_type = PropertyType.objects.filter(pk=type_id).first()
    if property_type is None:
        raise ApiProblem(404, _("No property type has the id “%(id)s”.") % {"id": type_id})
    return property_type


def _content_types(field: str, slugs: list[str] | None) -> list[ContentType] | None:
    if slugs is None:
        return None
    known = {info.slug: info for info in entity_types}
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown entity type(s): %(types)s (known: %(known)s).")
                % {"types": ", ".join(unknown), "known": ", ".join(sorted(known))}
            }
        )
    return [known[slug].content_type for slug in dict.fromkeys(slugs)]


def _property_types(field: str, ids: list[str] | None) -> list[PropertyType] | None:
    if ids is None:
        return None
    found = {p.pk: p for p in PropertyType.objects.filter(pk__in=ids)}
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        raise ValidationError(
            {field: _("Unknown property type(s): %(ids)s.") % {"ids": ", ".join(unknown)}}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


def _rules(payload: RelationTypeIn | RelationTypePatch) -> dict[str, Any]:
    """The entity types and properties a payload names, as the services take them (``None``
    where a PATCH leaves them as they are)."""
    rules: dict[str, Any] = {}
    for side in ("subject", "object"):
        field = f"{side}_types"
        rules[field] = _content_types(field, getattr(payload, field))
        for kind in ("properties", "forbidden_properties"):
            field = f"{side}_{kind}"
            rules[field] = _property_types(field, getattr(payload, field))
    return rules


# -- relations -------------------------------------------------------------------------------

relations_router = Router(tags=["relations"])


def _link(user, payload: RelationIn) -> Relation:
    subject = _entity(payload.subject, _("subject"))
    obj = _entity(payload.object, _("object"))
    relation = services.link(
        user=user,
        subject=subject,
        relation_type=_side(payload.type),
        object=obj,
        note=payload.note,
        start_date=payload.start,
        end_date=payload.end,
    )
    return _relations().get(pk=relation.pk)


@relations_router.post(
    "", response={201: RelationOut, **ENTITY_ERRORS}, operation_id="relations_create"
)
def create_relation(request: HttpRequest, payload: RelationIn):
    """Link subject – type – object; the reverse relation is created with it."""
    return Status(201, relation_json(_link(request.auth, payload)))


class RelationFilters(CursorParams):
    subject: uuid.UUID | None = None
    object: uuid.UUID | None = None
    type: Identifier | None = None


@relations_router.get("", response={200: RelationPage, **ERRORS}, operation_id="relations_list")
def list_relations(request: HttpRequest, filters: Query[RelationFilters]):
    refuse_unknown_parameters(request, RelationFilters)
    relations = _relations()
    if filters.subject:
        relations = relations.filter(subject__uuid=filters.subject)
    if filters.object:
        relations = relations.filter(object__uuid=filters.object)
    if filters.type:
        relations = relations.filter(type_id=filters.type)
    page = id_page(relations, limit=filters.limit, cursor=filters.cursor)
    return {"items": [relation_json(relation) for relation in page.rows], "next": page.next}


def _relation(relation_id: int) -> Relation:
    relation = _relations().filter(pk=relation_id).first()
    if relation is None:
        raise ApiProblem(404, _("No relation has the id %(id)s.") % {"id": relation_id})
    return relation


RelationId = Annotated[int, Field(ge=1, le=2**63 - 1)]


@relations_router.get(
    "/{int:relation_id}", response={200: RelationOut, **ENTITY_ERRORS}, operation_id="relations_get"
)
def get_relation(request: HttpRequest, relation_id: RelationId):
    return relation_json(_relation(relation_id))


@relations_router.delete(
    "/{int:relation_id}", response={204: None, **ENTITY_ERRORS}, operation_id="relations_delete"
)
def delete_relation(request: HttpRequest, relation_id: RelationId):
    """Remove the relation and its reverse."""
    services.unlink(user=request.auth, relation=_relation(relation_id))
    return Status(204, None)


@relations_router.post("/bulk", response={200: BulkOut, **ERRORS}, operation_id="relations_bulk")
def bulk_relations(request: HttpRequest, payload: BulkIn):
    """Link many at once; each item is linked (or refused) on its own and answers in
    `results`: a refused item does not undo the others."""
    if len(payload.items) > MAX_BULK_ITEMS:
        raise ApiProblem(413, _("At most %(max)s relations per call.") % {"max": MAX_BULK_ITEMS})
    results, created = [], 0
    with transaction.atomic():
        for index, item in enumerate(payload.items):
            try:
                with transaction.atomic():
                    relation = _link(request.auth, _bulk_item(item))
            except (TandemError, ApiProblem, ValidationError) as error:
                results.append(
                    {"index": index, "status": status_for(error), "error": problem_body(error)}
                )
            else:
                created += 1
                results.append({"index": index, "status": 201, "relation": relation_json(relation)})
    return {"created": created, "failed": len(results) - created, "results": results}


def _bulk_item(item: Any) -> RelationIn:
    try:
        return RelationIn.model_validate(item)
    except PydanticValidationError as error:
        raise ApiProblem(
            400, _("Some values are not valid: see “errors”."), errors=field_errors(error.errors())
        ) from None


# -- relation types --------------------------------------------------------------------------

relation_types_router = Router(tags=["relation types"])


@relation_types_router.get(
    "", response={200: list[SideOut], **ERRORS}, operation_id="relation_types_list"
)
def list_relation_types(request: HttpRequest):
    """Every side of every relation type pair (each pair is two sides)."""
    return [side_json(side) for side in _sides()]


def _side_with_rules(type_id: str) -> RelationType:
    side = _sides().select_related("reverse").filter(pk=type_id).first()
    if side is None:
        raise ApiProblem(404, _("No relation type has the id “%(id)s”.") % {"id": type_id})
    return side


@relation_types_router.get(
    "/{type_id}", response={200: SideOut, **ENTITY_ERRORS}, operation_id="relation_types_get"
)
def get_relation_type(request: HttpRequest, type_id: str):
    return side_json(_side_with_rules(type_id))


@relation_types_router.post(
    "", response={201: PairOut, **ERRORS}, operation_id="relation_types_create"
)
def create_relation_type(request: HttpRequest, payload: RelationTypeIn):
    """Create a custom pair "subject – verb – object" and its reverse."""
    side, reverse = services.create_relation_type(
        user=request.auth,
        subject_predicate=payload.subject_predicate,
        object_predicate=payload.object_predicate,
        is_copiable=payload.is_copiable,
        **_rules(payload),
    )
    return Status(
        201,
        {
            "side": side_json(_side_with_rules(side.pk)),
            "reverse": side_json(_side_with_rules(reverse.pk)),
        },
    )


@relation_types_router.patch(
    "/{type_id}", response={200: SideOut, **ENTITY_ERRORS}, operation_id="relation_types_update"
)
def update_relation_type(request: HttpRequest, type_id: str, payload: RelationTypePatch):
    """Enable or disable any pair (both sides); change a custom pair's words and rules."""
    side = _side(type_id)
    rules = payload.model_fields_set - {"enabled"}
    with transaction.atomic():
        if rules:
            reverse = side.reverse
            services.update_relation_type(
                user=request.auth,
                relation_type=side,
                subject_predicate=payload.subject_predicate
                if "subject_predicate" in rules
                else side.predicate,
                object_predicate=payload.object_predicate
                if "object_predicate" in rules
                else reverse.predicate,
                **_rules(payload),
            )
        if payload.enabled is not None:
            services.set_relation_type_enabled(
                user=request.auth, relation_type=side, enabled=payload.enabled
            )
    return side_json(_side_with_rules(type_id))


@relation_types_router.delete(
    "/{type_id}", response={204: None, **ENTITY_ERRORS}, operation_id="relation_types_delete"
)
def delete_relation_type(request: HttpRequest, type_id: str, force: bool = False):
    """Delete a custom pair; one in use needs `?force=true`, which removes its relations."""
    services.delete_relation_type(user=request.auth, relation_type=_side(type_id), force=force)
    return Status(204, None)


# -- property types --------------------------------------------------------------------------

property_types_router = Router(tags=["property types"])


@property_types_router.get(
    "", response={200: list[PropertyTypeOut], **ERRORS}, operation_id="property_types_list"
)
def list_property_types(request: HttpRequest):
    types = PropertyType.objects.prefetch_related(
        Prefetch("subject_types", queryset=ContentType.objects.all())
    ).order_by("pk")
    return [property_type_json(property_type) for property_type in types]


@property_types_router.post(
    "", response={201: PropertyTypeOut, **ERRORS}, operation_id="property_types_create"
)
def create_property(request: HttpRequest, payload: PropertyTypeIn):
    """Create a custom property type; no `subject_types` means any entity may carry it."""
    try:
        property_type = create_property_type(
            user=request.auth,
            text=payload.label,
            subject_types=_content_types("subject_types", payload.subject_types),
        )
    except ValidationError as error:
        # The service names the field "text"; the API calls it "label".
        if hasattr(error, "error_dict") and "text" in error.error_dict:
            raise ValidationError({"label": error.error_dict["text"]}) from None
        raise
    return Status(201, property_type_json(property_type))
