"""The relation dialog and its picker, relation removal, "Transform into…" and properties."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tandem.core.exceptions import TandemError
from tandem.core.models import Entity, Property, PropertyType, Relation, RelationType
from tandem.core.registry import entity_types
from tandem.core.search import fold
from tandem.core.selectors import (
    picker_candidates,
    relation_types_allowed,
    relation_types_for,
)
from tandem.core.services import add_property, link_many, remove_property, unlink
from tandem.persons.models import Organisation
from tandem.persons.services import TRANSFORMATIONS, managed_organisations
from tandem.persons.services import transform as transform_entity


def _entity_by_uuid(type_slug: str, uuid: Any) -> Entity:
    from tandem.web.views.entities import get_entity, type_info

    return get_entity(type_info(type_slug), uuid)


def relation_type_choice_label(relation_type: RelationType) -> str:
    """A type's predicate, marked when users made it: two types may share their wording."""
    if relation_type.is_custom:
        return _("%(predicate)s (custom)") % {"predicate": relation_type}
    return str(relation_type)


class RelationForm(forms.Form):
    """The relation dialog: a type, one or several targets, an optional note and period."""

    relation_type = forms.ChoiceField(label=gettext_lazy("Relation type"))
    objects = forms.MultipleChoiceField(
        label=gettext_lazy("Linked entities"),
        required=True,
        error_messages={"required": gettext_lazy("Choose at least one entity to link to.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start_date = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, relation_types: list[RelationType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.relation_types = {relation_type.pk: relation_type for relation_type in relation_types}
        self.fields["relation_type"].choices = [("", "—")] + [
            (relation_type.pk, relation_type_choice_label(relation_type))
            for relation_type in relation_types
        ]
        # Targets come from the picker; they are checked as entities in clean_objects.
        self.fields["objects"].choices = (
            [(value, value) for value in self.data.getlist("objects")] if self.data else []
        )

    def clean_objects(self) -> list[Entity]:
        uuids = self.cleaned_data["objects"]
        entities = list(Entity.objects.filter(uuid__in=uuids))
        if len(entities) != len(set(uuids)):
            raise ValidationError(_("One of the chosen entities no longer exists."))
        return entities

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", _("The period ends before it starts."))
        return cleaned


def _dialog(
    request: HttpRequest,
    entity: Entity,
    form: RelationForm,
    *,
    status: int = 200,
    chosen: list[Entity] = (),
) -> HttpResponse:
    info = entity_types.for_content_type_id(entity.entity_type_id)
    selected_type = form.relation_types.get(
        form.data.get("relation_type") or form.initial.get("relation_type")
    )
    template = "tandem/partials/relation_dialog.html"
    if not request.headers.get("HX-Request"):
        template = "tandem/relation_page.html"
    return render(
        request,
        template,
        {
            "entity": entity,
            "info": info,
            "form": form,
            "selected_type": selected_type,
            "chosen": chosen,
            "candidates": picker_candidates(entity, selected_type, "") if selected_type else [],
            "quick_types": _quick_create_types(selected_type),
        },
        status=status,
    )


def _quick_create_types(relation_type: RelationType | None) -> list[Any]:
    """Entity types the quick-create may make as target of ``relation_type``."""
    if relation_type is None:
        return []
    allowed = set(relation_type.reverse.subject_types.values_list("pk", flat=True))
    if relation_type.reverse.subject_properties.exists():
        return []
    return [info for info in entity_types if not allowed or info.content_type.pk in allowed]


@login_required
def relation_add(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    """GET: the dialog. POST: link to every chosen target, or show why not (nothing saved)."""
    entity = _entity_by_uuid(type_slug, uuid)
    relation_types = relation_types_allowed(entity)
    if request.method != "POST":
        form = RelationForm(
            relation_types=relation_types,
            initial={"relation_type": request.GET.get("relation_type")},
        )
        return _dialog(request, entity, form)
    form = RelationForm(request.POST, relation_types=relation_types)
    chosen = list(
        Entity.objects.filter(uuid__in=request.POST.getlist("objects")).order_by("sort_label")
    )
    if not form.is_valid():
        return _dialog(request, entity, form, status=400, chosen=chosen)
    relation_type = form.relation_types[form.cleaned_data["relation_type"]]
    try:
        relations = link_many(
            request.user,
            entity,
            relation_type,
            form.cleaned_data["objects"],
            note=form.cleaned_data["note"],
            start=form.cleaned_data["start_date"],
            end=form.cleaned_data["end_date"],
        )
    except (TandemError, ValidationError) as error:
        form.add_error(
            None, " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        )
        return _dialog(request, entity, form, status=400, chosen=chosen)
    messages.success(
        request,
        ngettext("%(count)s relation was added.", "%(count)s relations were added.", len(relations))
        % {"count": len(relations)},
    )
    target = reverse("entity_detail", args=[type_slug, entity.uuid])
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
def relation_picker(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    """Search-as-you-type results for the dialog: only entities the chosen type accepts."""
    entity = _entity_by_uuid(type_slug, uuid)
    allowed = {relation_type.pk: relation_type for relation_type in relation_types_allowed(entity)}
    relation_type = allowed.get(request.GET.get("relation_type", ""))
    text = request.GET.get("q", "")[:200]
    return render(
        request,
        "tandem/partials/picker_results.html",
        {
            "entity": entity,
            "selected_type": relation_type,
            "candidates": picker_candidates(entity, relation_type, text) if relation_type else [],
            "text": text,
            "quick_types": _quick_create_types(relation_type),
            "info": entity_types.for_content_type_id(entity.entity_type_id),
        },
    )


@login_required
@require_POST
def relation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a relation and its reverse; back to the page it was removed from."""
    relation = get_object_or_404(
        Relation.objects.select_related("subject", "object", "type"), pk=pk
    )
    subject = relation.subject
    try:
        unlink(user=request.user, relation=relation)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The relation “%(subject)s %(predicate)s %(object)s” and its reverse were removed.")
            % {
                "subject": subject.label,
                "predicate": relation.type,
                "object": relation.object.label,
            },
        )
    info = entity_types.for_content_type_id(subject.entity_type_id)
    return redirect("entity_detail", info.slug, subject.uuid)


def transform_buttons(entity: Entity) -> list[dict[str, Any]]:
    """ "Transform into…" buttons still useful for ``entity``: one per transformation, with the
    managed organisations it is not yet linked to that way (none left: no button)."""
    managed = [
        organisation for organisation in managed_organisations() if organisation.pk != entity.pk
    ]
    if not managed:
        return []
    linked = set(
        Relation.objects.filter(
            subject_id=entity.pk,
            object_id__in=[organisation.pk for organisation in managed],
            type_id__in=[type_id for type_id, _label in TRANSFORMATIONS.values()],
        ).values_list("type_id", "object_id")
    )
    allowed = {relation_type.pk for relation_type in relation_types_for(entity)}
    buttons = []
    for key, (relation_type_id, label) in TRANSFORMATIONS.items():
        if relation_type_id not in allowed:
            continue
        targets = [
            organisation
            for organisation in managed
            if (relation_type_id, organisation.pk) not in linked
        ]
        if targets:
            buttons.append(
                {"key": key, "label": _(label), "targets": targets, "several": len(managed) > 1}
            )
    return buttons


@login_required
@require_POST
def transform(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    entity = _entity_by_uuid(type_slug, uuid)
    into = request.POST.get("into", "")
    managed = None
    if request.POST.get("managed"):
        managed = Organisation.objects.filter(uuid=request.POST["managed"]).first()
    if into not in TRANSFORMATIONS:
        messages.error(request, _("Unknown transformation."))
    else:
        try:
            relation = transform_entity(
                user=request.user, entity=entity, into=into, managed=managed
            )
        except TandemError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("“%(subject)s” %(predicate)s “%(object)s”: done.")
                % {
                    "subject": entity.label,
                    "predicate": relation.type,
                    "object": relation.object.label,
                },
            )
    return redirect("entity_detail", type_slug, entity.uuid)


def available_property_types(entity: Entity, properties: list[Property]) -> list[PropertyType]:
    """Enabled property types allowed for ``entity``'s type that it does not carry yet."""
    owned = {prop.type_id for prop in properties}
    restrictions = PropertyType.subject_types.through.objects.filter(propertytype_id=OuterRef("pk"))
    types = PropertyType.objects.filter(enabled=True).filter(
        ~Exists(restrictions) | Exists(restrictions.filter(contenttype_id=entity.entity_type_id))
    )
    return sorted((t for t in types if t.pk not in owned), key=lambda t: fold(str(t)))


@login_required
@require_POST
def property_add(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    entity = _entity_by_uuid(type_slug, uuid)
    property_type = PropertyType.objects.filter(pk=request.POST.get("property_type", "")).first()
    if property_type is None:
        messages.error(request, _("Choose a property to add."))
    else:
        try:
            add_property(user=request.user, entity=entity, property_type=property_type)
        except (TandemError, ValidationError) as error:
            messages.error(
                request,
                " ".join(error.messages) if isinstance(error, ValidationError) else str(error),
            )
    return redirect("entity_detail", type_slug, entity.uuid)


@login_required
@require_POST
def property_remove(request: HttpRequest, type_slug: str, uuid: Any) -> HttpResponse:
    entity = _entity_by_uuid(type_slug, uuid)
    property_type = get_object_or_404(PropertyType, pk=request.POST.get("property_type", ""))
    try:
        remove_property(user=request.user, entity=entity, property_type=property_type)
    except TandemError as error:
        messages.error(request, str(error))
    return redirect("entity_detail", type_slug, entity.uuid)
