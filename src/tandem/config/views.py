"""Configuration pages. They parse input, call a service (writes) or a selector (reads), render.

Confirmations (delete, rename) answer htmx requests with a dialog fragment and plain requests
with a full page, so every action works without JavaScript too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tandem.config import selectors
from tandem.config.forms import (
    ChoiceNameForm,
    PropertyTypeForm,
    RelationTypeForm,
    ReplacementForm,
)
from tandem.core.exceptions import TandemError
from tandem.core.models import PropertyType, Relation, RelationType
from tandem.core.services import (
    create_relation_type,
    delete_relation_type,
    set_relation_type_enabled,
    update_relation_type,
)
from tandem.core.services.property_types import (
    create_property_type,
    delete_property_type,
    property_type_usage,
    set_property_type_enabled,
    update_property_type,
)
from tandem.persons import choices
from tandem.persons.models import ChoiceItem, Organisation
from tandem.persons.services import managed_organisations as managed_list
from tandem.persons.services import set_managed


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _dialog(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    back: str,
    back_title: str,
) -> HttpResponse:
    """A confirmation as a dialog fragment (htmx) or as a page of its own."""
    context.update(
        frame="config/dialog.html" if _is_htmx(request) else "config/dialog_page.html",
        title=title,
        back=back,
        back_title=back_title,
    )
    return render(request, template, context)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (others at the top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The configuration sections, each with what it is for."""
    return render(request, "config/home.html")


# Relation types -----------------------------------------------------------------------------


@login_required
def relation_types(request: HttpRequest) -> HttpResponse:
    """Every relation type pair, built-in and custom, with its constraints and actions."""
    pairs = selectors.relation_type_pairs()
    rows = [
        {
            "pair": pair,
            "subject_types": selectors.type_names(list(pair.side.subject_types.all())),
            "object_types": selectors.type_names(list(pair.reverse.subject_types.all())),
        }
        for pair in pairs
    ]
    return render(
        request,
        "config/relation_types.html",
        {"rows": rows, "custom_count": sum(pair.is_custom for pair in pairs)},
    )


def _warn_same_wording(request: HttpRequest, side: RelationType, reverse: RelationType) -> None:
    """Allowed, but probably a mistake: say which existing type reads the same."""
    for new in (side, reverse):
        twins = selectors.same_wording(new.predicate, exclude=[side.pk, reverse.pk])
        if twins:
            messages.warning(
                request,
                _(
                    "Another relation type is already worded “%(predicate)s”. Both now exist: "
                    "disable or delete one if they mean the same."
                )
                % {"predicate": new.predicate},
            )
            return


@login_required
def relation_type_create(request: HttpRequest) -> HttpResponse:
    """The "New custom type" form: subject, verb, object and reverse verb."""
    form = RelationTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            side, reverse = create_relation_type(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The relation type “%(predicate)s / %(reverse)s” was created.")
                % {"predicate": side.predicate, "reverse": reverse.predicate},
            )
            _warn_same_wording(request, side, reverse)
            return redirect("config:relation_types")
    return render(request, "config/relation_type_form.html", {"form": form})


def _pair_or_404(type_id: str) -> selectors.RelationTypePair:
    try:
        return selectors.relation_type_pair(type_id)
    except RelationType.DoesNotExist:
        raise Http404(_("No such relation type.")) from None


