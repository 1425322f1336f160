"""Forms of the web interface: they parse what people type; the services validate and save."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.models import Entity
from tandem.core.registry import EntityTypeInfo

#: Fields a form shows in its own way rather than through the model field's form field.
PHONES, EXTRA_EMAILS = "phones", "extra_emails"
EMPTY_PHONE_ROWS = 2
ADDRESS_FIELDS = ("street", "po_box", "postal_code", "city", "region", "country")


def _address_field_names(model: type[Entity]) -> tuple[str, ...]:
    return tuple(getattr(model, "address_fields", ()))


def form_field_names(info: EntityTypeInfo) -> list[str]:
    """The model fields an entity form edits, in the order of the type's field groups."""
    addresses = _address_field_names(info.model)
    return [
        name
        for _title, names in info.field_groups
        for name in names
        if name not in addresses and name not in (PHONES, EXTRA_EMAILS)
    ]


class EntityForm(forms.Form):
    """Fields of one entity type, its phone numbers, other e-mails and addresses."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, info: EntityTypeInfo, instance: Entity | None = None, **kwargs):
        self.info = info
        self.instance = instance
        initial = kwargs.pop("initial", None) or (self.initial_from(instance) if instance else {})
        super().__init__(*args, initial=initial, **kwargs)
        model = info.model
        for name in form_field_names(info):
            model_field = model._meta.get_field(name)
            self.fields[name] = self._form_field(model_field)
        field_names = {name for _title, names in info.field_groups for name in names}
        self.has_phones = PHONES in field_names
        self.has_extra_emails = EXTRA_EMAILS in field_names
        if self.has_extra_emails:
            self.fields[EXTRA_EMAILS] = forms.CharField(
                label=model._meta.get_field(EXTRA_EMAILS).verbose_name,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=gettext_lazy("One address per line."),
            )
        if self.has_phones:
            self._add_phone_fields()
        self.address_names = [name for name in _address_field_names(model) if name in field_names]
        for address in self.address_names:
            address_model = model._meta.get_field(address).related_model
            for part in ADDRESS_FIELDS:
                model_field = address_model._meta.get_field(part)
                field = model_field.formfield()
                field.required = False
                if part == "street":
                    field.widget = forms.Textarea(attrs={"rows": 2})
                self.fields[f"{address}__{part}"] = field

    @staticmethod
    def _form_field(model_field: models.Field) -> forms.Field:
        if isinstance(model_field, models.DateField):
            return model_field.formfield(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )
        if isinstance(model_field, models.TextField):
            return model_field.formfield(widget=forms.Textarea(attrs={"rows": 4}))
        field = model_field.formfield()
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = "—"
        return field

    def _add_phone_fields(self) -> None:
        from tandem.persons.validators import PHONE_KINDS, PHONE_MAX_LENGTH

        phones = self.initial.get(PHONES) or []
        self.phone_rows = []
        for index in range(len(phones) + EMPTY_PHONE_ROWS):
            # The table's column titles are seen, not read out: each control names itself.
            kind_label = _("Kind of phone %(position)s") % {"position": index + 1}
            number_label = _("Phone number %(position)s") % {"position": index + 1}
            kind = forms.ChoiceField(
                label=kind_label,
                choices=[(key, capfirst(name)) for key, name in PHONE_KINDS.items()],
                required=False,
                widget=forms.Select(attrs={"aria-label": kind_label}),
            )
            number = forms.CharField(
                label=number_label,
                required=False,
                max_length=PHONE_MAX_LENGTH,
                widget=forms.TextInput(attrs={"aria-label": number_label, "type": "tel"}),
            )
            self.fields[f"phone_{index}_kind"] = kind
            self.fields[f"phone_{index}_number"] = number
            if index < len(phones):
                self.initial[f"phone_{index}_kind"] = phones[index]["kind"]
                self.initial[f"phone_{index}_number"] = phones[index]["number"]
            else:
                self.initial.setdefault(f"phone_{index}_kind", "mobile" if index else "work")
            self.phone_rows.append(index)
        primary = next((i for i, phone in enumerate(phones) if phone.get("primary")), 0)
        self.fields["phone_primary"] = forms.TypedChoiceField(
            label=_("Primary phone number"),
            choices=[(str(index), str(index + 1)) for index in self.phone_rows],
            coerce=int,
            required=False,
            widget=forms.RadioSelect,
        )
        self.initial["phone_primary"] = str(primary)

    def initial_from(self, entity: Entity) -> dict[str, Any]:
        """The form's initial values for ``entity`` (editing it, or cloning it)."""
        initial: dict[str, Any] = {"version": entity.version}
        info = self.info
        for name in form_field_names(info):
            value = getattr(entity, name)
            initial[name] = value.pk if isinstance(value, models.Model) else value
        field_names = {name for _title, names in info.field_groups for name in names}
        if EXTRA_EMAILS in field_names:
            initial[EXTRA_EMAILS] = "\n".join(entity.extra_emails)
        if PHONES in field_names:
            initial[PHONES] = list(entity.phones)
        for address in _address_field_names(type(entity)):
            value = getattr(entity, address)
            for part in ADDRESS_FIELDS:
                initial[f"{address}__{part}"] = getattr(value, part) if value else ""
        return initial

    def service_data(self) -> dict[str, Any]:
        """What to hand to ``create_entity`` / ``update_entity``, from cleaned data."""
        data = {name: self.cleaned_data[name] for name in form_field_names(self.info)}
        if self.has_extra_emails:
            data[EXTRA_EMAILS] = [
                line.strip()
                for line in self.cleaned_data[EXTRA_EMAILS].splitlines()
                if line.strip()
            ]
        if self.has_phones:
            primary = self.cleaned_data.get("phone_primary")
            phones = []
            for index in self.phone_rows:
                number = (self.cleaned_data.get(f"phone_{index}_number") or "").strip()
                if number:
                    phones.append(
                        {
                            "kind": self.cleaned_data.get(f"phone_{index}_kind") or "other",
                            "number": number,
                            "primary": index == primary,
                        }
                    )
            data[PHONES] = phones
        for address in self.address_names:
            values = {part: self.cleaned_data[f"{address}__{part}"] for part in ADDRESS_FIELDS}
            if any(values.values()) or (self.instance and getattr(self.instance, address)):
                data[address] = values
        return data

    def add_model_errors(self) -> None:
        """On an invalid form, also run the model's own rules on the valid fields, so that
        every error shows at once (not "give a name" only after the e-mail is fixed)."""
        if not self.errors:
            return
        failed = set(self.errors)
        data = {
            name: self.cleaned_data[name]
            for name in form_field_names(self.info)
            if name in self.cleaned_data
        }
        probe = copy.copy(self.instance) if self.instance is not None else self.info.model()
        try:
            probe.assign(data)
            probe.refresh_denormalised_fields()
            probe.full_clean(exclude=[*failed, *Entity.bookkeeping_fields], validate_unique=False)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return
            for name, messages in error.message_dict.items():
                if name in self.fields and name not in failed:
                    self.add_error(name, messages)
        except (TypeError, ValueError):
            return

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's validation errors next to the fields they name."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            if name in self.fields:
                self.add_error(name, messages)
            elif name in self.address_names:
                self.add_error(f"{name}__street", messages)
            elif name == PHONES and self.has_phones:
                self.add_error("phone_0_number", messages)
            else:
                label = self._label_of(name)
                self.add_error(None, [f"{label}: {message}" for message in messages])

    def _label_of(self, name: str) -> str:
        try:
            return capfirst(self.info.model._meta.get_field(name).verbose_name)
        except Exception:
            return name

    def groups(self) -> list[dict[str, Any]]:
        """The form's fields in the type's groups, for the template."""
        groups = []
        for title, names in self.info.field_groups:
            group: dict[str, Any] = {"title": title, "fields": [], "addresses": [], "phones": False}
            for name in names:
                if name in self.address_names:
                    group["addresses"].append(
                        {
                            "title": self.info.model._meta.get_field(name).verbose_name,
                            "fields": [self[f"{name}__{part}"] for part in ADDRESS_FIELDS],
                        }
                    )
                elif name == PHONES:
                    group["phones"] = True
                elif name in self.fields:
                    group["fields"].append(self[name])
            groups.append(group)
        return groups

    def phone_table(self) -> list[dict[str, Any]]:
        return [
            {
                "index": index,
                "kind": self[f"phone_{index}_kind"],
                "number": self[f"phone_{index}_number"],
                "primary_value": str(index),
            }
            for index in self.phone_rows
        ]


