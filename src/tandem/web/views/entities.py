"""Entity lists, detail pages, create / edit / clone forms, trash and bulk actions.

Every entity type of the registry gets these pages from its registration alone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ConflictError, TandemError
from tandem.core.models import Entity, Property, RelationType
from tandem.core.registry import EntityTypeInfo, entity_types
from tandem.core.selectors import (
    filters_for_type,
    history_of,
    property_types_for_type,
    relation_summary,
    relation_types_for_type,
    relations_of_type,
    visible_views,
)
from tandem.core.services import (
    create_entity,
    trash_entity,
    update_entity,
)
from tandem.core.services.bulk import BULK_LIMIT
from tandem.core.services.filters import can_change_filter
from tandem.io.export import supports_vcard
from tandem.web import listing
from tandem.web.filter_editor import describe
from tandem.web.forms import BulkFieldForm, EntityForm, QuickCreateForm, bulk_fields
from tandem.web.presenters import field_groups, field_label, readable
from tandem.web.views.relations import available_property_types, transform_buttons


def type_info(type_slug: str) -> EntityTypeInfo:
    try:
        return entity_types.for_slug(type_slug)
    except KeyError:
        raise Http404(type_slug) from None


def get_entity(info: EntityTypeInfo, uuid: Any, *, trashed: bool = False) -> Entity:
    """The entity of this type with this uuid, with the columns its pages show."""
    related = [
        name
        for _title, names in info.field_groups
        for name in names
        if info.model._meta.get_field(name).many_to_one
    ]
    entities = info.model._default_manager.select_related(*related, "owner")
    return get_object_or_404(entities, uuid=uuid)


def _select_related(info: EntityTypeInfo, columns: list[str]) -> list[str]:
    """The foreign keys the list's field columns follow, joined in the page's one query."""
    paths = []
    for path in columns:
        parts = path.split("__")
        model = info.model
        for index, name in enumerate(parts):
            field = model._meta.get_field(name)
            if not field.many_to_one:
                break
            paths.append("__".join(parts[: index + 1]))
            model = field.related_model
    return paths


@login_required
def entity_list(request: HttpRequest, type_slug: str) -> HttpResponse:
    """A keyset-paginated list with sorting, quick searches and bulk actions; a fixed
    number of queries whatever the page holds."""
    info = type_info(type_slug)
    chosen = listing.list_rows(info, request.user, request.GET)
    rows, query, saved_filter, columns = (
        chosen.rows,
        chosen.query,
        chosen.saved_filter,
        chosen.columns,
    )
    for error in query.errors:
        messages.error(request, error)
    if request.GET.get("view") and chosen.saved_view is None:
        messages.error(
            request,
            _("This view does not exist (any more), or is not for this list: default columns."),
        )
    field_paths = [column.path for column in columns[1:-1] if column.kind == "field"]
    count, exact_count = listing.bounded_count(rows)
    page = listing.page_of(
        rows.select_related(*_select_related(info, field_paths)), query, few=exact_count
    )
    cells = listing.table_cells(info, page.rows, columns[1:-1])
    table = [
        {"entity": entity, "cells": row_cells}
        for entity, row_cells in zip(page.rows, cells, strict=True)
    ]
    keep = {
        key: value for key, value in request.GET.items() if key not in ("after", "before") and value
    }

    def link(**changes: str) -> str:
        params = {**keep, **changes}
        return "?" + urlencode({key: value for key, value in params.items() if value})

    sort_links = {
        column.path: link(
            sort=("-" if query.sort == column.path and not query.descending else "") + column.path
        )
        for column in columns
        if column.sortable
    }
    filtering = bool(query.text or query.column_filters or saved_filter.entity_filter)
    return render(
        request,
        "tandem/entity_list.html",
        {
            "info": info,
            "columns": columns,
            "middle_columns": columns[1:-1],
            "query": query,
            "table": table,
            "sort_links": sort_links,
            "next_link": link(after=page.next_cursor) if page.next_cursor else None,
            "previous_link": link(before=page.previous_cursor) if page.previous_cursor else None,
            "first_link": link() if page.previous_cursor else None,
            "page_sizes": listing.PAGE_SIZES,
            "filtering": filtering,
            "keep": keep,
            "saved_filter": saved_filter,
            "saved_view": chosen.saved_view,
            "saved_views": visible_views(request.user).filter(entity_type_id=info.content_type.pk),
            "count": count,
            "exact_count": exact_count,
            "bulk_limit": BULK_LIMIT,
            "bulk_field_form": BulkFieldForm(info=info),
            "bulk_field_choices": bulk_fields(info),
            "supports_vcard": supports_vcard(info),
            "saved_filters": filters_for_type(request.user, info.content_type.pk),
            "saved_filter_conditions": (
                describe(saved_filter.entity_filter) if saved_filter.entity_filter else []
            ),
            "can_change_filter": saved_filter.entity_filter is not None
            and can_change_filter(request.user, saved_filter.entity_filter),
            "relation_types": relation_types_for_type(info.content_type.pk).order_by("predicate"),
            "property_types": property_types_for_type(info.content_type.pk).order_by("text"),
        },
    )


@login_required
def entity_detail(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    """Fields, relations grouped by type, properties, history and the transform buttons."""
    info = type_info(type_slug)
    entity = get_entity(info, uuid)
    groups = relation_summary(entity)
    properties = list(
        Property.objects.filter(entity=entity).select_related("type").order_by("type__text")
    )
    history = list(history_of(entity)[:30])
    return render(
        request,
        "tandem/entity_detail.html",
        {
            "info": info,
            "entity": entity,
            "fields": field_groups(info, entity),
            "relation_groups": groups,
            "relation_count": sum(group.total for group in groups),
            "properties": properties,
            "addable_properties": available_property_types(entity, properties),
            "transforms": transform_buttons(entity),
            "history": history,
            "history_rows": [_history_row(info, entry) for entry in history],
            "today": timezone.localdate(),
        },
    )


def _history_row(info: EntityTypeInfo, entry: Any) -> dict[str, Any]:
    changes = []
    for change in entry.data.get("changes", []):
        path = change["field"].replace(".", "__")
        try:
            label = capfirst(field_label(info.model, path))
        except Exception:
            label = change["field"]
        changes.append(
            {
                "label": label,
                "old": readable(change.get("old")),
                "new": readable(change.get("new")),
            }
        )
    return {"entry": entry, "changes": changes}


def _form_page(
    request: HttpRequest,
    info: EntityTypeInfo,
    form: EntityForm,
    *,
    entity: Entity | None,
    conflict: ConflictError | None = None,
    title: str,
) -> HttpResponse:
    return render(
        request,
        "tandem/entity_form.html",
        {"info": info, "form": form, "entity": entity, "conflict": conflict, "title": title},
        status=400 if form.errors or conflict else 200,
    )


def _create(
    request: HttpRequest, info: EntityTypeInfo, initial: dict[str, Any] | None
) -> HttpResponse:
    title = str(info.new_label)
    if request.method != "POST":
        return _form_page(
            request, info, EntityForm(info=info, initial=initial), entity=None, title=title
        )
    form = EntityForm(request.POST, info=info, initial=initial)
    if not form.is_valid():
        form.add_model_errors()
    else:
        try:
            entity = create_entity(user=request.user, model=info.model, data=form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(entity)s” was created.") % {"entity": entity.label})
            return redirect("entity_detail", info.slug, entity.uuid)
    return _form_page(request, info, form, entity=None, title=title)


@login_required
def entity_create(request: HttpRequest, type_slug: str) -> HttpResponse:
    return _create(request, type_info(type_slug), None)


@login_required
def entity_clone(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    """A new entity's form filled with another's values (relations are not copied)."""
    info = type_info(type_slug)
    source = get_entity(info, uuid)
    initial = EntityForm(info=info).initial_from(source)
    initial.pop("version", None)
    return _create(request, info, initial)


@login_required
def entity_edit(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    """Edit with optimistic locking: a stale form shows what someone else changed."""
    info = type_info(type_slug)
    entity = get_entity(info, uuid)
    if entity.is_deleted:
        messages.warning(
            request,
            _("“%(entity)s” is in the trash: restore it before editing it.")
            % {"entity": entity.label},
        )
        return redirect("entity_detail", info.slug, entity.uuid)
    title = _("Edit “%(entity)s”") % {"entity": entity.label}
    if request.method != "POST":
        return _form_page(
            request, info, EntityForm(info=info, instance=entity), entity=entity, title=title
        )
    form = EntityForm(request.POST, info=info, instance=entity)
    conflict = None
    if not form.is_valid():
        form.add_model_errors()
    else:
        version = form.cleaned_data["version"]
        try:
            updated = update_entity(
                user=request.user,
                entity=entity,
                data=form.service_data(),
                version=version if version is not None else entity.version,
            )
        except ConflictError as error:
            conflict = error
            # Saving again overwrites deliberately: the form now carries the current version.
            data = request.POST.copy()
            data["version"] = str(error.current.version)
            form = EntityForm(data, info=info, instance=entity)
            form.is_valid()
            conflict.changes = [
                {
                    "label": _change_label(info, change["field"]),
                    "yours": readable(change["yours"]),
                    "theirs": readable(change["theirs"]),
                }
                for change in error.changes
                if readable(change["yours"]) != readable(change["theirs"])
            ]
        except ValidationError as error:
            form.add_service_errors(error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(entity)s” was saved.") % {"entity": updated.label})
            return redirect("entity_detail", info.slug, updated.uuid)
    return _form_page(request, info, form, entity=entity, conflict=conflict, title=title)


def _change_label(info: EntityTypeInfo, name: str) -> str:
    try:
        return capfirst(field_label(info.model, name))
    except Exception:
        return name


@login_required
@require_POST
def entity_trash(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    info = type_info(type_slug)
    entity = get_entity(info, uuid)
    try:
        trash_entity(user=request.user, entity=entity)
    except TandemError as error:
        messages.error(request, str(error))
        return redirect("entity_detail", info.slug, entity.uuid)
    messages.success(
        request,
        _("“%(entity)s” was moved to the trash: you can restore it from there.")
        % {"entity": entity.label},
    )
    return redirect("entity_list", info.slug)


@login_required
def quick_create(request: HttpRequest, type_slug: str) -> HttpResponse:
    """Create a relation target from the picker, by name; answers the picker row to select."""
    info = type_info(type_slug)
    form = QuickCreateForm(request.POST or None, initial={"name": request.GET.get("name", "")})
    error = None
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"].strip()
        if "name" in {field.name for field in info.model._meta.get_fields()}:
            data = {"name": name}
        else:
            first, _sep, last = name.rpartition(" ")
            data = {"first_name": first, "last_name": last or first}
            if not first:
                data = {"last_name": name}
        try:
            entity = create_entity(user=request.user, model=info.model, data=data)
        except ValidationError as exc:
            error = " ".join(
                message for messages_ in exc.message_dict.values() for message in messages_
            )
        except TandemError as exc:
            error = str(exc)
        else:
            return render(
                request, "tandem/partials/picker_created.html", {"entity": entity, "info": info}
            )
    return render(
        request,
        "tandem/partials/quick_create.html",
        {"info": info, "form": form, "error": error},
        status=400 if error or form.errors else 200,
    )


#: Relations per page of "show all".
RELATIONS_PAGE_SIZE = 100


@login_required
def entity_relations(
    request: HttpRequest, type_slug: str, uuid: Any, relation_type_id: str
) -> HttpResponse:
    """Every relation of one type of an entity, a page at a time (keyset on the other's name)."""
    info = type_info(type_slug)
    entity = get_entity(info, uuid)
    relation_type = RelationType.objects.filter(pk=relation_type_id).first()
    if relation_type is None:
        raise Http404(relation_type_id)
    relations = relations_of_type(entity, relation_type.pk)
    total = relations.count()
    cursor = listing.decode_cursor(request.GET.get("after"))
    if cursor is not None:
        label, pk = cursor
        relations = relations.filter(
            Q(object__sort_label__gt=label) | Q(object__sort_label=label, pk__gt=pk),
            object__sort_label__gte=label,
        )
    rows = list(relations[: RELATIONS_PAGE_SIZE + 1])
    next_link = None
    if len(rows) > RELATIONS_PAGE_SIZE:
        rows = rows[:RELATIONS_PAGE_SIZE]
        last = rows[-1]
        next_link = "?" + urlencode(
            {"after": listing.encode_cursor(last.object.sort_label, last.pk)}
        )
    return render(
        request,
        "tandem/entity_relations.html",
        {
            "info": info,
            "entity": entity,
            "relation_type": relation_type,
            "relations": rows,
            "total": total,
            "next_link": next_link,
            "first_link": "?" if cursor is not None else None,
            "today": timezone.localdate(),
        },
    )
