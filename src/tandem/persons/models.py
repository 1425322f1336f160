"""Organisations and contacts, their addresses and the choice lists users extend."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.core.exceptions import ActionRefused
from tandem.core.models import Entity, composed
from tandem.core.values import display_value
from tandem.persons.validators import (
    normalise_phones,
    validate_extra_emails,
    validate_phones,
    validate_siren,
    validate_siret,
    validate_website,
)


class ChoiceItem(models.Model):
    """A value of a user-extensible choice list. Built-in values are stored in English and
    translated on display until a user renames them."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return gettext(self.name) if self.is_builtin else self.name


class Civility(ChoiceItem):
    shortcut = models.CharField(_("shortcut"), max_length=20, blank=True)

    class Meta(ChoiceItem.Meta):
        verbose_name = _("civility")
        verbose_name_plural = _("civilities")


class LegalForm(ChoiceItem):
    class Meta(ChoiceItem.Meta):
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")


class Sector(ChoiceItem):
    class Meta(ChoiceItem.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class StaffSize(ChoiceItem):
    class Meta(ChoiceItem.Meta):
        verbose_name = _("staff size")
        verbose_name_plural = _("staff sizes")


class Position(ChoiceItem):
    class Meta(ChoiceItem.Meta):
        verbose_name = _("position")
        verbose_name_plural = _("positions")


class Address(models.Model):
    """A postal address; the postal code is text because leading zeros matter."""

    street = models.TextField(_("street"), blank=True)
    po_box = models.CharField(_("PO box"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)

    editable_fields = ("street", "po_box", "postal_code", "city", "region", "country")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        parts = [
            self.street,
            self.po_box,
            f"{self.postal_code} {self.city}".strip(),
            self.region,
            self.country,
        ]
        return ", ".join(part.replace("\n", ", ") for part in parts if part)


class PersonBase(Entity):
    """What organisations and contacts share: e-mails, phones, website, addresses."""

    address_fields = ("billing_address", "shipping_address")

    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    extra_emails = models.JSONField(
        _("other e-mail addresses"), default=list, blank=True, validators=[validate_extra_emails]
    )
    phones = models.JSONField(
        _("phone numbers"), default=list, blank=True, validators=[validate_phones]
    )
    website = models.CharField(
        _("website"), max_length=200, blank=True, validators=[validate_website]
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("sector"),
        related_name="+",
    )
    billing_address = models.ForeignKey(
        Address,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("billing address"),
    )
    shipping_address = models.ForeignKey(
        Address,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipping address"),
    )

    class Meta:
        abstract = True

    @property
    def primary_phone(self) -> str:
        for phone in self.phones:
            if phone.get("primary"):
                return phone["number"]
        return ""

    def values_of(self, names) -> dict[str, Any]:
        """Like Entity.values_of, with addresses as ``{"city": …}`` dictionaries."""
        plain = [name for name in names if name not in self.address_fields]
        values = super().values_of(plain)
        for name in names:
            if name in self.address_fields:
                address = getattr(self, name)
                values[name] = {
                    part: getattr(address, part) if address is not None else ""
                    for part in Address.editable_fields
                }
        return values

    def assign(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Like Entity.assign, with addresses given as ``{"city": …}`` dictionaries."""
        addresses = {
            name: value
            for name, value in data.items()
            if name in self.address_fields and isinstance(value, dict)
        }
        plain = {name: value for name, value in data.items() if name not in addresses}
        if isinstance(plain.get("phones"), list):
            plain["phones"] = normalise_phones(plain["phones"])
        changes = super().assign(plain)
        for name, values in addresses.items():
            address = getattr(self, name) or Address()
            unknown = set(values) - set(Address.editable_fields)
            if unknown:
                raise ValidationError(
                    {
                        name: gettext("Unknown address field(s): %(fields)s.")
                        % {"fields": ", ".join(sorted(unknown))}
                    }
                )
            for key, value in values.items():
                old = display_value(getattr(address, key))
                setattr(address, key, composed(value) if value is not None else "")
                new = display_value(getattr(address, key))
                if old != new:
                    changes.append({"field": f"{name}.{key}", "old": old, "new": new})
            setattr(self, name, address)
        return changes

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in self.address_fields:
            address = getattr(self, name)
            if address is None:
                continue
            try:
                address.full_clean()
            except ValidationError as error:
                errors[name] = [
                    f"{Address._meta.get_field(field).verbose_name}: {message}"
                    for field, messages in error.message_dict.items()
                    for message in messages
                ]
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        for name in self.address_fields:
            address = getattr(self, name)
            if address is not None:
                address.save()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        address_ids = [
            address_id
            for address_id in (getattr(self, f"{name}_id") for name in self.address_fields)
            if address_id
        ]
        result = super().delete(*args, **kwargs)
        Address.objects.filter(pk__in=address_ids).delete()
        return result


class Organisation(PersonBase):
    """A company or any other organisation; ``is_managed`` marks "our" companies."""

    search_fields = ("email", "extra_emails", "siren", "siret", "vat_number")

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.ForeignKey(
        LegalForm,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("legal form"),
        related_name="+",
    )
    staff_size = models.ForeignKey(
        StaffSize,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("staff size"),
        related_name="+",
    )
    employees = models.PositiveIntegerField(_("number of employees"), null=True, blank=True)
    capital = models.DecimalField(
        _("capital"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    creation_date = models.DateField(_("creation date"), null=True, blank=True)
    siren = models.CharField(_("SIREN"), max_length=20, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=20, blank=True, validators=[validate_siret])
    naf = models.CharField(_("NAF code"), max_length=10, blank=True)
    rcs = models.CharField(_("RCS"), max_length=50, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=30, blank=True)
    is_managed = models.BooleanField(_("managed by us"), default=False, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def compute_label(self) -> str:
        return self.name

    def _check_not_last_managed(self, message: str) -> None:
        if not self.is_managed:
            return
        # Lock every managed row, so two concurrent calls cannot each remove "another" one.
        managed = Organisation.objects.select_for_update().filter(is_managed=True, is_deleted=False)
        if not [pk for pk in managed.values_list("pk", flat=True) if pk != self.pk]:
            raise ActionRefused(message % {"entity": self.label})

    def absorb(self, other: Entity) -> list[dict[str, Any]]:
        """An organisation merged with one of ours is ours."""
        if other.is_managed and not self.is_managed:
            Organisation.objects.filter(pk=self.pk).update(is_managed=True)
            self.is_managed = True
            return [{"field": "is_managed", "old": False, "new": True}]
        return []

    def check_can_trash(self) -> None:
        self._check_not_last_managed(
            gettext(
                "“%(entity)s” is the last organisation managed by us: it cannot be "
                "moved to the trash. Mark another organisation as managed first."
            )
        )

    def check_can_delete(self) -> None:
        self._check_not_last_managed(
            gettext(
                "“%(entity)s” is the last organisation managed by us: it cannot be "
                "deleted. Mark another organisation as managed first."
            )
        )


class Contact(PersonBase):
    """A person. A birthday may be a full date, or a day and month without a year."""

    search_fields = ("email", "extra_emails", "nickname", "department")

    civility = models.ForeignKey(
        Civility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("civility"),
        related_name="+",
    )
    prefix = models.CharField(_("prefix"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    # Indexed: a list sorted by last name walks it (lists sort only on indexed columns).
    last_name = models.CharField(_("last name"), max_length=100, blank=True, db_index=True)
    suffix = models.CharField(_("suffix"), max_length=50, blank=True)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    position = models.ForeignKey(
        Position,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("position"),
        related_name="+",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    birth_day = models.PositiveSmallIntegerField(
        _("birthday: day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    birth_month = models.PositiveSmallIntegerField(
        _("birthday: month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birthday: year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(9999)],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("user account"),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def absorb(self, other: Entity) -> list[dict[str, Any]]:
        """The survivor keeps its own user account; it takes the other's if it has none."""
        if other.user_id and not self.user_id:
            user_id = other.user_id
            Contact.objects.filter(pk=other.pk).update(user=None)  # one contact per user
            Contact.objects.filter(pk=self.pk).update(user_id=user_id)
            self.user_id = user_id
            return [{"field": "user", "old": "", "new": str(self.user)}]
        return []

    def compute_label(self) -> str:
        parts = [self.prefix, self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(part for part in parts if part) or self.nickname or self.email

    @property
    def birthday(self) -> datetime.date | tuple[int, int] | None:
        """A date when the year is known, ``(month, day)`` when it is not, else None."""
        if self.birth_day is None or self.birth_month is None:
            return None
        if self.birth_year is None:
            return (self.birth_month, self.birth_day)
        return datetime.date(self.birth_year, self.birth_month, self.birth_day)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not (self.first_name or self.last_name or self.nickname):
            errors["last_name"] = gettext("Give at least a first name, a last name or a nickname.")
        try:
            self._clean_birthday()
        except ValidationError as error:
            errors.update({name: messages[0] for name, messages in error.message_dict.items()})
        if errors:
            raise ValidationError(errors)

    def _clean_birthday(self) -> None:
        parts = (self.birth_day, self.birth_month, self.birth_year)
        if all(part is None for part in parts):
            return
        if self.birth_day is None or self.birth_month is None:
            raise ValidationError(
                {"birth_day": gettext("A birthday needs at least a day and a month.")}
            )
        # Without a year, 29 February is a possible birthday: check against a leap year.
        year = self.birth_year if self.birth_year is not None else 2000
        try:
            datetime.date(year, self.birth_month, self.birth_day)
        except ValueError:
            raise ValidationError(
                {"birth_day": gettext("This day does not exist in that month.")}
            ) from None
