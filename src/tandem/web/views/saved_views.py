"""The column picker: create, change and delete saved views (the columns of a list)."""

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

from tandem.core.columns import MAX_COLUMNS, column_choices
from tandem.core.exceptions import TandemError
from tandem.core.models import SavedView
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.selectors import visible_views
from tandem.core.services.filters import check_owner
from tandem.core.services.views import create_view, delete_view, update_view
from tandem.web.views.entities import type_info


def _list_url(info: EntityTypeInfo, view: SavedView | None = None) -> str:
    url = reverse("entity_list", args=[info.slug])
    return f"{url}?{urlencode({'view': view.pk})}" if view else url


def _visible_view(request: HttpRequest, pk: int) -> SavedView:
    view = visible_views(request.user).filter(pk=pk).first()
    if view is None or view.entity_type.model_class() not in entity_types:
        raise Http404(_("This view does not exist (any more)."))
    return view


def _groups(info: EntityTypeInfo) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for choice in column_choices(info.model, info.content_type.pk).values():
        groups.setdefault(choice.group, []).append(choice)
    return list(groups.items())


def _page(request, info, view, columns, values, errors=None) -> HttpResponse:
    return render(
        request,
        "tandem/view_form.html",
        {
            "info": info,
            "view": view,
            "columns": columns,
            "groups": _groups(info),
            "values": values,
            "errors": errors or {},
            "can_add": len(columns) < MAX_COLUMNS,
            "title": _("Change the view “%(view)s”") % {"view": view}
            if view
            else _("New view of %(type)s") % {"type": info.verbose_name_plural},
        },
        status=400 if errors else 200,
    )


def _submitted(request: HttpRequest, info: EntityTypeInfo, view: SavedView | None):
    data = request.POST
    columns = [key for key in data.getlist("column") if key]
    values = {"name": data.get("name", "").strip(), "private": data.get("private") == "on"}
    for move, step in (("up", -1), ("down", 1)):
        if data.get(move, "").isdigit():
            index = int(data[move])
            other = index + step
            if 0 <= index < len(columns) and 0 <= other < len(columns):
                columns[index], columns[other] = columns[other], columns[index]
            return _page(request, info, view, columns, values)
    if data.get("remove", "").isdigit():
        index = int(data["remove"])
        columns = [key for position, key in enumerate(columns) if position != index]
        return _page(request, info, view, columns, values)
    if "add" in data:
        return _page(request, info, view, [*columns, ""], values)
    arguments = {"name": values["name"], "columns": columns, "is_private": values["private"]}
    try:
        if view is None:
            view = create_view(user=request.user, entity_type=info.content_type, **arguments)
            messages.success(request, _("The view “%(view)s” was created.") % {"view": view})
        else:
            view = update_view(user=request.user, view=view, **arguments)
            messages.success(request, _("The view “%(view)s” was saved.") % {"view": view})
    except ValidationError as error:
        return _page(request, info, view, columns, values, error.message_dict)
    except TandemError as error:
        return _page(request, info, view, columns, values, {"__all__": [str(error)]})
    return redirect(_list_url(info, view))


@login_required
def view_create(request: HttpRequest) -> HttpResponse:
    info = type_info(request.GET.get("type", ""))
    if request.method == "POST":
        return _submitted(request, info, None)
    columns = ["field:" + path for path in info.list_columns]
    return _page(request, info, None, columns, {"private": False})


@login_required
def view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    view = _visible_view(request, pk)
    info = entity_types.for_content_type_id(view.entity_type_id)
    try:
        check_owner(request.user, view)
    except TandemError:
        messages.error(
            request,
            _("Only the owner of “%(view)s” can change it; you can use it, or make your own.")
            % {"view": view},
        )
        return redirect(_list_url(info, view))
    if request.method == "POST":
        return _submitted(request, info, view)
    values = {"name": view.name, "private": view.is_private}
    return _page(request, info, view, list(view.columns), values)


@login_required
@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = _visible_view(request, pk)
    info = entity_types.for_content_type_id(view.entity_type_id)
    try:
        delete_view(user=request.user, view=view)
    except TandemError as error:
        messages.error(request, str(error))
        return redirect(_list_url(info, view))
    messages.success(request, _("The view “%(view)s” was deleted.") % {"view": view})
    return redirect(_list_url(info))
