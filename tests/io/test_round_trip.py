"""The round trip: export organisations and contacts, empty the database, import both files
with the mapping the importer guesses, and export again: the same records and relations."""

from __future__ import annotations

import pytest
from django.utils import translation

from tandem.core.models import Entity, PropertyType, Relation
from tandem.core.registry import entity_types
from tandem.core.selectors import NOT_TRASHED
from tandem.core.services import add_property, delete_entity, link
from tandem.io.export import export_columns, export_entities
from tandem.io.guess import guess_mapping
from tandem.io.importer import run_import
from tandem.io.mapping import ImportSettings
from tandem.io.tabular import read_table
from tandem.persons import constants
from tandem.persons.models import Position, Sector

pytestmark = pytest.mark.django_db

ORGS = entity_types.for_slug("organisations")
CONTACTS = entity_types.for_slug("contacts")


def everyone(info):
    return info.model._default_manager.filter(NOT_TRASHED, entity_type_id=info.content_type.pk)


def market(make_org, make_contact, our_company) -> None:
    """Two companies around ours, one of them a customer of the other, and their people."""
    sector = Sector.objects.order_by("pk").first()
    acme = make_org(
        "Acme; Sons, Ltd",
        email="hello@acme.test",
        website="https://acme.test",
        siren="552100554",
        sector=sector,
        phones=[{"kind": "work", "number": "+33 1 23 45 67 89", "primary": True}],
        billing_address={"street": "1 rue de la Paix\nBâtiment B", "city": "Paris"},
        description="=SUM(A1) is not run",
    )
    globex = make_org("Globex", billing_address={"city": "Lyon", "postal_code": "69001"})
    zoe = make_contact(
        "Zoé",
        "Dupont",
        email="zoe@example.com",
        extra_emails=["zoe@home.example"],
        phones=[{"kind": "mobile", "number": "+33 6 12 34 56 78", "primary": True}],
        birth_day=3,
        birth_month=2,
        position=Position.objects.order_by("pk").first(),
    )
    marc = make_contact("Marc", "Lefèvre", email="marc@globex.test")
    link(user=None, subject=zoe, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme)
    link(user=None, subject=marc, relation_type=constants.REL_SUB_EMPLOYED_BY, object=globex)
    # Two employers: one cell "Acme; Sons, Ltd; Globex" — and a name with a semicolon.
    link(user=None, subject=marc, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme)
    link(user=None, subject=globex, relation_type=constants.REL_SUB_CUSTOMER_SUPPLIER, object=acme)
    link(user=None, subject=acme, relation_type=constants.REL_SUB_PROSPECT, object=our_company)
    vip = PropertyType.objects.get(pk=constants.PROP_IS_VIP)
    add_property(user=None, entity=zoe, property_type=vip)


def exported(info, format: str) -> bytes:
    return b"".join(export_entities(info, everyone(info), format))


def importable(info, data: bytes, format: str) -> list[dict[str, str]]:
    """The rows of an export, keeping the columns an import can fill, by label."""
    titles = {column.title for column in export_columns(info, everyone(info)) if column.target}
    table = read_table(data, f"export.{format}")
    rows = [
        {
            title: "" if value is None else str(value)
            for title, value in row.values.items()
            if title in titles
        }
        for row in table.rows
    ]
    return sorted(rows, key=lambda row: sorted(row.items()))


def relations() -> set[tuple[str, str, str]]:
    return {
        (relation.subject.label, relation.type_id, relation.object.label)
        for relation in Relation.objects.select_related("subject", "object")
    }


@pytest.mark.parametrize(("format", "language"), [("csv", "en"), ("xlsx", "en"), ("csv", "fr")])
def test_export_then_import_into_an_empty_database(
    make_org, make_contact, our_company, user, format, language
):
    translation.activate(language)
    market(make_org, make_contact, our_company)
    files = {info.slug: exported(info, format) for info in (ORGS, CONTACTS)}
    before = {info.slug: importable(info, files[info.slug], format) for info in (ORGS, CONTACTS)}
    relations_before = relations()
    properties_before = sorted(PropertyType.objects.values_list("pk", "properties__entity__label"))

    for entity in everyone_but_ours():
        delete_entity(user=None, entity=entity)
    assert not Relation.objects.exclude(subject=our_company, object=our_company).exists()

    for info in (ORGS, CONTACTS):
        table = read_table(files[info.slug], f"export.{format}")
        mapping = guess_mapping(table.columns, info.slug)
        report = run_import(
            table, ImportSettings(entity_type=info.slug, columns=mapping), user=user
        )
        assert report.counts["rejected"] == 0, report.rows

    after = {
        info.slug: importable(info, exported(info, format), format) for info in (ORGS, CONTACTS)
    }
    assert after == before
    assert relations() == relations_before
    assert (
        sorted(PropertyType.objects.values_list("pk", "properties__entity__label"))
        == properties_before
    )


def everyone_but_ours():
    """Every record but the managed organisation, which an install always has."""
    for info in (ORGS, CONTACTS):
        queryset = everyone(info)
        if info is ORGS:
            queryset = queryset.exclude(is_managed=True)
        yield from list(queryset)


def test_reimporting_an_export_creates_nothing(make_org, make_contact, our_company, user):
    market(make_org, make_contact, our_company)
    data = exported(CONTACTS, "csv")
    table = read_table(data, "contacts.csv")
    mapping = guess_mapping(table.columns, "contacts")
    count = Entity.objects.count()
    report = run_import(table, ImportSettings(entity_type="contacts", columns=mapping), user=user)
    assert report.counts["created"] == 0
    assert Entity.objects.count() == count
