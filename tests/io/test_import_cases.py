"""The real-world files of tests/io/files (see its README) imported end to end, as the wizard
and `tandem import` do without options: the exact records, relations and report lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.core.models import Entity, Relation
from tandem.io.guess import guess_mapping
from tandem.io.importer import ImportReport, run_import
from tandem.io.mapping import ImportSettings
from tandem.io.tabular import read_table
from tandem.persons.constants import REL_SUB_EMPLOYED_BY
from tandem.persons.models import Contact, Organisation

FILES = Path(__file__).parent / "files"

pytestmark = pytest.mark.django_db


def import_file(name: str, user, entity_type: str = "contacts", **options) -> ImportReport:
    table = read_table((FILES / name).read_bytes(), name)
    settings = ImportSettings(
        entity_type=entity_type, columns=guess_mapping(table.columns, entity_type), **options
    )
    return run_import(table, settings, user=user, filename=name)


def employer(contact: Contact) -> str:
    relation = Relation.objects.get(subject=contact, type_id=REL_SUB_EMPLOYED_BY)
    return relation.object.label


def address(entity, name: str) -> dict[str, str]:
    value = getattr(entity, name)
    parts = ("street", "po_box", "postal_code", "city", "region", "country")
    return {part: getattr(value, part) for part in parts if getattr(value, part)}


def test_c001_android_all_six_cards_are_reported_and_none_aborts_the_file(user):
    report = import_file("C001_android_v21_qp_multicard.vcf", user)
    assert report.counts["created"] == 4 and report.counts["rejected"] == 2
    assert [row.line for row in report.rows if row.status == "rejected"] == [1, 6]
    assert Contact.objects.filter(last_name="Ñ Ñ Ñ Ñ").get().phones == [
        {"kind": "mobile", "number": "123456789", "primary": True}
    ]
    card4 = Contact.objects.get(last_name="Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ")
    assert len(card4.phones) == 4 and "=C3" not in card4.description
    card5 = Contact.objects.get(first_name="Ñ Ñ Ñ", last_name="Ñ Ñ")
    assert card5.email == "bob@example.com" and card5.extra_emails == []
    assert employer(card5) == "Ñ" * 12
    assert Organisation.objects.filter(name="Ñ" * 12).count() == 1
    warnings = " ".join(next(row for row in report.rows if row.line == 36).warnings)
    assert "ÑÑÑÑÑÑÑÑÑÑÑÑÑÑ” is not a valid e-mail address" in warnings
    assert "picture was left out" in warnings


def test_c001_again_creates_no_duplicates(user):
    import_file("C001_android_v21_qp_multicard.vcf", user)
    count = Entity.objects.count()
    again = import_file("C001_android_v21_qp_multicard.vcf", user)
    assert again.counts["created"] == 0 and again.counts["unchanged"] == 4
    assert Entity.objects.count() == count


def test_c003_outlook_2003(user):
    report = import_file("C003_outlook2003_v21.vcf", user)
    john = Contact.objects.get(last_name="Doe")
    assert (john.prefix, john.first_name, john.suffix, john.nickname) == (
        "Mr.",
        "John",
        "III",
        "Joey",
    )
    assert str(john.position) == "The Job Title" and john.department == "TheDepartment"
    assert employer(john) == "Company, The"
    assert john.birthday.isoformat() == "1980-03-21"
    assert john.email == "jdoe@example.net"
    assert address(john, "billing_address") == {
        "street": "123 Main St\nTheOffice",
        "postal_code": "12345",
        "city": "Austin",
        "region": "TX",
        "country": "United States of America",
    }
    assert john.description.splitlines() == [
        "This is the note field!!",
        "Second line",
        "",
        "Third line is empty",
    ]
    # Outlook's placeholder phone words are refused one by one; the contact is imported.
    assert john.phones == []
    assert sum("BusinessPhone" in warning for warning in report.rows[0].warnings) == 1
    assert "KEY" in report.warnings[0] and "FBURL" in report.warnings[0]


def test_c003_outlook_2007(user):
    import_file("C003_outlook2007_v21.vcf", user)
    lucas = Contact.objects.get(last_name="Martin")
    assert (lucas.prefix, lucas.suffix) == ("Mr.", "Jr.")
    assert lucas.birthday.isoformat() == "1922-03-10"
    assert "\t" in lucas.description and len(lucas.description.splitlines()) == 4
    assert lucas.website == "http://www.example.name"
    assert [phone["kind"] for phone in lucas.phones] == ["work", "home", "mobile", "fax"]


def test_c004_iphone(user):
    import_file("C004_iphone_v30_crcrlf_photo.vcf", user)
    john = Contact.objects.get(last_name="Doe")
    assert (john.first_name, john.middle_name, john.prefix, john.suffix) == (
        "John",
        "Richter James",
        "Mr.",
        "Sr.",
    )
    assert john.label == "Mr. John Richter James Doe Sr."
    assert (employer(john), john.department, str(john.position), john.nickname) == (
        "Exemple Corp",
        "Accounting",
        "Money Counter",
        "Johny",
    )
    assert john.email == "john.doe@example.com"
    assert [(phone["kind"], phone["primary"]) for phone in john.phones] == [
        ("mobile", True),
        ("home", False),
        ("work", False),
        ("fax", False),
        ("fax", False),
        ("pager", False),
        ("other", False),
    ]
    assert address(john, "shipping_address")["street"] == "Silicon Alley 5,"
    assert address(john, "billing_address")["street"] == "Street4\nBuilding 6\nFloor 8"
    assert john.website == "http://www.example.com"
    assert john.birthday.isoformat() == "2012-06-06"
    assert not any(value.endswith("\r") for value in (john.first_name, john.website, john.email))


def test_c005_company_cards_become_organisations(user):
    report = import_file("C005_company_cards_missing_n.vcf", user)
    assert report.counts == {**report.counts, "created": 3, "rejected": 1}
    assert not Contact.objects.exists()
    informatik = Organisation.objects.get(name="Exemple Informatik AG")
    assert address(informatik, "billing_address") == {
        "street": "Musterstrasse 4a",
        "postal_code": "8304",
        "city": "Wallisellen-Zürich",
        "country": "Switzerland",
    }
    assert informatik.website == "http://www.example.ch"
    bakery = Organisation.objects.get(name="Boulangerie Dupain & Fils")
    assert bakery.billing_address.city == "Besançon" and bakery.phones
    assert Organisation.objects.get(name="Éditions Exemple SARL").email == "contact@example.fr"
    (rejected,) = [row for row in report.rows if row.status == "rejected"]
    assert "No name" in rejected.reasons[0]


def test_c006a_windows_1252_name(user):
    import_file("C006a_v21_charset_windows1252_raw.vcf", user)
    john = Contact.objects.get(first_name="John")
    assert john.last_name == "Doë"
    assert john.email == "john.doe@example.com" and john.extra_emails == ["inbox@example.net"]
    assert john.billing_address.country == "Cayman Islands"


def test_c007a_utf16_without_bom(user):
    import_file("C007a_utf16be_nobom.vcf", user)
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Ǽgean", "ĽdaMonté")
    assert address(contact, "billing_address") == {
        "street": "169 Mária Canal",
        "postal_code": "245-876",
        "city": "LaPaz",
        "region": "Conceptión",
        "country": "Perú",
    }


def test_c008a_vcard_4_yearless_birthday_and_tel_uri(user):
    import_file("C008a_vcard40_rfc6350_lf.vcf", user)
    simon = Contact.objects.get(first_name="Simon")
    assert (simon.birth_year, simon.birth_month, simon.birth_day) == (None, 2, 3)
    assert simon.suffix == "ing. jr M.Sc."
    assert simon.phones[0] == {
        "kind": "work",
        "number": "+1-418-555-0154 ext. 102",
        "primary": True,
    }
    assert simon.phones[1]["kind"] == "mobile"
    assert employer(simon) == "Exemple Labs"
    assert address(simon, "billing_address") == {
        "street": "1 rue Exemple\nSuite D2-630",
        "postal_code": "G1V 2M2",
        "city": "Quebec",
        "region": "QC",
        "country": "Canada",
    }


def test_c010a_csv_with_bom_every_column(user):
    report = import_file("C010a_utf8_bom_all_columns.csv", user)
    assert report.columns[0] == "Display Name"
    contact = Contact.objects.get(last_name="Last Name")
    assert (contact.prefix, contact.first_name, contact.middle_name) == (
        "Prefix",
        "First Name",
        "Middle Name",
    )
    assert (employer(contact), contact.department, str(contact.position)) == (
        "Company",
        "Department",
        "Job Title",
    )
    assert [contact.email, *contact.extra_emails] == [
        "home@example.com",
        "work@example.com",
        "other@example.com",
    ]
    assert contact.billing_address.street == "Work Street"
    assert contact.shipping_address.street == "Home Street"
    assert contact.birthday.isoformat() == "1991-01-20"
    assert contact.description == "Notes"
    assert [str(p.type.text) for p in contact.properties.all()] == ["test"]


def test_c010a_a_month_first_order_never_reads_month_20(user):
    report = import_file("C010a_utf8_bom_all_columns.csv", user, date_order="mdy")
    contact = Contact.objects.get(last_name="Last Name")
    assert contact.birthday is None
    assert any("20/01/1991" in warning for warning in report.rows[0].warnings)


@pytest.mark.parametrize(
    "name", ["C011a_google_csv_legacy.csv", "C011b_google_csv_legacy_utf16le_bom.csv"]
)
def test_c011_google_csv_in_utf8_and_utf16(user, name):
    import_file(name, user)
    contact = Contact.objects.get()
    assert (contact.first_name, contact.middle_name, contact.last_name, contact.nickname) == (
        "Firstname",
        "Middle",
        "Lastname",
        "nick",
    )
    assert contact.birthday.isoformat() == "1975-12-12"
    assert contact.description == 'note"note'
    assert [str(p.type.text) for p in contact.properties.all()] == ["Test"]
    assert [contact.email, *contact.extra_emails] == [
        "home@example.pl",
        "work@example.pl",
        "unknown@example.com",
        "other@example.com",
    ]
    assert address(contact, "shipping_address") == {
        "street": "home_street",
        "po_box": "home_pobox",
        "postal_code": "home_zip",
        "city": "home_city",
        "region": "home_state",
        "country": "home_country",
    }
    assert (employer(contact), str(contact.position)) == ("company", "jobtitle")


def test_c012b_outlook_row_without_a_name_is_reported_with_its_three_emails(user):
    report = import_file("C012b_outlook_csv_email_2_3.csv", user)
    (row,) = report.rows
    assert row.status == "rejected" and "No name" in row.reasons[0]
    emails = {value for value in row.values.values() if "@" in value}
    assert emails == {"test1@domain.tld", "test2@domain.tld", "test3@domain.tld"}


def test_sp500_as_organisations(user):
    report = import_file("constituents.csv", user, entity_type="organisations")
    assert report.counts["created"] == 503 and report.counts["rejected"] == 0
    mmm = Organisation.objects.get(name="3M")
    assert str(mmm.sector) == "Industrials"
    assert (mmm.billing_address.city, mmm.billing_address.region) == ("Saint Paul", "Minnesota")
    assert mmm.creation_date.year == 1902
    abbvie = Organisation.objects.get(name="AbbVie")
    assert abbvie.creation_date.year == 2013  # "2013 (1888)": the company as it is now
    again = import_file("constituents.csv", user, entity_type="organisations")
    assert again.counts["unchanged"] == 503