@login_required
def relation_type_edit(request: HttpRequest, type_id: str) -> HttpResponse:
    """Reword a custom pair; built-in pairs are refused with the engine's message."""
    pair = _pair_or_404(type_id)
    if not pair.is_custom:
        messages.error(
            request,
            _("“%(type)s” is a built-in relation type: it can be disabled, not changed or deleted.")
            % {"type": pair.side},
        )
        return redirect("config:relation_types")
    initial = {
        "subject_predicate": pair.side.predicate,
        "object_predicate": pair.reverse.predicate,
        "subject_types": [content_type.pk for content_type in pair.side.subject_types.all()],
        "object_types": [content_type.pk for content_type in pair.reverse.subject_types.all()],
        "subject_properties": list(pair.side.subject_properties.all()),
        "object_properties": list(pair.reverse.subject_properties.all()),
        "subject_forbidden_properties": list(pair.side.subject_forbidden_properties.all()),
        "object_forbidden_properties": list(pair.reverse.subject_forbidden_properties.all()),
    }
    form = RelationTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_relation_type(user=request.user, relation_type=pair.side, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The relation type was saved."))
            return redirect("config:relation_types")
    return render(request, "config/relation_type_edit.html", {"form": form, "pair": pair})


@login_required
@require_POST
def relation_type_enable(request: HttpRequest, type_id: str) -> HttpResponse:
    """Enable or disable a pair (both sides at once)."""
    pair = _pair_or_404(type_id)
    enabled = request.POST.get("enabled") == "1"
    try:
        set_relation_type_enabled(user=request.user, relation_type=pair.side, enabled=enabled)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        names = {"predicate": pair.side, "reverse": pair.reverse}
        if enabled:
            messages.success(request, _("“%(predicate)s / %(reverse)s” is enabled.") % names)
        else:
            messages.success(
                request,
                _(
                    "“%(predicate)s / %(reverse)s” is disabled: it is no longer offered for "
                    "new relations; existing ones are kept."
                )
                % names,
            )
    return redirect(reverse("config:relation_types") + f"#type-{pair.side.pk}")


@login_required
def relation_type_delete(request: HttpRequest, type_id: str) -> HttpResponse:
    """Ask (saying how many relations go with it), then delete a custom pair."""
    pair = _pair_or_404(type_id)
    if request.method == "POST":
        try:
            delete_relation_type(
                user=request.user,
                relation_type=pair.side,
                force=request.POST.get("force") == "1",
            )
        except TandemError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The relation type “%(predicate)s / %(reverse)s” was deleted.")
                % {"predicate": pair.side, "reverse": pair.reverse},
            )
        return redirect("config:relation_types")
    # One indexed count on the type's relations, for this confirmation only (both sides of
    # each relation are stored, hence the halving).
    in_use = Relation.objects.filter(type_id__in=[pair.side.pk, pair.reverse.pk]).count() // 2
    return _dialog(
        request,
        "config/relation_type_delete.html",
        {
            "pair": pair,
            "in_use": in_use,
            "action": reverse("config:relation_type_delete", args=[pair.side.pk]),
        },
        title=_("Delete a relation type"),
        back=reverse("config:relation_types"),
        back_title=_("Relation types"),
    )


# Property types -----------------------------------------------------------------------------


@login_required
def property_types(request: HttpRequest) -> HttpResponse:
    """Every property type, custom ones first, with the entity types it applies to."""
    rows = [
        {
            "property_type": property_type,
            "types": selectors.type_names(list(property_type.subject_types.all())),
        }
        for property_type in selectors.property_types()
    ]
    return render(request, "config/property_types.html", {"rows": rows})


def _custom_property_type_or_404(request: HttpRequest, type_id: str) -> PropertyType | None:
    property_type = get_object_or_404(PropertyType, pk=type_id)
    if property_type.is_custom:
        return property_type
    messages.error(
        request,
        _("“%(property)s” is a built-in property type: it can be disabled, not changed or deleted.")
        % {"property": property_type},
    )
    return None


