"""The importer's rules on rows as readers give them: what is created, updated, skipped or
rejected, and that a bad value costs only its field."""

from __future__ import annotations

import pytest

from tandem.core.models import Entity, HistoryEntry, Property, Relation
from tandem.io.importer import run_import
from tandem.io.mapping import ImportSettings, ImportSettingsError
from tandem.io.rows import SourceRow, SourceTable
from tandem.persons.constants import REL_SUB_EMPLOYED_BY
from tandem.persons.models import Contact, Organisation, Sector

COMPANY = {
    "target": "relation",
    "relation_type": REL_SUB_EMPLOYED_BY,
    "target_type": "organisations",
    "match": "name",
    "create": True,
}
CONTACT_COLUMNS = {
    "First": {"target": "first_name"},
    "Last": {"target": "last_name"},
    "Mail": {"target": "email"},
    "Mobile": {"target": "phones", "kind": "mobile"},
    "Company": COMPANY,
    "Born": {"target": "birthday"},
    "Tags": {"target": "properties"},
}


def table(*rows: dict, columns: list[str] | None = None) -> SourceTable:
    columns = columns or sorted({name for row in rows for name in row})
    return SourceTable(
        format="csv",
        columns=columns,
        rows=[SourceRow(line=index + 2, values=row) for index, row in enumerate(rows)],
    )


def contacts(**options) -> ImportSettings:
    return ImportSettings(entity_type="contacts", columns=CONTACT_COLUMNS, **options)


pytestmark = pytest.mark.django_db


def test_rows_become_contacts_with_their_company_and_relation(user):
    report = run_import(
        table(
            {"First": "Léa", "Last": "Martin", "Mail": "lea@example.com", "Company": "Acme"},
            {"First": "Jean", "Last": "Dupont", "Mail": "jean@example.com", "Company": "acme"},
        ),
        contacts(),
        user=user,
        filename="people.csv",
    )
    assert report.counts["created"] == 2
    assert report.related_created == 1  # "Acme" and "acme" are one organisation
    acme = Organisation.objects.get(name="Acme")
    lea = Contact.objects.get(email="lea@example.com")
    assert Relation.objects.filter(subject=lea, type_id=REL_SUB_EMPLOYED_BY, object=acme).exists()
    assert Relation.objects.filter(object=acme, type_id=REL_SUB_EMPLOYED_BY).count() == 2
    imported = HistoryEntry.objects.get(entity=lea, kind=HistoryEntry.Kind.IMPORTED)
    assert imported.data["file"] == "people.csv"
    assert imported.data["line"] == 2


def test_importing_the_same_rows_again_creates_nothing(user):
    rows = table(
        {"First": "Léa", "Last": "Martin", "Mail": "lea@example.com", "Company": "Acme"},
        {"First": "Paul", "Last": "Durand", "Company": "Acme"},
    )
    run_import(rows, contacts(), user=user)
    before = Entity.objects.count(), Relation.objects.count()
    again = run_import(rows, contacts(), user=user)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "skipped": 0, "rejected": 0}
    assert (Entity.objects.count(), Relation.objects.count()) == before


def test_a_bad_value_costs_its_field_not_the_row(user):
    report = run_import(
        table(
            {
                "First": "Ana",
                "Last": "Lopez",
                "Mail": "not-an-address",
                "Mobile": "3,36123E+11",
                "Born": "31/02/1990",
            }
        ),
        contacts(),
        user=user,
    )
    assert report.counts["created"] == 1
    ana = Contact.objects.get(last_name="Lopez")
    assert ana.email == "" and ana.phones == [] and ana.birth_day is None
    (row,) = report.rows
    assert row.line == 2
    text = " ".join(row.warnings)
    assert "not-an-address" in text and "scientific notation" in text and "31/02/1990" in text


def test_an_over_long_value_is_refused_with_its_length(user):
    report = run_import(table({"First": "Ana", "Last": "L" * 101}), contacts(), user=user)
    # The last name is the only name part left: without it the row cannot make a contact.
    assert report.counts == {**report.counts, "created": 1}
    (row,) = report.rows
    assert "longer than 100 characters (101)" in " ".join(row.warnings)
    assert Contact.objects.get(first_name="Ana").last_name == ""


