"""The persons' default data: relation and property types, choice lists, our organisation."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from tandem.core.filters import used_filter_ids
from tandem.core.models import EntityFilter, User
from tandem.core.populate import ensure_property_type, ensure_relation_type, first_time
from tandem.core.services import create_entity
from tandem.persons import constants as c
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

_ = gettext_noop

CHOICES: dict[type[ChoiceItem], list[str]] = {
    Civility: [_("Mrs."), _("Ms."), _("Mr."), _("Dr."), _("Prof."), _("Mx.")],
    LegalForm: [
        _("Sole proprietorship"),
        _("Limited liability company"),
        _("Public limited company"),
        _("Simplified joint-stock company"),
        _("Partnership"),
        _("Non-profit association"),
        _("Public body"),
        _("Cooperative"),
    ],
    Sector: [
        _("Agriculture"),
        _("Industry"),
        _("Construction"),
        _("Retail"),
        _("Transport"),
        _("Hospitality"),
        _("Information technology"),
        _("Finance and insurance"),
        _("Real estate"),
        _("Consulting"),
        _("Public administration"),
        _("Education"),
        _("Health"),
        _("Arts and entertainment"),
        _("Other services"),
    ],
    StaffSize: [
        "1-5",
        "6-10",
        "11-50",
        "51-100",
        "101-250",
        "251-500",
        "501-1000",
        "1001-5000",
        "> 5000",
    ],
    Position: [
        _("Chief executive officer"),
        _("Secretary"),
        _("Technician"),
        _("Engineer"),
        _("Salesperson"),
        _("Sales manager"),
        _("Accountant"),
        _("Project manager"),
        _("Director"),
    ],
}

CIVILITY_SHORTCUTS = {
    "Mrs.": "Mrs",
    "Ms.": "Ms",
    "Mr.": "Mr",
    "Dr.": "Dr",
    "Prof.": "Prof",
    "Mx.": "Mx",
}

PERSONS = (Contact, Organisation)


def _populate_relation_types() -> None:
    ensure_property_type(c.PROP_IS_VIP, _("is a VIP"))
    ensure_property_type(c.PROP_IS_SALESMAN, _("is a salesman"), subject_models=[Contact])
    pairs = [
        (
            (c.REL_SUB_EMPLOYED_BY, _("is an employee of")),
            (c.REL_OBJ_EMPLOYED_BY, _("employs")),
            [Contact],
            [Organisation],
        ),
        (
            (c.REL_SUB_CUSTOMER_SUPPLIER, _("is a customer of")),
            (c.REL_OBJ_CUSTOMER_SUPPLIER, _("is a supplier of")),
            PERSONS,
            PERSONS,
        ),
        (
            (c.REL_SUB_MANAGES, _("manages")),
            (c.REL_OBJ_MANAGES, _("is managed by")),
            [Contact],
            [Organisation],
        ),
        (
            (c.REL_SUB_PROSPECT, _("is a prospect of")),
            (c.REL_OBJ_PROSPECT, _("has as prospect")),
            PERSONS,
            PERSONS,
        ),
        (
            (c.REL_SUB_SUSPECT, _("is a suspect of")),
            (c.REL_OBJ_SUSPECT, _("has as suspect")),
            PERSONS,
            PERSONS,
        ),
        (
            (c.REL_SUB_PARTNER, _("is a partner of")),
            (c.REL_OBJ_PARTNER, _("has as partner")),
            PERSONS,
            PERSONS,
        ),
        (
            (c.REL_SUB_INACTIVE, _("is an inactive customer of")),
            (c.REL_OBJ_INACTIVE, _("has as inactive customer")),
            PERSONS,
            PERSONS,
        ),
        (
            (c.REL_SUB_SUBSIDIARY, _("has as subsidiary")),
            (c.REL_OBJ_SUBSIDIARY, _("is a subsidiary of")),
            [Organisation],
            [Organisation],
        ),
        (
            (c.REL_SUB_COMPETITOR, _("is a competitor of")),
            (c.REL_OBJ_COMPETITOR, _("has as competitor")),
            PERSONS,
            PERSONS,
        ),
    ]
    for subject, obj, subject_models, object_models in pairs:
        ensure_relation_type(
            subject, obj, subject_models=subject_models, object_models=object_models
        )


def _populate_choices() -> None:
    for model, names in CHOICES.items():
        if not first_time(f"persons.choices.{model._meta.model_name}"):
            continue  # the list is the user's once filled: deleted values stay deleted
        for order, name in enumerate(names, start=1):
            extra = {"shortcut": CIVILITY_SHORTCUTS[name]} if model is Civility else {}
            model.objects.create(name=name, order=order, is_builtin=True, **extra)


def _populate_managed_organisation() -> None:
    if not first_time("persons.managed_organisation"):
        return
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("ReplaceByYourCompany")
    owner = User.objects.filter(is_superuser=True).order_by("pk").first()
    organisation = create_entity(user=None, model=Organisation, data={"name": name}, owner=owner)
    Organisation.objects.filter(pk=organisation.pk).update(is_managed=True)


def _populate_filters() -> None:
    """ "Managed by us", "My customers / prospects / suspects" and "Me"."""
    if not first_time("persons.filters"):
        return
    organisations, contacts = Organisation.get_entity_type(), Contact.get_entity_type()

    def builtin(name: str, entity_type, conditions) -> EntityFilter:
        entity_filter = EntityFilter.objects.create(
            name=name, entity_type=entity_type, is_builtin=True, conditions=conditions
        )
        entity_filter.uses.set(EntityFilter.objects.filter(pk__in=used_filter_ids(conditions)))
        return entity_filter

    managed = builtin(
        _("Managed by us"),
        organisations,
        [
            {
                "type": "field",
                "field": "is_managed",
                "operator": "true",
                "values": [],
                "negate": False,
            }
        ],
    )
    mine = [
        (_("My customers"), c.REL_SUB_CUSTOMER_SUPPLIER),
        (_("My prospects"), c.REL_SUB_PROSPECT),
        (_("My suspects"), c.REL_SUB_SUSPECT),
    ]
    for entity_type in (organisations, contacts):
        for name, relation_type in mine:
            condition = {
                "type": "relation_filter",
                "relation_type": relation_type,
                "has": True,
                "filter": managed.pk,
            }
            builtin(name, entity_type, [condition])
    builtin(
        _("Me"),
        contacts,
        [{"type": "field", "field": "user", "operator": "in", "values": ["me"], "negate": False}],
    )


def populate() -> None:
    _populate_relation_types()
    _populate_choices()
    _populate_managed_organisation()
    _populate_filters()