@login_required
def property_type_form(request: HttpRequest, type_id: str | None = None) -> HttpResponse:
    """Create a custom property type, or change one's wording and allowed entity types."""
    property_type = None
    initial = {}
    if type_id is not None:
        property_type = _custom_property_type_or_404(request, type_id)
        if property_type is None:
            return redirect("config:property_types")
        initial = {
            "text": property_type.text,
            "subject_types": [ct.pk for ct in property_type.subject_types.all()],
        }
    form = PropertyTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if property_type is None:
                property_type = create_property_type(user=request.user, **form.cleaned_data)
                message = _("The property type “%(property)s” was created.")
            else:
                update_property_type(
                    user=request.user, property_type=property_type, **form.cleaned_data
                )
                message = _("The property type “%(property)s” was saved.")
        except ValidationError as error:
            _apply_errors(form, error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message % {"property": property_type})
            return redirect("config:property_types")
    return render(
        request,
        "config/property_type_form.html",
        {"form": form, "property_type": property_type},
    )


@login_required
@require_POST
def property_type_enable(request: HttpRequest, type_id: str) -> HttpResponse:
    property_type = get_object_or_404(PropertyType, pk=type_id)
    enabled = request.POST.get("enabled") == "1"
    try:
        set_property_type_enabled(user=request.user, property_type=property_type, enabled=enabled)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        if enabled:
            text = _("“%(property)s” is enabled.")
        else:
            text = _(
                "“%(property)s” is disabled: it can no longer be given to entities; those "
                "that have it keep it."
            )
        messages.success(request, text % {"property": property_type})
    return redirect("config:property_types")


@login_required
def property_type_delete(request: HttpRequest, type_id: str) -> HttpResponse:
    """Ask (saying how many entities carry it), then delete a custom property type."""
    property_type = _custom_property_type_or_404(request, type_id)
    if property_type is None:
        return redirect("config:property_types")
    if request.method == "POST":
        try:
            removed = delete_property_type(
                user=request.user,
                property_type=property_type,
                force=request.POST.get("force") == "1",
            )
        except TandemError as error:
            messages.error(request, str(error))
        else:
            text = ngettext(
                "The property type “%(property)s” was deleted and removed from %(count)s entity.",
                "The property type “%(property)s” was deleted and removed from %(count)s entities.",
                removed,
            )
            if not removed:
                text = _("The property type “%(property)s” was deleted.")
            messages.success(request, text % {"property": property_type, "count": removed})
        return redirect("config:property_types")
    return _dialog(
        request,
        "config/property_type_delete.html",
        {
            "property_type": property_type,
            "in_use": property_type_usage(property_type),
            "rules": RelationType.objects.filter(subject_properties=property_type).count()
            + RelationType.objects.filter(subject_forbidden_properties=property_type).count(),
            "action": reverse("config:property_type_delete", args=[property_type.pk]),
        },
        title=_("Delete a property type"),
        back=reverse("config:property_types"),
        back_title=_("Property types"),
    )


# Choice lists -------------------------------------------------------------------------------


def _choice_list_or_404(slug: str) -> choices.ChoiceList:
    try:
        return choices.CHOICE_LISTS[slug]
    except KeyError:
        raise Http404(_("No such choice list.")) from None


def _choice_or_404(slug: str, pk: int) -> tuple[choices.ChoiceList, ChoiceItem]:
    choice_list = _choice_list_or_404(slug)
    return choice_list, get_object_or_404(choice_list.model, pk=pk)


def _back_to_list(choice_list: choices.ChoiceList) -> HttpResponse:
    return redirect(reverse("config:choice_lists") + f"#list-{choice_list.slug}")


@login_required
def choice_lists(request: HttpRequest) -> HttpResponse:
    """One section per list, with add, rename, reorder and delete."""
    sections = [
        {"list": choice_list, "items": list(choices.choice_items(choice_list))}
        for choice_list in choices.CHOICE_LISTS.values()
    ]
    return render(request, "config/choice_lists.html", {"sections": sections})