def test_a_row_without_a_name_is_rejected_with_its_line_and_nothing_is_written(user):
    count = Entity.objects.count()
    report = run_import(
        table({"Mail": "nobody@example.com"}, {"First": "Zoé"}), contacts(), user=user
    )
    assert report.counts["rejected"] == 1 and report.counts["created"] == 1
    rejected = next(row for row in report.rows if row.status == "rejected")
    assert rejected.line == 2
    assert "No name" in rejected.reasons[0]
    assert rejected.values == {"Mail": "nobody@example.com"}
    assert Entity.objects.count() == count + 1


def test_a_company_row_in_a_contacts_file_becomes_an_organisation(user):
    report = run_import(
        table({"Company": "Boulangerie Dupain", "Mail": "pain@example.fr", "Mobile": "0199000001"}),
        contacts(),
        user=user,
    )
    assert report.counts["created"] == 1
    organisation = Organisation.objects.get(name="Boulangerie Dupain")
    assert organisation.email == "pain@example.fr"
    assert organisation.phones[0]["number"] == "0199000001"
    assert not Contact.objects.filter(last_name="Boulangerie Dupain").exists()
    assert (
        not Relation.objects.filter(subject=organisation).exclude(type__is_internal=True).exists()
    )


@pytest.mark.parametrize(
    ("on_duplicate", "expected_contacts", "status"),
    [("update", 1, "updated"), ("skip", 1, "skipped"), ("create", 2, "created")],
)
def test_duplicates_in_the_database(user, make_contact, on_duplicate, expected_contacts, status):
    make_contact("Léa", "Martin", email="lea@example.com")
    report = run_import(
        table({"First": "Léa", "Last": "Martin", "Mail": "LEA@example.com", "Mobile": "0612"}),
        contacts(on_duplicate=on_duplicate, key=["email"]),
        user=user,
    )
    assert report.counts[status] == 1
    assert Contact.objects.filter(last_name="Martin").count() == expected_contacts
    if on_duplicate == "update":
        assert Contact.objects.get(last_name="Martin").phones[0]["number"] == "0612"


def test_duplicates_inside_the_file_are_found_too(user):
    report = run_import(
        table(
            {"First": "Léa", "Last": "Martin", "Mail": "lea@example.com"},
            {"First": "Léa", "Last": "Martin", "Mail": "lea@example.com", "Mobile": "0612"},
        ),
        contacts(),
        user=user,
    )
    assert report.counts["created"] == 1 and report.counts["updated"] == 1
    assert Contact.objects.get(email="lea@example.com").phones[0]["number"] == "0612"


def test_duplicates_by_name_ignore_case_and_accents(user, make_org):
    make_org("Société Générale")
    settings = ImportSettings(
        entity_type="organisations", columns={"Name": {"target": "name"}}, key=["name"]
    )
    report = run_import(table({"Name": "SOCIETE GENERALE"}), settings, user=user)
    assert report.counts["unchanged"] == 1
    assert Organisation.objects.filter(sort_label="societe generale").count() == 1


def test_choice_values_are_matched_in_any_language_and_created_when_asked(user):
    columns = {
        "Name": {"target": "name"},
        "Sector": {"target": "sector", "create_missing": True},
    }
    settings = ImportSettings(entity_type="organisations", columns=columns)
    before = Sector.objects.count()
    run_import(table({"Name": "A", "Sector": "Space mining"}), settings, user=user)
    run_import(table({"Name": "B", "Sector": "space MINING"}), settings, user=user)
    assert Sector.objects.count() == before + 1
    assert Organisation.objects.get(name="B").sector.name == "Space mining"


def test_an_unknown_choice_is_reported_when_not_created(user):
    settings = ImportSettings(
        entity_type="organisations",
        columns={"Name": {"target": "name"}, "Sector": {"target": "sector"}},
    )
    report = run_import(table({"Name": "A", "Sector": "Nowhere"}), settings, user=user)
    assert "“Nowhere” is not in the list" in report.rows[0].warnings[0]
    assert Organisation.objects.get(name="A").sector is None


