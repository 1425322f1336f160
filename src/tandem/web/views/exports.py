"""The list pages' "Export" menu: the list as it is filtered and sorted, in its columns, as
CSV, XLSX or vCard, streamed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header

from tandem.core.exceptions import PermissionDenied
from tandem.core.permissions import check_permission
from tandem.io.export import ExportRefused, export_entities, export_filename, list_columns
from tandem.web import listing
from tandem.web.views.entities import type_info

#: What the export links add to the list's own query string.
EXPORT_PARAMETERS = ("format", "delimiter", "bom", "columns")


@login_required
def entity_export(request: HttpRequest, type_slug: str) -> HttpResponse:
    """Every row the list shows across its pages (same search, column searches and order),
    in the list's columns or with every field (a vCard holds the whole card)."""
    info = type_info(type_slug)
    try:
        check_permission(request.user, "export")
    except PermissionDenied as error:
        raise HttpForbidden(str(error)) from None
    chosen = listing.list_rows(info, request.user, request.GET)
    if chosen.saved_filter.error:  # an empty file would look like "no rows match"
        return _back_to_list(request, info, request.GET, chosen.saved_filter.error)
    return export_response(request, info, chosen.rows, chosen.query, request.GET)


def _back_to_list(request: HttpRequest, info, params, message: str) -> HttpResponse:
    """The list the export was asked from, with ``message`` on top."""
    messages.error(request, message)
    back = {key: value for key, value in params.items() if key not in EXPORT_PARAMETERS and value}
    url = reverse("entity_list", args=[info.slug])
    return redirect(f"{url}?{urlencode(back)}" if back else url)


def export_response(
    request: HttpRequest, info, rows, query: listing.ListQuery, params
) -> HttpResponse:
    """``rows`` as the file ``params`` ask for (format, delimiter, BOM, columns), streamed;
    the list's Export menu and the bulk bar's "Export" both answer with it."""
    export_format = params.get("format", "csv")
    try:
        stream = export_entities(
            info,
            rows,
            export_format,
            # The list's columns, or (columns=all) every field, property and relation.
            columns=None if params.get("columns") == "all" else list_columns(info),
            order=[(listing.SORT_FIELDS.get(query.sort, query.sort), query.descending)],
            delimiter=";" if params.get("delimiter") == ";" else ",",
            bom=params.get("bom") in {"1", "true", "on"},
        )
    except ExportRefused as error:
        return _back_to_list(request, info, params, str(error))
    response = StreamingHttpResponse(stream, content_type=stream.content_type)
    every_field = params.get("columns") == "all"
    variant = "-".join(
        part
        for part, wanted in (
            ("all-fields", every_field),
            ("excel", export_format == "csv" and params.get("delimiter") == ";"),
        )
        if wanted
    )
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename(info, export_format, variant=variant)
    )
    return response
