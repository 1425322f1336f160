"""The user-extensible choice lists (civility, legal form, sector, staff size, position).

Adding, renaming, reordering and deleting values. Deleting a value that entities use re-points
them to a replacement value (or to none) in the same transaction, with a history line on each,
so no record silently loses what it said.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.models import Entity, HistoryEntry, User
from tandem.core.permissions import check_permission
from tandem.core.search import fold
from tandem.persons.models import (
    ChoiceItem,
    Civility,
    Contact,
    LegalForm,
    Organisation,
    Position,
    Sector,
    StaffSize,
)


@dataclass(frozen=True)
class ChoiceList:
    """One list: its URL slug, its model, what it is for, and the entity fields using it."""

    slug: str
    model: type[ChoiceItem]
    help: str
    fields: tuple[tuple[type[Entity], str], ...]

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)


CHOICE_LISTS: dict[str, ChoiceList] = {
    choice_list.slug: choice_list
    for choice_list in (
        ChoiceList(
            "civility",
            Civility,
            gettext_lazy("How contacts are addressed (Mrs., Mr., Dr.…)."),
            ((Contact, "civility"),),
        ),
        ChoiceList(
            "position",
            Position,
            gettext_lazy("The job titles offered for contacts."),
            ((Contact, "position"),),
        ),
        ChoiceList(
            "sector",
            Sector,
            gettext_lazy("Business sectors of organisations and contacts."),
            ((Organisation, "sector"), (Contact, "sector")),
        ),
        ChoiceList(
            "legal-form",
            LegalForm,
            gettext_lazy("Legal forms of organisations (limited company, association…)."),
            ((Organisation, "legal_form"),),
        ),
        ChoiceList(
            "staff-size",
            StaffSize,
            gettext_lazy("Head-count brackets of organisations."),
            ((Organisation, "staff_size"),),
        ),
    )
}


def choice_list_of(item: ChoiceItem) -> ChoiceList:
    for choice_list in CHOICE_LISTS.values():
        if isinstance(item, choice_list.model):
            return choice_list
    raise LookupError(f"{type(item).__name__} is not a choice list")


def choice_names(item: ChoiceItem) -> set[str]:
    """An item's folded names: as stored, and a built-in one in every language, so that
    "Industrie" finds the built-in "Industry" on any install."""
    names = {fold(item.name)}
    if item.is_builtin:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(fold(str(item)))
    return names


def _check_name(model: type[ChoiceItem], name: str, *, exclude: ChoiceItem | None = None) -> str:
    """A stripped, non-empty name that no other value of the list has (ignoring case and
    accents, in the stored and the displayed wording), so a select never shows it twice."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Write the value's name.")})
    max_length = model._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ValidationError({"name": _("At most %(max)s characters.") % {"max": max_length}})
    folded = fold(name)
    for other in model.objects.all():
        if exclude is not None and other.pk == exclude.pk:
            continue
        if folded in {fold(other.name), fold(str(other))}:
            raise ValidationError(
                {"name": _("“%(name)s” is already in this list.") % {"name": str(other)}}
            )
    return name


def add_choice(*, user: User | None, model: type[ChoiceItem], name: str) -> ChoiceItem:
    """Add a value at the end of ``model``'s list."""
    check_permission(user, "configure")
    with transaction.atomic():
        name = _check_name(model, name)
        last = model.objects.aggregate(last=Max("order"))["last"] or 0
        return model.objects.create(name=name, order=last + 1, is_builtin=False)


def rename_choice(*, user: User | None, item: ChoiceItem, name: str) -> None:
    """Rename a value; a renamed built-in value is the user's word from then on (not
    translated any more). Entities using it show the new name at once."""
    check_permission(user, "configure")
    model = type(item)
    with transaction.atomic():
        name = _check_name(model, name, exclude=item)
        model.objects.filter(pk=item.pk).update(name=name, is_builtin=False)
    item.name, item.is_builtin = name, False


def move_choice(*, user: User | None, item: ChoiceItem, offset: int) -> None:
    """Move a value ``offset`` places up (negative) or down (positive) in its list.

    The list is renumbered 1..n first, so values with equal orders (populate, imports)
    move predictably.
    """
    check_permission(user, "configure")
    model = type(item)
    with transaction.atomic():
        items = list(model.objects.select_for_update().order_by("order", "name", "pk"))
        index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
        if index is None:
            return
        target = max(0, min(len(items) - 1, index + offset))
        items.insert(target, items.pop(index))
        changed = []
        for order, other in enumerate(items, start=1):
            if other.order != order:
                other.order = order
                changed.append(other)
        model.objects.bulk_update(changed, ["order"])


def choice_usage(item: ChoiceItem) -> int:
    """How many entities (trashed ones included) use ``item``; for the delete confirmation."""
    return sum(
        model._default_manager.filter(**{field: item}).count()
        for model, field in choice_list_of(item).fields
    )


def delete_choice(
    *, user: User | None, item: ChoiceItem, replacement: ChoiceItem | None = None
) -> int:
    """Delete a value; every entity using it gets ``replacement`` (None: no value) instead.

    Returns how many entities were re-pointed. Each one's version goes up (an edit form
    opened before sees the change) and its history tells old → new.
    """
    check_permission(user, "configure")
    model = type(item)
    if replacement is not None:
        if type(replacement) is not model:
            raise ValidationError(
                {"replacement": _("The replacement must be a value of the same list.")}
            )
        if replacement.pk == item.pk:
            raise ValidationError(
                {"replacement": _("The replacement must be another value than the deleted one.")}
            )
    choice_list = choice_list_of(item)
    old, new = str(item), (str(replacement) if replacement is not None else None)
    now = timezone.now()
    repointed = 0
    with transaction.atomic():
        if replacement is not None and not model.objects.filter(pk=replacement.pk).exists():
            raise ValidationError({"replacement": _("The replacement value no longer exists.")})
        for entity_model, field in choice_list.fields:
            users = entity_model._default_manager.filter(**{field: item})
            rows = list(users.values_list("pk", "label", "entity_type_id"))
            if not rows:
                continue
            users.update(**{field: replacement})
            Entity.objects.filter(pk__in=[pk for pk, _label, _type in rows]).update(
                version=F("version") + 1, modified=now, modified_by=user
            )
            HistoryEntry.objects.bulk_create(
                HistoryEntry(
                    entity_id=pk,
                    entity_label=label,
                    entity_type_id=entity_type_id,
                    kind=HistoryEntry.Kind.EDITED,
                    date=now,
                    user=user,
                    data={"changes": [{"field": field, "old": old, "new": new}]},
                )
                for pk, label, entity_type_id in rows
            )
            repointed += len(rows)
        model.objects.filter(pk=item.pk).delete()
    return repointed


def choice_items(choice_list: ChoiceList) -> models.QuerySet[ChoiceItem]:
    return choice_list.model.objects.order_by("order", "name", "pk")
