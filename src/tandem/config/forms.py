"""Forms of the configuration screens: they parse and check input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from tandem.core.models import PropertyType, RelationType
from tandem.core.registry import entity_types


def entity_type_choices() -> list[tuple[int, str]]:
    """Registered entity types, by their plural name ("Organisations")."""
    return [(info.content_type.pk, info.verbose_name_plural.capitalize()) for info in entity_types]


class EntityTypesField(forms.TypedMultipleChoiceField):
    """Checkboxes of entity types; cleans to ContentType objects. None checked = any type."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=entity_type_choices, coerce=int, required=False, **kwargs)

    def clean(self, value: Any) -> list[ContentType]:
        return [ContentType.objects.get_for_id(pk) for pk in super().clean(value)]


class PropertyTypesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=PropertyType.objects.filter(enabled=True).order_by("text"),
            required=False,
            **kwargs,
        )


def _predicate_field(label: str, placeholder: str, help_text: str) -> forms.CharField:
    # Not required here: the service says what an empty verb should look like.
    return forms.CharField(
        label=label,
        required=False,
        max_length=RelationType._meta.get_field("predicate").max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"placeholder": placeholder}),
    )


class RelationTypeForm(forms.Form):
    """The "New custom type" form: subject side, verb, object side, reverse verb."""

    subject_types = EntityTypesField(label=_("Subject types"))
    subject_properties = PropertyTypesField(label=_("Required properties of the subject"))
    subject_forbidden_properties = PropertyTypesField(
        label=_("Forbidden properties of the subject")
    )
    subject_predicate = _predicate_field(
        _("Verb"), _("is a prospect of"), _("What the subject is to the object.")
    )
    object_types = EntityTypesField(label=_("Object types"))
    object_properties = PropertyTypesField(label=_("Required properties of the object"))
    object_forbidden_properties = PropertyTypesField(label=_("Forbidden properties of the object"))
    object_predicate = _predicate_field(
        _("Reverse verb"), _("has as prospect"), _("What the object is to the subject.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for side in ("subject", "object"):
            both = set(data.get(f"{side}_properties") or ()) & set(
                data.get(f"{side}_forbidden_properties") or ()
            )
            if both:
                self.add_error(
                    f"{side}_forbidden_properties",
                    _("A property cannot be both required and forbidden: %(names)s.")
                    % {"names": ", ".join(sorted(str(prop) for prop in both))},
                )
        return data


class PropertyTypeForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=PropertyType._meta.get_field("text").max_length,
        help_text=_("Read after the entity's name: “ACME is a VIP”."),
        widget=forms.TextInput(attrs={"placeholder": _("is a VIP")}),
    )
    subject_types = EntityTypesField(
        label=_("Entity types that may carry it"), help_text=_("None checked: any entity.")
    )


class ChoiceNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)


class ReplacementForm(forms.Form):
    """The value that takes a deleted value's place on entities; empty means none."""

    replacement = forms.ModelChoiceField(
        label=_("Replace it with"),
        queryset=None,
        required=False,
        empty_label=_("— No value —"),
    )

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = (
            type(item).objects.exclude(pk=item.pk).order_by("order", "name", "pk")
        )
