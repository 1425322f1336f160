"""``/api/v1/<type>``: one router per registered entity type, built from its model.

Note: no ``from __future__ import annotations`` here; Ninja reads the handlers' annotations,
which name schemas created inside the factory.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt, create_model

from tandem.api.common import (
    ENTITY_ERRORS,
    ERRORS,
    CursorParams,
    PageParams,
    Problem,
    refuse_unknown_parameters,
)
from tandem.api.exports import add_export_route
from tandem.api.fields import COMMON_READ_ONLY, ApiField, api_fields, common_output_fields
from tandem.api.filters import FILTER_PARAMETER_DESCRIPTION, FilterId, apply_saved_filter
from tandem.api.listing import apply_filters, cursor_page, filter_keys, parse_order, sortable_keys
from tandem.api.problems import ApiProblem
from tandem.api.relations import (
    HistoryPage,
    PropertyIn,
    PropertyOut,
    RelationGroupOut,
    entity_history,
    entity_properties,
    entity_relation_groups,
    find_property_type,
)
from tandem.api.validation import Text
from tandem.core import services
from tandem.core.models import Entity, Property
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.selectors import NOT_TRASHED
from tandem.core.services.merge import merge_entities
from tandem.core.services.properties import add_property, remove_property


@dataclass
class EntityApi:
    """What the API knows of one entity type: its fields, schemas and how to read a row."""

    info: EntityTypeInfo
    fields: list[ApiField]
    output: type[Schema]
    create: type[Schema]
    patch: type[Schema]
    list_params: type[Schema]
    page: type[Schema]

    @property
    def related(self) -> list[str]:
        return [f.name for f in self.fields if f.kind in {"choice", "address", "user"}]

    def queryset(self) -> QuerySet:
        # The entity type filter lets lists walk the (entity type, trash, sort label) index.
        return self.info.model._default_manager.filter(
            entity_type_id=self.info.content_type.pk
        ).select_related(*self.related)

    def serialize(self, entity: Entity) -> dict[str, Any]:
        data = {name: getattr(entity, name) for name in COMMON_READ_ONLY}
        data["type"] = self.info.slug
        for api_field in self.fields:
            data[api_field.name] = api_field.read(entity)
        return data

    def get(self, entity_uuid: uuid.UUID) -> Entity:
        entity = self.queryset().filter(uuid=entity_uuid).first()
        if entity is None:
            raise ApiProblem(
                404,
                _("No %(type)s has the uuid %(uuid)s.")
                % {"type": self.info.verbose_name, "uuid": entity_uuid},
            )
        return entity

    def input_data(self, payload: Schema) -> dict[str, Any]:
        """The sent fields as the services expect them."""
        sent = payload.model_fields_set - {"version"}
        by_name = {f.name: f for f in self.fields}
        return {name: by_name[name].convert(getattr(payload, name)) for name in sent}


def _schemas(info: EntityTypeInfo) -> EntityApi:
    name = info.model.__name__
    fields = api_fields(info.model)
    output = create_model(
        name,
        __base__=Schema,
        **common_output_fields(),
        **{f.name: (f.output_type(), ...) for f in fields},
    )
    writable = [f for f in fields if f.writable]
    forbid = ConfigDict(extra="forbid")

    class StrictSchema(Schema):
        model_config = forbid

    create = create_model(
        f"{name}Create",
        __base__=StrictSchema,
        **{f.name: (f.input_type(), ... if f.required else None) for f in writable},
    )
    patch = create_model(
        f"{name}Patch",
        __base__=StrictSchema,
        version=(StrictInt, Field(..., description="The version you read: a stale one gets 409.")),
        **{f.name: (f.input_type(), None) for f in writable},
    )
    filters = {
        key: (Annotated[Text, Field(max_length=200)] | None, None) for key in filter_keys(fields)
    }
    list_params = create_model(
        f"{name}ListParams",
        __base__=PageParams,
        filter=(FilterId | None, Field(None, description=FILTER_PARAMETER_DESCRIPTION)),
        **filters,
    )
    page = create_model(
        f"{name}Page", __base__=Schema, items=(list[output], ...), next=(str | None, ...)
    )
    return EntityApi(info, fields, output, create, patch, list_params, page)


_apis: dict[str, EntityApi] = {}


def entity_api(info: EntityTypeInfo) -> EntityApi:
    if info.slug not in _apis:
        _apis[info.slug] = _schemas(info)
    return _apis[info.slug]


def serialize_any(entity: Entity) -> dict[str, Any]:
    """Any entity as its type's JSON record (for conflicts' ``current``)."""
    info = entity_types.for_model(type(entity.get_real_entity()))
    return entity_api(info).serialize(entity_api(info).get(entity.uuid))


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    other: uuid.UUID = Field(..., description="The record merged away (deleted afterwards).")
    version: StrictInt = Field(..., description="The `version` of the record kept, as you read it.")
    other_version: StrictInt = Field(..., description="The `version` of `other`, as you read it.")
    take: list[Annotated[Text, Field(max_length=100)]] = Field(
        default_factory=list,
        max_length=100,
        description="The fields whose value the kept record takes from `other`.",
    )


def entity_router(info: EntityTypeInfo) -> Router:
    """The list / create / get / patch / delete / restore endpoints of one type, plus its
    relations, properties and history."""
    api = entity_api(info)
    slug, tag = info.slug, info.slug
    router = Router(tags=[tag])
    Output, Create, Patch, Params, Page = (
        api.output,
        api.create,
        api.patch,
        api.list_params,
        api.page,
    )
    keys = sortable_keys(api.fields)
    # English, for the OpenAPI document (built once, whatever the callers' languages).
    plural = info.model._meta.verbose_name_plural
    singular = (
        f"an {info.model._meta.verbose_name}"
        if str(info.model._meta.verbose_name)[0] in "aeiou"
        else f"a {info.model._meta.verbose_name}"
    )

    @router.get(
        "", response={200: Page, **ERRORS}, operation_id=f"{slug}_list", summary=f"List {plural}"
    )
    def list_entities(request: HttpRequest, params: Query[Params]):
        """List, filter (`?q=`, `?<field>=`, a saved filter's `?filter=<id>`) and sort
        (`?order=name,-modified`); follow `next` as `?cursor=` for the next page."""
        refuse_unknown_parameters(request, Params)
        queryset = api.queryset()
        if not params.include_trashed:
            queryset = queryset.filter(NOT_TRASHED)
        queryset = apply_filters(
            queryset,
            api.fields,
            params.model_dump(exclude={*PageParams.model_fields, "filter"}),
            text=params.q,
        )
        queryset = apply_saved_filter(queryset, info, request.auth, params.filter)
        order = parse_order(params.order, keys, "label")
        page = cursor_page(queryset, order, limit=params.limit, cursor=params.cursor)
        return {"items": [api.serialize(row) for row in page.rows], "next": page.next}

    add_export_route(router, api)  # before "/{uuid}", which would take "/export"

    @router.post(
        "",
        response={201: Output, **ERRORS},
        operation_id=f"{slug}_create",
        summary=f"Create {singular}",
    )
    def create_entity(request: HttpRequest, payload: Create):
        """Create a record; you own it."""
        entity = services.create_entity(
            user=request.auth, model=info.model, data=api.input_data(payload)
        )
        return Status(201, api.serialize(api.get(entity.uuid)))

    @router.get(
        "/{uuid}",
        response={200: Output, **ENTITY_ERRORS},
        operation_id=f"{slug}_get",
        summary=f"Get {singular}",
    )
    def get_entity(request: HttpRequest, uuid: uuid.UUID):
        return api.serialize(api.get(uuid))

    @router.patch(
        "/{uuid}",
        response={200: Output, **ENTITY_ERRORS},
        operation_id=f"{slug}_update",
        summary=f"Change {singular}",
    )
    def update_entity(request: HttpRequest, uuid: uuid.UUID, payload: Patch):
        """Change the fields sent; `version` must be the one you read (else 409 with the
        current record)."""
        entity = api.get(uuid)
        services.update_entity(
            user=request.auth, entity=entity, data=api.input_data(payload), version=payload.version
        )
        return api.serialize(api.get(uuid))

    @router.delete(
        "/{uuid}",
        response={204: None, **ENTITY_ERRORS},
        operation_id=f"{slug}_delete",
        summary=f"Trash or delete {singular}",
    )
    def delete_entity(request: HttpRequest, uuid: uuid.UUID, permanent: bool = False):
        """Move to the trash, or with `?permanent=true` delete for good (with its
        relations)."""
        entity = api.get(uuid)
        if permanent:
            services.delete_entity(user=request.auth, entity=entity)
        else:
            services.trash_entity(user=request.auth, entity=entity)
        return Status(204, None)

    @router.post(
        "/{uuid}/restore",
        response={200: Output, **ENTITY_ERRORS},
        operation_id=f"{slug}_restore",
        summary=f"Restore {singular} from the trash",
    )
    def restore_entity(request: HttpRequest, uuid: uuid.UUID):
        services.restore_entity(user=request.auth, entity=api.get(uuid))
        return api.serialize(api.get(uuid))

    @router.post(
        "/{uuid}/merge",
        response={200: Output, **ENTITY_ERRORS},
        operation_id=f"{slug}_merge",
        summary=f"Merge another record into {singular}",
    )
    def merge(request: HttpRequest, uuid: uuid.UUID, payload: MergeIn):
        """Keep this record and delete `other`: its relations, properties and history move
        here (a relation both have, or one between the two, is dropped); `take` names the
        fields copied from `other`. Both versions must be current (else 409)."""
        kept = merge_entities(
            user=request.auth,
            survivor=api.get(uuid),
            merged=api.get(payload.other),
            take=payload.take,
            survivor_version=payload.version,
            merged_version=payload.other_version,
        )
        return api.serialize(api.get(kept.uuid))

    @router.get(
        "/{uuid}/relations",
        response={200: list[RelationGroupOut], **ENTITY_ERRORS},
        operation_id=f"{slug}_relations",
        summary=f"Relations of {singular}",
    )
    def relations(request: HttpRequest, uuid: uuid.UUID):
        """This record's relations, grouped by relation type."""
        return entity_relation_groups(api.get(uuid))

    @router.get(
        "/{uuid}/history",
        response={200: HistoryPage, **ENTITY_ERRORS},
        operation_id=f"{slug}_history",
        summary=f"History of {singular}",
    )
    def history(request: HttpRequest, uuid: uuid.UUID, page: Query[CursorParams]):
        """What happened to this record, newest first."""
        refuse_unknown_parameters(request, CursorParams)
        return entity_history(api.get(uuid), limit=page.limit, cursor=page.cursor)

    @router.get(
        "/{uuid}/properties",
        response={200: list[PropertyOut], **ENTITY_ERRORS},
        operation_id=f"{slug}_properties",
        summary=f"Properties of {singular}",
    )
    def properties(request: HttpRequest, uuid: uuid.UUID):
        return entity_properties(api.get(uuid))

    @router.post(
        "/{uuid}/properties",
        response={201: PropertyOut, **ENTITY_ERRORS},
        operation_id=f"{slug}_add_property",
        summary=f"Add a property to {singular}",
    )
    def add(request: HttpRequest, uuid: uuid.UUID, payload: PropertyIn):
        entity = api.get(uuid)
        property_type = find_property_type(payload.type)
        add_property(user=request.auth, entity=entity, property_type=property_type)
        return Status(201, {"type": property_type.pk, "label": str(property_type)})

    @router.delete(
        "/{uuid}/properties/{type_id}",
        response={204: None, **ENTITY_ERRORS},
        operation_id=f"{slug}_remove_property",
        summary=f"Remove a property from {singular}",
    )
    def remove(request: HttpRequest, uuid: uuid.UUID, type_id: str):
        entity = api.get(uuid)
        property_type = find_property_type(type_id)
        if not Property.objects.filter(entity=entity, type=property_type).exists():
            raise ApiProblem(
                404,
                _("“%(entity)s” does not have the property “%(property)s”.")
                % {"entity": entity.label, "property": property_type},
            )
        remove_property(user=request.auth, entity=entity, property_type=property_type)
        return Status(204, None)

    return router


__all__ = ["Problem", "entity_api", "entity_router", "serialize_any"]
