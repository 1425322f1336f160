"""The filter editor: create, change and delete saved filters, one condition per row."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core.exceptions import TandemError
from tandem.core.models import EntityFilter
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.selectors import visible_filters
from tandem.core.services.filters import (
    can_change_filter,
    create_filter,
    delete_filter,
    update_filter,
)
from tandem.web.filter_editor import (
    MAX_ROWS,
    Editor,
    Row,
    condition_of,
    row_from_condition,
    row_from_data,
    rows_from_data,
)
from tandem.web.views.entities import type_info


def _visible_filter(request: HttpRequest, pk: int) -> EntityFilter:
    entity_filter = visible_filters(request.user).filter(pk=pk).first()
    if entity_filter is None or entity_filter.entity_type.model_class() not in entity_types:
        raise Http404(_("This filter does not exist (any more)."))
    return entity_filter


def _list_url(info: EntityTypeInfo, entity_filter: EntityFilter | None = None) -> str:
    url = reverse("entity_list", args=[info.slug])
    return f"{url}?{urlencode({'filter': entity_filter.pk})}" if entity_filter else url


def _first_row(editor: Editor) -> Row:
    return Row(0, what="field:label", operator="icontains")


def _page(
    request: HttpRequest,
    editor: Editor,
    rows: list[Row],
    *,
    values: dict,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    errors = errors or {}
    for position, row in enumerate(rows):  # as the core's messages count them
        row.index = position
    return render(
        request,
        "tandem/filter_form.html",
        {
            "info": editor.info,
            "editor": editor,
            "entity_filter": editor.entity_filter,
            "rows": [editor.view(row) for row in rows],
            "values": values,
            "errors": errors,
            "next_index": max((row.index for row in rows), default=-1) + 1,
            "title": (
                _("Change the filter “%(filter)s”") % {"filter": editor.entity_filter}
                if editor.entity_filter
                else _("New filter on %(type)s") % {"type": editor.info.verbose_name_plural}
            ),
        },
        status=400 if errors else 200,
    )


def _submitted(request: HttpRequest, editor: Editor) -> HttpResponse:
    """Save the posted filter, or show the form again (after "Add", "Remove", or errors)."""
    data = request.POST
    rows = rows_from_data(data)
    values = {
        "name": data.get("name", "").strip(),
        "match": data.get("match", "all"),
        "private": data.get("private") == "on",
    }
    if "remove" in data:
        rows = [row for row in rows if str(row.index) != data["remove"]]
        return _page(request, editor, rows, values=values)
    if "add" in data or "refresh" in data:
        if "add" in data and len(rows) < MAX_ROWS:
            index = max((row.index for row in rows), default=-1) + 1
            rows.append(Row(index, what="field:label", operator="icontains"))
        return _page(request, editor, rows, values=values)
    unchosen = [
        _("Condition %(number)s: choose the entity.") % {"number": position + 1}
        for position, row in enumerate(rows)
        if row.kind == "relation" and row.target == "entity" and not row.entity
    ]
    if unchosen:  # saved as is, it would mean "linked to any entity"
        return _page(request, editor, rows, values=values, errors={"conditions": unchosen})
    conditions = [condition_of(row) for row in rows]
    arguments = {
        "name": values["name"],
        "conditions": conditions,
        "match": values["match"],
        "is_private": values["private"],
    }
    try:
        if editor.entity_filter is None:
            saved = create_filter(
                user=request.user, entity_type=editor.info.content_type, **arguments
            )
            messages.success(request, _("The filter “%(filter)s” was created.") % {"filter": saved})
        else:
            saved = update_filter(
                user=request.user, entity_filter=editor.entity_filter, **arguments
            )
            messages.success(request, _("The filter “%(filter)s” was saved.") % {"filter": saved})
    except ValidationError as error:
        return _page(request, editor, rows, values=values, errors=error.message_dict)
    except TandemError as error:
        return _page(request, editor, rows, values=values, errors={"__all__": [str(error)]})
    return redirect(_list_url(editor.info, saved))


@login_required
def filter_create(request: HttpRequest) -> HttpResponse:
    info = type_info(request.GET.get("type", ""))
    editor = Editor(info, request.user)
    if request.method == "POST":
        return _submitted(request, editor)
    return _page(request, editor, [_first_row(editor)], values={"match": "all", "private": False})


@login_required
def filter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entity_filter = _visible_filter(request, pk)
    info = entity_types.for_content_type_id(entity_filter.entity_type_id)
    if not can_change_filter(request.user, entity_filter):
        messages.error(
            request,
            _("Only the owner of “%(filter)s” can change it; you can use it, or make your own.")
            % {"filter": entity_filter}
            if not entity_filter.is_builtin
            else _("“%(filter)s” is a built-in filter: it can be used, not changed or deleted.")
            % {"filter": entity_filter},
        )
        return redirect(_list_url(info, entity_filter))
    editor = Editor(info, request.user, entity_filter)
    if request.method == "POST":
        return _submitted(request, editor)
    rows = [row_from_condition(i, c) for i, c in enumerate(entity_filter.conditions)]
    values = {
        "name": entity_filter.name,
        "match": entity_filter.match,
        "private": entity_filter.is_private,
    }
    return _page(request, editor, rows, values=values)


@login_required
@require_POST
def filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entity_filter = _visible_filter(request, pk)
    info = entity_types.for_content_type_id(entity_filter.entity_type_id)
    try:
        delete_filter(user=request.user, entity_filter=entity_filter)
    except TandemError as error:
        messages.error(request, str(error))
        return redirect(_list_url(info, entity_filter))
    messages.success(request, _("The filter “%(filter)s” was deleted.") % {"filter": entity_filter})
    return redirect(_list_url(info))


@login_required
def filter_row(request: HttpRequest) -> HttpResponse:
    """One condition row, re-rendered after its first select changed (htmx), or a new one."""
    info = type_info(request.GET.get("type", ""))
    entity_filter = None
    if request.GET.get("filter_id", "").isdigit():
        entity_filter = visible_filters(request.user).filter(pk=request.GET["filter_id"]).first()
    editor = Editor(info, request.user, entity_filter)
    if request.GET.get("add"):
        index = max((row.index for row in rows_from_data(request.GET)), default=-1) + 1
        row = Row(index, what="field:label", operator="icontains")
    else:
        index = request.GET.get("index", "")
        if not index.isdigit() or int(index) > 10_000:
            raise Http404
        row = row_from_data(request.GET, int(index))
    return render(
        request,
        "tandem/partials/filter_condition.html",
        {"view": editor.view(row), "editor": editor, "info": info, "entity_filter": entity_filter},
    )
