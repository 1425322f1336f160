"""``GET /api/v1/<type>/export``: the list's rows (same ``q``, filters, saved ``filter``,
``order``, ``include_trashed``) as one CSV, XLSX or vCard file, streamed.

Note: no ``from __future__ import annotations`` here; Ninja reads the handler's annotations,
which name a schema created inside the factory.
"""

from typing import TYPE_CHECKING, Annotated, Literal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, create_model

from tandem.api.common import ERRORS, Problem, refuse_unknown_parameters
from tandem.api.filters import FILTER_PARAMETER_DESCRIPTION, FilterId, apply_saved_filter
from tandem.api.listing import apply_filters, filter_keys, parse_order, sortable_keys
from tandem.api.problems import ApiProblem
from tandem.api.validation import Text
from tandem.core.permissions import check_permission
from tandem.core.selectors import NOT_TRASHED
from tandem.io.export import (
    CONTENT_TYPES,
    FORMATS,
    ExportRefused,
    export_entities,
    export_filename,
    list_columns,
    supports_vcard,
)

if TYPE_CHECKING:
    from tandem.api.entities import EntityApi


class ExportParams(Schema):
    format: Annotated[
        Text,
        Field(
            max_length=20,
            description="`csv`, `xlsx`, or `vcf` (vCard 4.0, contacts and organisations).",
            json_schema_extra={"enum": list(FORMATS)},
        ),
    ] = "csv"
    columns: Literal["all", "list"] = Field(
        "all",
        description="`all`: every field, properties and one column per relation type (an "
        "export can be imported again); `list`: the web list's columns.",
    )
    delimiter: Literal[",", ";"] = Field(",", description="CSV only.")
    bom: bool = Field(False, description="CSV only: start with a UTF-8 BOM (for Excel).")
    q: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Words to find, ignoring case and accents."
    )
    order: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Keys, comma-separated; `-` for descending: `name,-modified`."
    )
    include_trashed: bool = False
    filter: FilterId | None = Field(None, description=FILTER_PARAMETER_DESCRIPTION)


_BINARY = {"schema": {"type": "string", "format": "binary"}}


def add_export_route(router: Router, api: "EntityApi") -> None:
    """Add ``GET /export`` to the type's router (before ``/{uuid}``, which would take it)."""
    info = api.info
    slug = info.slug
    filter_type = Annotated[Text, Field(max_length=200)] | None
    filters = {key: (filter_type, None) for key in filter_keys(api.fields)}
    Params = create_model(f"{info.model.__name__}ExportParams", __base__=ExportParams, **filters)
    base_fields = set(ExportParams.model_fields)
    keys = sortable_keys(api.fields)
    plural = info.model._meta.verbose_name_plural
    media = {
        CONTENT_TYPES["csv"].split(";")[0]: _BINARY,
        CONTENT_TYPES["xlsx"]: _BINARY,
    }
    if "vcf" in _formats_for(api):
        media[CONTENT_TYPES["vcf"].split(";")[0]] = _BINARY

    @router.get(
        "/export",
        response={**ERRORS, 422: Problem},
        operation_id=f"{slug}_export",
        summary=f"Export {plural}",
        openapi_extra={
            "responses": {
                200: {
                    "description": "The file (CSV and vCard in UTF-8), streamed, as an "
                    f"attachment named `{slug}-<date>.<format>`.",
                    "content": media,
                },
                422: {"description": "A format this type cannot be exported to."},
            }
        },
    )
    def export(request: HttpRequest, params: Query[Params]):
        """The rows the list would give for the same `q`, filters, saved `filter`, `order`
        and `include_trashed`, in one file; `422` for an unknown format."""
        refuse_unknown_parameters(request, Params)
        check_permission(request.auth, "export")
        if params.format not in _formats_for(api):
            raise ApiProblem(
                422,
                _("Cannot export %(type)s as “%(format)s”: choose one of %(formats)s.")
                % {
                    "type": info.verbose_name_plural,
                    "format": params.format,
                    "formats": ", ".join(_formats_for(api)),
                },
            )
        queryset = info.model._default_manager.filter(entity_type_id=info.content_type.pk)
        if not params.include_trashed:
            queryset = queryset.filter(NOT_TRASHED)
        queryset = apply_filters(
            queryset, api.fields, params.model_dump(exclude=base_fields), text=params.q
        )
        queryset = apply_saved_filter(queryset, info, request.auth, params.filter)
        order = [(key.path, desc) for key, desc in parse_order(params.order, keys, "label")]
        try:
            stream = export_entities(
                info,
                queryset,
                params.format,
                columns=list_columns(info) if params.columns == "list" else None,
                order=order,
                delimiter=params.delimiter,
                bom=params.bom,
            )
        except ExportRefused as error:
            raise ApiProblem(422, str(error)) from None
        response = StreamingHttpResponse(stream, content_type=stream.content_type)
        response["Content-Disposition"] = content_disposition_header(
            True, export_filename(info, params.format)
        )
        return response


def _formats_for(api: "EntityApi") -> tuple[str, ...]:
    if supports_vcard(api.info):
        return FORMATS
    return tuple(name for name in FORMATS if name != "vcf")
