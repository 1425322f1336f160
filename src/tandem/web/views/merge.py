"""Merging two entities: pick the duplicate, then choose each field's value side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core.exceptions import ConflictError, TandemError
from tandem.core.models import Entity
from tandem.core.registry import EntityTypeInfo
from tandem.core.selectors import NOT_TRASHED, ranked_search
from tandem.core.services.merge import merge_entities
from tandem.web.presenters import ShownValue, shown_value
from tandem.web.views.entities import get_entity, type_info

#: The radio values of each field row.
KEEP, TAKE = "keep", "take"


@dataclass
class FieldChoice:
    """One row of the merge form: a field and the value each entity has."""

    name: str
    label: str
    kept: ShownValue
    taken: ShownValue
    choice: str

    @property
    def same(self) -> bool:
        return self.kept.value == self.taken.value


def _empty(shown: ShownValue) -> bool:
    return shown.value in ("", None, [], {})


def field_choices(info: EntityTypeInfo, survivor: Entity, merged: Entity, data=None) -> list:
    """Each field the forms offer, with both values; by default the survivor's, or the
    other's where the survivor has none."""
    rows = []
    for _title, names in info.field_groups:
        for name in names:
            kept = shown_value(info.model, survivor, name)
            taken = shown_value(info.model, merged, name)
            if _empty(kept) and _empty(taken):
                continue  # nothing to choose, nothing to show
            default = TAKE if _empty(kept) and not _empty(taken) else KEEP
            choice = data.get(f"field_{name}", default) if data is not None else default
            rows.append(
                FieldChoice(name, kept.label, kept, taken, TAKE if choice == TAKE else KEEP)
            )
    return rows


def taken_fields(rows: list[FieldChoice]) -> list[str]:
    """The fields whose value comes from the entity merged away."""
    return [row.name for row in rows if row.choice == TAKE and not row.same]


@login_required
def merge(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    """``?with=<uuid>``: the side-by-side form; without it, the search for the duplicate."""
    info = type_info(type_slug)
    survivor = get_entity(info, uuid)
    if survivor.is_deleted:
        messages.error(
            request,
            _("“%(entity)s” is in the trash: restore it before merging it.")
            % {"entity": survivor.label},
        )
        return redirect("entity_detail", info.slug, survivor.uuid)
    other_uuid = request.GET.get("with") or request.POST.get("with")
    if not other_uuid:
        text = request.GET.get("q", "").strip()[:200]
        candidates = []
        if text:
            found = ranked_search(text, types=[info.content_type.pk], limit=20)
            candidates = [entity for entity in found if entity.pk != survivor.pk][:20]
        return render(
            request,
            "tandem/merge_pick.html",
            {"info": info, "entity": survivor, "candidates": candidates, "text": text},
        )
    merged = (
        info.model._default_manager.filter(NOT_TRASHED, uuid=_uuid_or_none(other_uuid))
        .exclude(pk=survivor.pk)
        .first()
    )
    if merged is None:
        messages.error(request, _("Choose another entity of the same type to merge with."))
        return redirect("entity_merge", info.slug, survivor.uuid)
    data = request.POST if request.method == "POST" else None
    rows = field_choices(info, survivor, merged, data)
    errors: list[str] = []
    if request.method == "POST":
        try:
            kept = merge_entities(
                user=request.user,
                survivor=survivor,
                merged=merged,
                take=taken_fields(rows),
                survivor_version=_int(request.POST.get("survivor_version")),
                merged_version=_int(request.POST.get("merged_version")),
            )
        except ValidationError as error:
            errors = [
                f"{_label(rows, field)}: {message}" if field != "__all__" else message
                for field, messages_ in error.message_dict.items()
                for message in messages_
            ]
        except ConflictError as error:
            errors = [str(error), _("Check both entities again, then merge.")]
        except TandemError as error:
            errors = [str(error)]
        else:
            done = (
                _("The two records are now one: “%(entity)s”.")
                if merged.label == kept.label  # the kept one took the other's name
                else _("“%(merged)s” was merged into “%(entity)s”.")
            )
            messages.success(request, done % {"merged": merged.label, "entity": kept.label})
            return redirect("entity_detail", info.slug, kept.uuid)
    swap = (
        reverse("entity_merge", args=[info.slug, merged.uuid])
        + "?"
        + urlencode({"with": survivor.uuid})
    )
    return render(
        request,
        "tandem/merge_form.html",
        {
            "info": info,
            "entity": survivor,
            "other": merged,
            "rows": rows,
            "errors": errors,
            "swap_url": swap,
            "relation_count": merged.relations.count(),
            "becomes_ours": getattr(merged, "is_managed", False)
            and not getattr(survivor, "is_managed", False),
        },
        status=400 if errors else 200,
    )


def _label(rows: list[FieldChoice], field: str) -> str:
    for row in rows:
        if row.name == field.split(".")[0]:
            return row.label
    return field


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def merge_url(info: EntityTypeInfo, survivor: Entity, merged: Entity) -> str:
    url = reverse("entity_merge", args=[info.slug, survivor.uuid])
    return f"{url}?{urlencode({'with': merged.uuid})}"
