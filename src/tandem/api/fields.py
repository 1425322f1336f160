"""How each model field of an entity type appears in the API: its JSON type on the way out,
its input type on the way in, and whether it can be filtered and sorted on.

Built from the model and the registry, so a newly registered entity type gets its API
without code of its own.
"""

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from tandem.api.validation import Text
from tandem.core.models import Entity
from tandem.core.search import fold
from tandem.persons.choices import choice_names
from tandem.persons.models import Address, ChoiceItem
from tandem.persons.validators import PHONE_KINDS, PHONE_MAX_LENGTH

MAX_LIST_ITEMS = 50


class AddressOut(Schema):
    street: str
    po_box: str
    postal_code: str
    city: str
    region: str
    country: str


class AddressIn(Schema):
    """Only the parts sent are changed."""

    model_config = ConfigDict(extra="forbid")

    street: Annotated[Text, Field(max_length=2000)] | None = None
    po_box: Annotated[Text, Field(max_length=50)] | None = None
    postal_code: Annotated[Text, Field(max_length=20)] | None = None
    city: Annotated[Text, Field(max_length=100)] | None = None
    region: Annotated[Text, Field(max_length=100)] | None = None
    country: Annotated[Text, Field(max_length=100)] | None = None


PhoneKind = Literal[tuple(PHONE_KINDS)]  # type: ignore[valid-type]


class PhoneOut(Schema):
    kind: str
    number: str
    primary: bool


class PhoneIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: PhoneKind = "other"
    number: Annotated[Text, Field(min_length=1, max_length=PHONE_MAX_LENGTH)]
    primary: StrictBool = False


@dataclass(frozen=True)
class ApiField:
    """One field of an entity type in the API."""

    name: str
    kind: str  # text, integer, decimal, date, datetime, boolean, choice, address, phones,
    # emails, json, user
    model_field: models.Field | None
    writable: bool
    required: bool = False

    @property
    def nullable(self) -> bool:
        return self.model_field is not None and self.model_field.null

    # -- schema types -------------------------------------------------------------------

    def output_type(self) -> Any:
        base = {
            "text": str,
            "integer": int,
            "decimal": decimal.Decimal,
            "date": datetime.date,
            "datetime": datetime.datetime,
            "boolean": bool,
            "choice": str,
            "address": AddressOut,
            "phones": list[PhoneOut],
            "emails": list[str],
            "json": Any,
            "user": str,
        }[self.kind]
        if self.kind in {"choice", "address", "user"} or self.nullable:
            return Optional[base]  # noqa: UP045 (base may be Any)
        return base

    def input_type(self) -> Any:
        field = self.model_field
        constraints: dict[str, Any] = {}
        if self.kind == "text":
            base = Text
            if getattr(field, "max_length", None):
                constraints["max_length"] = field.max_length
        elif self.kind == "integer":
            base = StrictInt
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            constraints.update(ge=low, le=high)
        elif self.kind == "decimal":
            base = decimal.Decimal
            constraints.update(
                allow_inf_nan=False,
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
            )
        elif self.kind == "choice":
            base = Text
            constraints["max_length"] = 100
        elif self.kind == "address":
            base = AddressIn
        elif self.kind == "phones":
            base = Annotated[list[PhoneIn], Field(max_length=MAX_LIST_ITEMS)]
        elif self.kind == "emails":
            base = Annotated[list[Annotated[Text, Field(max_length=254)]], Field(max_length=50)]
        elif self.kind == "user":
            base = Text
            constraints["max_length"] = 150
        else:
            base = {"date": datetime.date, "boolean": StrictBool, "json": Any}[self.kind]
        constrained = Annotated[base, Field(**constraints)] if constraints else base
        return Optional[constrained]  # noqa: UP045 (may be Any)

    # -- values -------------------------------------------------------------------------

    def read(self, entity: Entity) -> Any:
        """The JSON value of this field on ``entity`` (related rows already selected)."""
        value = getattr(entity, self.name)
        if self.kind == "choice":
            return str(value) if value is not None else None
        if self.kind == "user":
            return value.get_username() if value is not None else None
        if self.kind == "address":
            if value is None:
                return None
            return {name: getattr(value, name) for name in Address.editable_fields}
        return value

    def convert(self, value: Any) -> Any:
        """A validated input value as the services expect it (``None`` clears the field)."""
        if self.kind == "choice":
            return find_choice(self, value)
        if self.kind == "user":
            return find_user(self.name, value)
        if self.kind == "address":
            if value is None:
                return None
            return {key: part for key, part in value.model_dump(exclude_unset=True).items()}
        if self.kind == "phones":
            return [phone.model_dump() for phone in value or []]
        if self.kind == "emails":
            return list(value or [])
        if value is None and self.kind == "text":
            return ""
        if value is None and self.kind == "boolean":
            return False
        return value


def find_choice(api_field: ApiField, value: str | None) -> ChoiceItem | None:
    """The choice list item whose label (stored or translated) is ``value``, ignoring case and
    accents."""
    if value is None or not value.strip():
        return None
    model = api_field.model_field.related_model
    wanted = fold(value)
    for item in model._default_manager.all():
        if wanted in choice_names(item):
            return item
    raise ValidationError(
        {
            api_field.name: _("“%(value)s” is not in the list “%(list)s” (%(values)s).")
            % {
                "value": value,
                "list": model._meta.verbose_name,
                "values": ", ".join(str(item) for item in model._default_manager.all()[:30]),
            }
        }
    )


def find_user(field_name: str, username: str | None):
    if username is None or not username.strip():
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError(
            {field_name: _("No active user is called “%(user)s”.") % {"user": username}}
        )
    return user


def _kind_of(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        related = field.related_model
        if related is Address:
            return "address"
        if issubclass(related, ChoiceItem):
            return "choice"
        if related is get_user_model() or related == settings.AUTH_USER_MODEL:
            return "user"
        return "json"
    if isinstance(field, models.JSONField):
        validators = {getattr(validator, "__name__", "") for validator in field.validators}
        if "validate_phones" in validators:
            return "phones"
        if "validate_extra_emails" in validators:
            return "emails"
        return "json"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.IntegerField):
        return "integer"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    return "text"


#: Entity columns that every type shows, read-only, in this order.
COMMON_READ_ONLY = ("uuid", "label", "version", "created", "modified", "is_deleted")


def api_fields(model: type[Entity]) -> list[ApiField]:
    """The fields of ``model`` in the API: the type's own, then ``owner`` and
    ``description``."""
    result = []
    for field in model._meta.concrete_fields:
        if field.model is Entity or field.name == "entity_ptr":
            continue
        kind = _kind_of(field)
        writable = field.editable and kind not in {"user", "json"}
        required = writable and not field.blank and not field.has_default()
        result.append(ApiField(field.name, kind, field, writable, required))
    result.append(ApiField("owner", "user", Entity._meta.get_field("owner"), writable=True))
    result.append(
        ApiField("description", "text", Entity._meta.get_field("description"), writable=True)
    )
    return result


def common_output_fields() -> dict[str, Any]:
    return {
        "uuid": (uuid.UUID, ...),
        "type": (str, ...),
        "label": (str, ...),
        "version": (int, ...),
        "created": (datetime.datetime, ...),
        "modified": (datetime.datetime, ...),
        "is_deleted": (bool, ...),
    }
