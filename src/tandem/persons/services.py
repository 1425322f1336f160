"""Persons-specific writes: managed organisations and the "Transform into…" shortcuts."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tandem.core.exceptions import ActionRefused
from tandem.core.models import Entity, HistoryEntry, Relation, User
from tandem.core.permissions import check_permission
from tandem.core.services import link
from tandem.core.services.history import record
from tandem.persons import constants
from tandem.persons.models import Organisation


def set_managed(*, user: User | None, organisation: Organisation, managed: bool) -> None:
    """Mark or unmark ``organisation`` as one of ours; there is always at least one."""
    check_permission(user, "configure")
    with transaction.atomic():
        given, organisation = (
            organisation,
            Organisation.objects.select_for_update().get(pk=organisation.pk),
        )
        if organisation.is_managed == managed:
            given.is_managed = managed
            return
        if managed and organisation.is_deleted:
            raise ActionRefused(
                _("“%(entity)s” is in the trash: restore it first.")
                % {"entity": organisation.label}
            )
        if not managed:
            organisation._check_not_last_managed(
                _(
                    "“%(entity)s” is the last organisation managed by us: mark another one "
                    "as managed first."
                )
            )
        Organisation.objects.filter(pk=organisation.pk).update(is_managed=managed)
        given.is_managed = managed
        record(
            organisation,
            HistoryEntry.Kind.EDITED,
            user,
            changes=[{"field": "is_managed", "old": not managed, "new": managed}],
        )


def managed_organisations() -> list[Organisation]:
    return list(Organisation.objects.filter(is_managed=True, is_deleted=False).order_by("name"))


#: "Transform into…" shortcuts: the relation type each one adds towards a managed organisation.
TRANSFORMATIONS = {
    "customer": (constants.REL_SUB_CUSTOMER_SUPPLIER, gettext_noop("Transform into a customer")),
    "prospect": (constants.REL_SUB_PROSPECT, gettext_noop("Transform into a prospect")),
    "suspect": (constants.REL_SUB_SUSPECT, gettext_noop("Transform into a suspect")),
    "inactive_customer": (
        constants.REL_SUB_INACTIVE,
        gettext_noop("Transform into an inactive customer"),
    ),
    "supplier": (constants.REL_OBJ_CUSTOMER_SUPPLIER, gettext_noop("Transform into a supplier")),
    "partner": (constants.REL_SUB_PARTNER, gettext_noop("Transform into a partner")),
}


def transform(
    *, user: User | None, entity: Entity, into: str, managed: Organisation | None = None
) -> Relation:
    """Link ``entity`` to a managed organisation as its customer, prospect, supplier…

    With several managed organisations the caller must say which one.
    """
    relation_type_id, _label = TRANSFORMATIONS[into]
    if managed is None:
        candidates = managed_organisations()
        if len(candidates) != 1:
            raise ActionRefused(_("Choose which of our organisations this is about."))
        managed = candidates[0]
    elif not Organisation.objects.filter(pk=managed.pk, is_managed=True, is_deleted=False).exists():
        raise ActionRefused(
            _("“%(entity)s” is not one of our organisations.") % {"entity": managed.label}
        )
    return link(user=user, subject=entity, relation_type=relation_type_id, object=managed)