class QuickCreateForm(forms.Form):
    """The few fields needed to create a target from the relation picker."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)


def bulk_fields(info: EntityTypeInfo) -> list[tuple[str, str]]:
    """(name, label) of the fields the bulk bar can set on many entities at once."""
    model = info.model
    return [
        (name, capfirst(model._meta.get_field(name).verbose_name))
        for name in form_field_names(info)
        if name != "description"
    ]


class BulkFieldForm(forms.Form):
    """One field and the value to give it on every chosen entity (empty clears it)."""

    def __init__(
        self, *args: Any, info: EntityTypeInfo, initial_field: str | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.info = info
        choices = bulk_fields(info)
        self.fields["field"] = forms.ChoiceField(
            label=gettext_lazy("Field"),
            choices=choices,
            required=True,
            error_messages={"required": gettext_lazy("Choose the field to change.")},
        )
        name = (self.data.get("field") if self.is_bound else None) or initial_field
        # No field until one is chosen: a default one would rename every row at a click.
        self.field_name = name if name in dict(choices) else None
        name = self.field_name
        if name:
            value = EntityForm._form_field(info.model._meta.get_field(name))
            value.required = False
            value.label = gettext_lazy("New value")
            self.fields["value"] = value
            self.initial.setdefault("field", name)

    def service_data(self) -> dict[str, Any]:
        value = self.cleaned_data.get("value")
        model_field = self.info.model._meta.get_field(self.field_name)
        if value is None and not model_field.null:
            value = ""  # text columns store "", not NULL
        return {self.field_name: value}