def test_tags_become_properties_without_google_system_groups(user):
    run_import(
        table({"First": "Léa", "Tags": "* My Contacts ::: Test ::: VIP-list"}),
        contacts(),
        user=user,
    )
    lea = Contact.objects.get(first_name="Léa")
    texts = sorted(str(p.type.text) for p in Property.objects.filter(entity=lea))
    assert texts == ["Test", "VIP-list"]


def test_a_dry_run_reports_everything_and_writes_nothing(user):
    before = (Entity.objects.count(), Relation.objects.count(), HistoryEntry.objects.count())
    report = run_import(
        table(
            {"First": "Léa", "Mail": "lea@example.com", "Company": "Acme"},
            {"First": "Léa", "Mail": "lea@example.com"},
            {"Mail": "x@example.com"},
        ),
        contacts(),
        user=user,
        dry_run=True,
    )
    assert report.counts["created"] == 1 and report.counts["rejected"] == 1
    assert report.counts["unchanged"] + report.counts["updated"] == 1
    assert (
        Entity.objects.count(),
        Relation.objects.count(),
        HistoryEntry.objects.count(),
    ) == before


def test_fixed_relations_and_defaults_apply_to_every_row(user, our_company):
    settings = ImportSettings(
        entity_type="contacts",
        columns={"First": {"target": "first_name"}, "City": {"target": "billing_address.city"}},
        defaults={"billing_address.country": "France"},
        relations=[{"relation_type": REL_SUB_EMPLOYED_BY, "object": str(our_company.uuid)}],
    )
    run_import(table({"First": "Léa", "City": "Lyon"}, {"First": "Max"}), settings, user=user)
    lea = Contact.objects.get(first_name="Léa")
    assert (lea.billing_address.city, lea.billing_address.country) == ("Lyon", "France")
    assert Relation.objects.filter(type_id=REL_SUB_EMPLOYED_BY, object=our_company).count() == 2


