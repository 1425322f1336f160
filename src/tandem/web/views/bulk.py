"""The list's bulk bar: one action on the selected rows, or on every row the list matches
(its searches and saved filter), through the services; the report names what failed."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tandem.core.models import Entity, PropertyType, RelationType
from tandem.core.registry import EntityTypeInfo
from tandem.core.services.bulk import (
    BULK_LIMIT,
    BulkReport,
    bulk_add_property,
    bulk_link_to,
    bulk_remove_property,
    bulk_trash,
    bulk_update,
)
from tandem.web import listing
from tandem.web.forms import BulkFieldForm, bulk_fields
from tandem.web.views.entities import type_info
from tandem.web.views.exports import export_response

ACTIONS = ("field", "property", "property_remove", "relation", "trash", "merge", "export")
#: How many failures the report lists one by one.
SHOWN_FAILURES = 20


def _back(request: HttpRequest, info: EntityTypeInfo) -> str:
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("entity_list", args=[info.slug])
    return back


def _targets(request: HttpRequest, info: EntityTypeInfo, back: str) -> tuple[list[Entity], str]:
    """The entities the action is for, or the reason there are none to act on."""
    if request.POST.get("scope") == "all":
        params = QueryDict(urlsplit(back).query)
        chosen = listing.list_rows(info, request.user, params)
        if chosen.saved_filter.error:
            return [], chosen.saved_filter.error
        entities = list(chosen.rows.order_by("pk")[: BULK_LIMIT + 1])
        if len(entities) > BULK_LIMIT:
            return [], _(
                "More than %(max)s rows match this list: narrow it (a search or a filter) and "
                "apply the action to each part."
            ) % {"max": f"{BULK_LIMIT:,}"}
        return entities, ""
    uuids = request.POST.getlist("selected")[: listing.PAGE_SIZES[-1]]
    valid = [uuid for uuid in uuids if listing.is_uuid(uuid)]
    entities = list(info.model._default_manager.filter(uuid__in=valid, is_deleted=False))
    order = {uuid: index for index, uuid in enumerate(valid)}
    entities.sort(key=lambda entity: order.get(str(entity.uuid), 0))
    return entities, ""


@login_required
@require_POST
def entity_bulk(request: HttpRequest, type_slug: str) -> HttpResponse:
    """Run one action on the selected (or all matching) rows; report what could not be done."""
    info = type_info(type_slug)
    back = _back(request, info)
    action = request.POST.get("action")
    if action not in ACTIONS:
        messages.error(request, _("Select at least one row and an action."))
        return redirect(back)
    entities, problem = _targets(request, info, back)
    if problem or not entities:
        messages.error(request, problem or _("Select at least one row and an action."))
        return redirect(back)
    if action == "merge":
        if len(entities) != 2:
            messages.error(request, _("Select exactly two rows to merge them."))
            return redirect(back)
        from tandem.web.views.merge import merge_url

        return redirect(merge_url(info, entities[0], entities[1]))  # the first is kept
    if action == "export":
        rows = info.model._default_manager.filter(pk__in=[entity.pk for entity in entities])
        params = QueryDict(urlsplit(back).query)
        query = listing.parse_list_query(params, listing.columns_of(info))
        return export_response(request, info, rows, query, request.POST)
    report = _run(request, info, action, entities)
    if report is None:
        return redirect(back)
    _tell(request, action, report)
    return redirect(back)


def _run(
    request: HttpRequest, info: EntityTypeInfo, action: str, entities: list[Entity]
) -> BulkReport | None:
    user = request.user
    if action == "trash":
        return bulk_trash(user=user, entities=entities)
    if action in ("property", "property_remove"):
        property_type = PropertyType.objects.filter(pk=request.POST.get("property_type")).first()
        if property_type is None or (action == "property" and not property_type.enabled):
            messages.error(request, _("Choose a property."))
            return None
        run = bulk_add_property if action == "property" else bulk_remove_property
        return run(user=user, entities=entities, property_type=property_type)
    if action == "relation":
        relation_type = RelationType.objects.filter(
            pk=request.POST.get("relation_type"), enabled=True, is_internal=False
        ).first()
        target = Entity.objects.filter(
            uuid=request.POST.get("target") if listing.is_uuid(request.POST.get("target")) else None
        ).first()
        if relation_type is None or target is None:
            messages.error(request, _("Choose a relation type and the entity to link to."))
            return None
        return bulk_link_to(
            user=user, entities=entities, relation_type=relation_type, target=target
        )
    form = BulkFieldForm(request.POST, info=info)
    if not form.is_valid():
        chosen = dict(bulk_fields(info)).get(form.field_name, "")
        for field, errors in form.errors.items():
            label = (
                chosen
                if field == "value"
                else form.fields.get(field, None) and form.fields[field].label
            )
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return None
    try:
        return bulk_update(user=user, entities=entities, data=form.service_data())
    except ValidationError as error:  # pragma: no cover - each entity reports its own
        messages.error(request, " ".join(error.messages))
        return None


def _tell(request: HttpRequest, action: str, report: BulkReport) -> None:
    done = report.done
    texts = {
        "trash": ngettext(
            "%(count)s entity was moved to the trash.",
            "%(count)s entities were moved to the trash.",
            done,
        ),
        "property": ngettext(
            "The property was added to %(count)s entity.",
            "The property was added to %(count)s entities.",
            done,
        ),
        "property_remove": ngettext(
            "The property was removed from %(count)s entity.",
            "The property was removed from %(count)s entities.",
            done,
        ),
        "relation": ngettext(
            "%(count)s relation was added.", "%(count)s relations were added.", done
        ),
        "field": ngettext(
            "%(count)s entity was changed.", "%(count)s entities were changed.", done
        ),
    }
    (messages.success if done else messages.info)(request, texts[action] % {"count": done})
    if report.unchanged:
        unchanged = len(report.unchanged)
        messages.info(
            request,
            ngettext(
                "%(count)s entity was as asked already: %(names)s.",
                "%(count)s entities were as asked already: %(names)s.",
                unchanged,
            )
            % {"count": unchanged, "names": ", ".join(report.unchanged[:10])}
            + ("…" if unchanged > 10 else ""),
        )
    # One message per reason, naming the entities it stopped: 21 rows refused for the same
    # invalid value make one line, not 21.
    by_reason: dict[str, list[str]] = {}
    for label, reason in report.failures:
        by_reason.setdefault(reason, []).append(label)
    for reason, labels in list(by_reason.items())[:SHOWN_FAILURES]:
        names = ", ".join(labels[:10]) + ("…" if len(labels) > 10 else "")
        messages.error(
            request,
            ngettext(
                "%(reason)s (%(count)s entity: %(names)s)",
                "%(reason)s (%(count)s entities: %(names)s)",
                len(labels),
            )
            % {"reason": reason, "count": len(labels), "names": names},
        )
    hidden = len(by_reason) - SHOWN_FAILURES
    if hidden > 0:
        messages.error(
            request,
            ngettext(
                "…and %(count)s other reason.",
                "…and %(count)s other reasons.",
                hidden,
            )
            % {"count": hidden},
        )


@login_required
def bulk_field_input(request: HttpRequest, type_slug: str) -> HttpResponse:
    """The value input of the field chosen in the bulk bar (htmx)."""
    info = type_info(type_slug)
    form = BulkFieldForm(request.GET or None, info=info, initial_field=request.GET.get("field"))
    return render(
        request,
        "tandem/partials/bulk_field.html",
        {"form": form, "fields": bulk_fields(info), "info": info},
    )
