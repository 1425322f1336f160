"""Default data: complete, translated, and idempotent."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation

from tandem.core.models import PropertyType, RelationType
from tandem.persons import constants as c
from tandem.persons.models import Civility, Contact, Organisation, StaffSize

pytestmark = pytest.mark.django_db

PAIRS = {
    c.REL_SUB_EMPLOYED_BY: ("is an employee of", "employs", "est salarié de", "emploie"),
    c.REL_SUB_CUSTOMER_SUPPLIER: (
        "is a customer of",
        "is a supplier of",
        "est client de",
        "est un fournisseur de",
    ),
    c.REL_SUB_MANAGES: (
        "manages",
        "is managed by",
        "est un des responsables de",
        "a pour responsable",
    ),
    c.REL_SUB_PROSPECT: (
        "is a prospect of",
        "has as prospect",
        "est prospect de",
        "a pour prospect",
    ),
    c.REL_SUB_SUSPECT: ("is a suspect of", "has as suspect", "est suspect de", "a pour suspect"),
    c.REL_SUB_PARTNER: (
        "is a partner of",
        "has as partner",
        "est partenaire de",
        "a pour partenaire",
    ),
    c.REL_SUB_INACTIVE: (
        "is an inactive customer of",
        "has as inactive customer",
        "est un client inactif de",
        "a pour client inactif",
    ),
    c.REL_SUB_SUBSIDIARY: (
        "has as subsidiary",
        "is a subsidiary of",
        "a pour filiale",
        "est une filiale de",
    ),
    c.REL_SUB_COMPETITOR: (
        "is a competitor of",
        "has as competitor",
        "est un concurrent de",
        "a pour concurrent",
    ),
    "core-subject_owns": ("owns", "belongs to", "possède", "appartient à"),
}


@pytest.mark.parametrize("subject_id", list(PAIRS))
def test_builtin_relation_types_in_english_and_french(subject_id):
    side = RelationType.objects.select_related("reverse").get(pk=subject_id)
    en, en_reverse, fr, fr_reverse = PAIRS[subject_id]
    assert not side.is_custom and side.enabled
    with translation.override("en"):
        assert (str(side), str(side.reverse)) == (en, en_reverse)
    with translation.override("fr"):
        assert (str(side), str(side.reverse)) == (fr, fr_reverse)


def test_allowed_types_of_builtin_pairs():
    def models(type_id):
        side = RelationType.objects.get(pk=type_id)
        return {ct.model_class() for ct in side.subject_types.all()}

    assert models(c.REL_SUB_EMPLOYED_BY) == {Contact}
    assert models(c.REL_OBJ_EMPLOYED_BY) == {Organisation}
    assert models(c.REL_SUB_SUBSIDIARY) == models(c.REL_OBJ_SUBSIDIARY) == {Organisation}
    assert models(c.REL_SUB_CUSTOMER_SUPPLIER) == {Contact, Organisation}
    assert models("core-subject_owns") == set()


def test_property_types_and_choice_lists_are_translated():
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    salesman = PropertyType.objects.get(pk=c.PROP_IS_SALESMAN)
    assert [ct.model_class() for ct in salesman.subject_types.all()] == [Contact]
    with translation.override("fr"):
        assert (str(vip), str(salesman)) == ("est un VIP", "est un commercial")
        assert "M." in [str(civility) for civility in Civility.objects.all()]
    assert StaffSize.objects.count() > 5


def test_one_managed_organisation_to_rename():
    assert list(Organisation.objects.filter(is_managed=True).values_list("name", flat=True)) == [
        "ReplaceByYourCompany"
    ]


def _snapshot():
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if model._meta.app_label in {"core", "persons"} and model._meta.model_name not in {"user"}
    }


def test_populate_twice_changes_nothing():
    before = _snapshot()
    call_command("populate", verbosity=0)
    call_command("populate", verbosity=0)
    assert _snapshot() == before


def test_populate_keeps_users_changes():
    RelationType.objects.filter(pk=c.REL_SUB_PARTNER).update(enabled=False)
    Civility.objects.all().delete()
    Organisation.objects.filter(is_managed=True).update(name="A")
    call_command("populate", verbosity=0)
    assert not RelationType.objects.get(pk=c.REL_SUB_PARTNER).enabled
    assert not Civility.objects.exists()
    assert list(Organisation.objects.filter(is_managed=True).values_list("name", flat=True)) == [
        "A"
    ]