@login_required
@require_POST
def choice_add(request: HttpRequest, slug: str) -> HttpResponse:
    choice_list = _choice_list_or_404(slug)
    form = ChoiceNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("name", [])))
        return _back_to_list(choice_list)
    try:
        item = choices.add_choice(
            user=request.user, model=choice_list.model, name=form.cleaned_data["name"]
        )
    except (ValidationError, TandemError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("“%(name)s” was added to the “%(list)s” list.")
            % {"name": item, "list": choice_list.verbose_name_plural.capitalize()},
        )
    return _back_to_list(choice_list)


@login_required
def choice_rename(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    choice_list, item = _choice_or_404(slug, pk)
    form = ChoiceNameForm(request.POST or None, initial={"name": str(item)})
    if request.method == "POST" and form.is_valid():
        old = str(item)
        try:
            choices.rename_choice(user=request.user, item=item, name=form.cleaned_data["name"])
        except ValidationError as error:
            _apply_errors(form, error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("“%(old)s” was renamed “%(new)s”.") % {"old": old, "new": item}
            )
            return _back_to_list(choice_list)
    return _dialog(
        request,
        "config/choice_rename.html",
        {
            "form": form,
            "item": item,
            "choice_list": choice_list,
            "action": reverse("config:choice_rename", args=[slug, item.pk]),
        },
        title=_("Rename a value"),
        back=reverse("config:choice_lists") + f"#list-{slug}",
        back_title=_("Choice lists"),
    )


@login_required
@require_POST
def choice_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    choice_list, item = _choice_or_404(slug, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        choices.move_choice(user=request.user, item=item, offset=offset)
    except TandemError as error:
        messages.error(request, str(error))
    return _back_to_list(choice_list)


@login_required
def choice_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask for a replacement value (or none), then delete and re-point the entities."""
    choice_list, item = _choice_or_404(slug, pk)
    form = ReplacementForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        replacement = form.cleaned_data["replacement"]
        try:
            count = choices.delete_choice(user=request.user, item=item, replacement=replacement)
        except ValidationError as error:
            _apply_errors(form, error)
        except TandemError as error:
            form.add_error(None, str(error))
        else:
            names = {"name": item, "count": count, "replacement": replacement}
            if not count:
                text = _("“%(name)s” was deleted.")
            elif replacement is None:
                text = ngettext(
                    "“%(name)s” was deleted; %(count)s entity no longer has a value.",
                    "“%(name)s” was deleted; %(count)s entities no longer have a value.",
                    count,
                )
            else:
                text = ngettext(
                    "“%(name)s” was deleted; %(count)s entity now has “%(replacement)s”.",
                    "“%(name)s” was deleted; %(count)s entities now have “%(replacement)s”.",
                    count,
                )
            messages.success(request, text % names)
            return _back_to_list(choice_list)
    return _dialog(
        request,
        "config/choice_delete.html",
        {
            "form": form,
            "item": item,
            "choice_list": choice_list,
            "in_use": choices.choice_usage(item),
            "action": reverse("config:choice_delete", args=[slug, item.pk]),
        },
        title=_("Delete a value"),
        back=reverse("config:choice_lists") + f"#list-{slug}",
        back_title=_("Choice lists"),
    )


# Managed organisations ----------------------------------------------------------------------


@login_required
def managed_organisations(request: HttpRequest) -> HttpResponse:
    """Our organisations, and a search to mark another one as ours."""
    query = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "config/managed_organisations.html",
        {
            "managed": managed_list(),
            "query": query,
            "candidates": selectors.organisations_to_manage(query),
        },
    )


@login_required
@require_POST
def set_organisation_managed(request: HttpRequest, uuid: Any) -> HttpResponse:
    organisation = get_object_or_404(Organisation, uuid=uuid)
    managed = request.POST.get("managed") == "1"
    try:
        set_managed(user=request.user, organisation=organisation, managed=managed)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        if managed:
            text = _("“%(entity)s” is now one of our organisations.")
        else:
            text = _("“%(entity)s” is no longer one of our organisations.")
        messages.success(request, text % {"entity": organisation.label})
    return redirect("config:managed_organisations")