def test_an_unknown_owner_is_reported_and_the_importer_owns_the_record(user):
    settings = ImportSettings(
        entity_type="contacts",
        columns={"First": {"target": "first_name"}, "Owner": {"target": "owner"}},
    )
    report = run_import(table({"First": "Léa", "Owner": "ghost"}), settings, user=user)
    assert "“ghost” is not a user" in report.rows[0].warnings[0]
    assert Contact.objects.get(first_name="Léa").owner == user


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"columns": {"A": {"target": "shoe_size"}}}, "“shoe_size” is not a field"),
        ({"columns": {"A": {"target": "billing_address.planet"}}}, "not an address field"),
        ({"columns": {"A": {"target": "phones", "kind": "satellite"}}}, "not a kind of phone"),
        (
            {"columns": {"A": {"target": "relation", "relation_type": "nope"}}},
            "“nope” is not a relation type",
        ),
        ({"on_duplicate": "merge"}, "not a choice for duplicates"),
        ({"date_order": "ddmm"}, "not a date order"),
        ({"colums": {}}, "Unknown mapping key(s): colums"),
        ({"columns": {"A": {"target": "uuid"}}}, "“uuid” is not a field"),
        ({"columns": {"A": {"target": "is_deleted"}}}, "“is_deleted” is not a field"),
    ],
)
def test_a_wrong_mapping_is_refused_with_what_is_wrong(mapping, message):
    with pytest.raises(ImportSettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ImportSettings.from_json(mapping, entity_type="contacts")


def test_a_mapping_survives_its_json_round_trip():
    settings = contacts(key=["email"], on_duplicate="skip", date_order="mdy")
    assert ImportSettings.from_json(settings.to_json()) == settings


def test_a_full_name_is_split_only_when_no_column_gives_the_names(user):
    columns = {
        "Name": {"target": "full_name"},
        "First": {"target": "first_name"},
        "Company": COMPANY,
    }
    report = run_import(
        table(
            {"Name": "Jean  Marie Dupont", "Company": "Acme"},
            {"Name": "Ada Lovelace", "First": "Augusta"},
            {"Name": "Cher"},
        ),
        ImportSettings(entity_type="contacts", columns=columns),
        user=user,
    )
    assert report.counts["created"] == 3, report.rows
    names = set(Contact.objects.values_list("first_name", "last_name"))
    assert names == {("Jean Marie", "Dupont"), ("Augusta", ""), ("", "Cher")}
    jean = Contact.objects.get(last_name="Dupont")
    assert Relation.objects.get(subject=jean, type=REL_SUB_EMPLOYED_BY).object.label == "Acme"


def test_a_full_name_names_an_organisation(user):
    report = run_import(
        table({"Name": "Acme Industries"}),
        ImportSettings(entity_type="organisations", columns={"Name": {"target": "full_name"}}),
        user=user,
    )
    assert report.counts["created"] == 1
    assert Organisation.objects.filter(name="Acme Industries").exists()


def test_the_wizard_offers_whole_addresses_and_the_full_name():
    from tandem.io.mapping import target_options

    values = {value for _group, options in target_options(Contact) for value, _label in options}
    assert {"billing_address", "shipping_address", "full_name"} <= values
    org_values = {
        value for _group, options in target_options(Organisation) for value, _label in options
    }
    assert "billing_address" in org_values and "full_name" not in org_values


def test_a_row_merged_into_a_record_of_another_name_says_which(user, make_contact):
    make_contact("John", "Richter Doe", email="john@example.com")
    report = run_import(
        table({"First": "John", "Last": "Doë", "Mail": "JOHN@example.com"}),
        contacts(),
        user=user,
    )
    (row,) = report.rows
    assert row.status in ("updated", "unchanged")
    assert "Merged into “John Richter Doe”, which has the same e-mail" in " ".join(row.warnings)
    assert Contact.objects.count() == 1


def test_a_relation_cell_naming_several_records_links_each(user, make_org):
    make_org("Acme; Sons, Ltd")
    make_org("Globex")
    report = run_import(
        table(
            {"First": "Zoé", "Last": "Dupont", "Company": "Globex; Initech"},
            {"First": "Marc", "Last": "Petit", "Company": "Acme; Sons, Ltd"},
        ),
        contacts(),
        user=user,
    )
    assert report.counts["created"] == 2, report.rows
    employers = {
        (relation.subject.label, relation.object.label)
        for relation in Relation.objects.filter(type=REL_SUB_EMPLOYED_BY)
    }
    assert employers == {
        ("Zoé Dupont", "Globex"),
        ("Zoé Dupont", "Initech"),
        ("Marc Petit", "Acme; Sons, Ltd"),
    }


def test_a_cell_of_several_phones_of_one_kind_gives_each_number(user):
    report = run_import(
        table({"First": "John", "Last": "Doe", "Fax": "905-888-1234; 905-999-1234"}),
        ImportSettings(
            entity_type="contacts",
            columns={**CONTACT_COLUMNS, "Fax": {"target": "phones", "kind": "fax"}},
        ),
        user=user,
    )
    assert report.counts["created"] == 1
    john = Contact.objects.get(last_name="Doe")
    assert [(phone["kind"], phone["number"]) for phone in john.phones] == [
        ("fax", "905-888-1234"),
        ("fax", "905-999-1234"),
    ]


def test_a_relation_column_mixing_types_finds_each_and_names_what_it_did_not(
    user, make_org, make_contact
):
    from tandem.persons.constants import REL_SUB_PROSPECT

    ours = Organisation.objects.get(is_managed=True)
    make_org("Microsoft")
    make_contact("Lina", "Lyon")
    column = {
        "target": "relation",
        "relation_type": "persons-object_prospect",
        "target_type": "organisations",
        "match": "name",
        "create": False,
    }
    report = run_import(
        table({"Name": ours.name, "Prospects": "Lina Lyon; Microsoft; Nobody Known"}),
        ImportSettings(
            entity_type="organisations",
            columns={"Name": {"target": "name"}, "Prospects": column},
        ),
        user=user,
    )
    prospects = {
        relation.subject.label
        for relation in Relation.objects.filter(type=REL_SUB_PROSPECT, object=ours)
    }
    assert prospects == {"Lina Lyon", "Microsoft"}
    (row,) = report.rows
    assert any("no record named “Nobody Known”" in warning for warning in row.warnings)
