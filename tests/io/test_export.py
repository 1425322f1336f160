"""Exports: formulas neutralised, numbers kept, CSV options, XLSX and vCard read back,
relations and properties as columns, a fixed number of queries, the command line."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tandem.core.models import PropertyType, Relation
from tandem.core.registry import entity_types
from tandem.core.selectors import NOT_TRASHED
from tandem.core.services import add_property, delete_entity, link, trash_entity
from tandem.io.export import (
    ExportRefused,
    export_csv,
    export_entities,
    export_filename,
    export_targets,
    export_vcards,
    export_xlsx,
    fold_vcard_line,
    list_columns,
    neutralise,
    table_rows,
    vcard_escape,
)
from tandem.io.importer import run_import
from tandem.io.mapping import ImportSettings, check_target
from tandem.io.tabular import read_csv, read_xlsx
from tandem.io.vcard import read_vcards
from tandem.persons import constants
from tandem.persons.models import Contact, Organisation, Position

pytestmark = pytest.mark.django_db

ORGS = entity_types.for_slug("organisations")
CONTACTS = entity_types.for_slug("contacts")


def everyone(info):
    return info.model._default_manager.filter(NOT_TRASHED, entity_type_id=info.content_type.pk)


def csv_rows(stream, delimiter: str = ",") -> list[list[str]]:
    text = b"".join(stream).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def xlsx_sheet(stream):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(stream)))
    return workbook.worksheets[0]


# -- formulas and numbers --------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_dangerous_start_is_neutralised(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise(f"a{start}") == f"a{start}"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_dangerous_cells_are_neutralised_in_csv_and_xlsx(make_org, start):
    org = make_org("Placeholder")
    # Below the services, which would trim the tab and the carriage return.
    Organisation.objects.filter(pk=org.pk).update(name=f"{start}HYPERLINK(1)")
    queryset = everyone(ORGS).filter(pk=org.pk)
    rows = csv_rows(export_csv(ORGS, queryset, columns=["name"]))
    assert rows[1] == [f"'{start}HYPERLINK(1)"]
    sheet = xlsx_sheet(export_xlsx(ORGS, queryset, columns=["name"]))
    cell = sheet.cell(row=2, column=1)
    # XML parsers read a carriage return as a line feed: the apostrophe is what matters.
    assert cell.value.replace("\n", "\r") == f"'{start}HYPERLINK(1)".replace("\n", "\r")
    assert cell.data_type == "s"


def test_negative_numbers_stay_numbers_but_negative_text_is_neutralised(make_org):
    make_org("-12", annual_revenue=decimal.Decimal("-12.50"), employees=7)
    queryset = everyone(ORGS).filter(name="-12")
    columns = ["name", "annual_revenue", "employees"]
    assert csv_rows(export_csv(ORGS, queryset, columns=columns))[1] == ["'-12", "-12.50", "7"]
    sheet = xlsx_sheet(export_xlsx(ORGS, queryset, columns=columns))
    name, revenue, employees = (sheet.cell(row=2, column=index) for index in (1, 2, 3))
    assert name.value == "'-12"
    assert revenue.data_type == "n" and revenue.value == -12.5
    assert employees.data_type == "n" and employees.value == 7


def test_no_cell_of_an_xlsx_export_is_a_formula(make_org):
    make_org("=SUM(A1:A9)", description="=cmd|' /C calc'!A0")
    sheet = xlsx_sheet(export_xlsx(ORGS, everyone(ORGS)))
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells
    assert all(cell.data_type != "f" for cell in cells)


# -- CSV options -----------------------------------------------------------------------------


def test_bom_only_when_asked(make_org):
    make_org("Acme")
    plain = b"".join(export_csv(ORGS, everyone(ORGS), columns=["name"]))
    with_bom = b"".join(export_csv(ORGS, everyone(ORGS), columns=["name"], bom=True))
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert with_bom.startswith(b"\xef\xbb\xbf")
    assert with_bom[3:] == plain


def test_semicolon_delimiter_keeps_commas_and_decimals(make_org):
    make_org("Dupont, Durand et fils", capital=decimal.Decimal("1234.50"))
    queryset = everyone(ORGS).filter(name__startswith="Dupont")
    stream = export_csv(ORGS, queryset, columns=["name", "capital"], delimiter=";")
    text = b"".join(stream).decode()
    assert text.splitlines()[1] == "Dupont, Durand et fils;1234.50"  # no quotes needed
    rows = csv_rows(export_csv(ORGS, queryset, columns=["name"], delimiter=";"), delimiter=";")
    assert rows[1] == ["Dupont, Durand et fils"]


def test_unknown_format_and_delimiter_are_refused():
    with pytest.raises(ExportRefused, match="pdf"):
        export_entities(ORGS, everyone(ORGS), "pdf")
    with pytest.raises(ExportRefused):
        export_csv(ORGS, everyone(ORGS), delimiter="|")


def test_filename_says_type_and_day():
    assert export_filename(CONTACTS, "csv", datetime.date(2026, 12, 4)) == (
        "contacts-2026-12-04.csv"
    )


# -- columns and values ----------------------------------------------------------------------


def test_list_columns_are_the_list_pages(make_org, sector_retail):
    make_org(
        "Acme",
        email="hello@acme.test",
        billing_address={"city": "Lyon"},
        phones=[
            {"kind": "work", "number": "04 00 00 00 01", "primary": False},
            {"kind": "mobile", "number": "06 00 00 00 02", "primary": True},
        ],
        sector=sector_retail,
    )
    rows = csv_rows(
        export_csv(ORGS, everyone(ORGS).filter(name="Acme"), columns=list_columns(ORGS))
    )
    assert rows[0] == ["Name", "E-mail", "Phone numbers", "City", "Sector", "Last modified"]
    name, email, phones, city, sector, modified = rows[1]
    assert (name, email, city, sector) == ("Acme", "hello@acme.test", "Lyon", str(sector_retail))
    assert phones == "06 00 00 00 02; 04 00 00 00 01"  # the primary first
    datetime.datetime.fromisoformat(modified)


@pytest.fixture
def sector_retail():
    from tandem.persons.models import Sector

    return Sector.objects.order_by("pk").first()


def test_all_fields_by_part_and_kind(make_contact):
    make_contact(
        "Zoé",
        "Dupont",
        email="zoe@example.com",
        extra_emails=["zoe@home.example", "z.dupont@example.org"],
        phones=[
            {"kind": "mobile", "number": "+33 6 12 34 56 78", "primary": True},
            {"kind": "home", "number": "01 23 45 67 89", "primary": False},
        ],
        billing_address={"street": "1 rue de la Paix\nBâtiment B", "city": "Paris"},
        shipping_address={"city": "Lyon", "postal_code": "69001"},
        birth_day=3,
        birth_month=2,
        position=Position.objects.order_by("pk").first(),
    )
    (row,) = as_dicts(csv_rows(export_csv(CONTACTS, everyone(CONTACTS))))
    assert row["First name"] == "Zoé" and row["Last name"] == "Dupont"
    assert row["Other e-mail addresses"] == "zoe@home.example; z.dupont@example.org"
    assert row["Phone numbers: mobile"] == "'+33 6 12 34 56 78"
    assert row["Phone numbers: home"] == "01 23 45 67 89"
    assert row["Phone numbers: work"] == ""
    assert row["Billing address: street"] == "1 rue de la Paix\nBâtiment B"
    assert row["Billing address: city"] == "Paris"
    assert row["Shipping address: postal code"] == "69001"
    assert row["Birthday"] == "'--02-03"  # yearless, ISO 8601's --MM-DD
    assert row["Position"] == str(Position.objects.order_by("pk").first())
    assert row["Owner"] == "alice"


def test_dates_are_iso_and_choices_by_their_shown_name(make_org):
    with translation.override("fr"):
        from tandem.persons.models import LegalForm

        legal_form = LegalForm.objects.filter(is_builtin=True).order_by("pk").first()
        make_org("Acme", creation_date=datetime.date(1999, 12, 31), legal_form=legal_form)
        columns = ["name", "creation_date", "legal_form"]
        rows = csv_rows(export_csv(ORGS, everyone(ORGS).filter(name="Acme"), columns=columns))
        assert rows[1] == ["Acme", "1999-12-31", str(legal_form)]
        sheet = xlsx_sheet(export_xlsx(ORGS, everyone(ORGS).filter(name="Acme"), columns=columns))
        assert sheet.cell(row=2, column=2).value == datetime.datetime(1999, 12, 31)


def test_headers_are_in_the_active_language():
    with translation.override("fr"):
        columns, _rows = table_rows(CONTACTS, everyone(CONTACTS), columns=["first_name"])
        expected = str(Contact._meta.get_field("first_name").verbose_name)
    assert columns[0].title == expected[0].upper() + expected[1:]


def test_every_all_fields_header_maps_to_an_import_target():
    for info in (ORGS, CONTACTS):
        targets = export_targets(info)
        assert "Properties" in targets and "Description" in targets
        for title, target in targets.items():
            check_target(info.model, target, column=title)


def test_relation_and_property_columns(make_contact, make_org, our_company):
    acme, globex = make_org("Acme"), make_org("Globex")
    old = make_org("Old Corp")
    zoe, max_ = make_contact("Zoé", "Dupont"), make_contact("Max", "Martin")
    link(user=None, subject=zoe, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme)
    link(user=None, subject=zoe, relation_type=constants.REL_SUB_CUSTOMER_SUPPLIER, object=globex)
    link(user=None, subject=zoe, relation_type=constants.REL_SUB_CUSTOMER_SUPPLIER, object=acme)
    link(user=None, subject=max_, relation_type=constants.REL_SUB_PROSPECT, object=old)
    trash_entity(user=None, entity=old)  # relations to the trash are left out
    vip = PropertyType.objects.get(pk=constants.PROP_IS_VIP)
    salesman = PropertyType.objects.get(pk=constants.PROP_IS_SALESMAN)
    add_property(user=None, entity=zoe, property_type=vip)
    add_property(user=None, entity=zoe, property_type=salesman)
    rows = as_dicts(csv_rows(export_csv(CONTACTS, everyone(CONTACTS))))
    header = list(rows[0])
    assert header[-3:] == ["Properties", "Is a customer of", "Is an employee of"]
    by_name = {row["First name"]: row for row in rows}
    assert by_name["Zoé"]["Is a customer of"] == "Acme; Globex"
    assert by_name["Zoé"]["Is an employee of"] == "Acme"
    assert by_name["Zoé"]["Properties"] == "is a salesman; is a VIP"
    assert by_name["Max"]["Is a customer of"] == by_name["Max"]["Properties"] == ""
    columns, _rows = table_rows(CONTACTS, everyone(CONTACTS))
    employment = next(c for c in columns if c.title == "Is an employee of")
    assert employment.target == {
        "target": "relation",
        "relation_type": constants.REL_SUB_EMPLOYED_BY,
        "target_type": "organisations",
        "match": "name",
        "create": False,
    }


def test_same_rows_in_the_same_order_whatever_the_chunks(make_org, our_company):
    for index in range(23):
        make_org(f"Company {index:02d}", billing_address={"city": f"City {index % 4}"})
    make_org("No address")
    queryset = everyone(ORGS)
    for order in (
        [("sort_label", False)],
        [("sort_label", True)],
        [("billing_address__city", True), ("name", False)],
    ):
        columns = ["name", "billing_address__city"]
        _c, whole = table_rows(ORGS, queryset, columns=columns, order=order, chunk_size=1000)
        expected = list(whole)
        for keyset in (True, False):
            _c, rows = table_rows(
                ORGS, queryset, columns=columns, order=order, chunk_size=5, keyset=keyset
            )
            assert list(rows) == expected, (order, keyset)
    assert len(expected) == 25
    assert expected[-2:] == [["No address", None], [our_company.name, None]]  # empty last


def test_a_fixed_number_of_queries_whatever_the_rows(make_contact, make_org):
    acme = make_org("Acme")
    vip = PropertyType.objects.get(pk=constants.PROP_IS_VIP)

    def contacts(count: int) -> None:
        for index in range(count):
            contact = make_contact(f"Person {index}", "Test", billing_address={"city": "Nice"})
            link(
                user=None, subject=contact, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme
            )
            add_property(user=None, entity=contact, property_type=vip)

    def queries(export) -> int:
        with CaptureQueriesContext(connection) as captured:
            data = b"".join(export(CONTACTS, everyone(CONTACTS)))
        assert data
        return len(captured)

    exports = (export_csv, export_xlsx, export_vcards)
    contacts(1)
    one = [queries(export) for export in exports]
    contacts(49)
    assert [queries(export) for export in exports] == one


def exported_zoe(make_contact, make_org) -> Contact:
    acme = make_org("Acme")
    zoe = make_contact(
        "Zoé",
        "Dupont",
        email="zoe@example.com",
        extra_emails=["zoe@home.example"],
        phones=[{"kind": "mobile", "number": "+33 6 12 34 56 78", "primary": True}],
        billing_address={"street": "1 rue de la Paix\nBâtiment B", "city": "Paris"},
        birth_day=3,
        birth_month=2,
        description="=not a formula",
    )
    link(user=None, subject=zoe, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme)
    add_property(
        user=None, entity=zoe, property_type=PropertyType.objects.get(pk=constants.PROP_IS_VIP)
    )
    return zoe


def import_again(user, zoe: Contact, export_format: str) -> Contact:
    """Export everything, delete Zoé, import the file with the export's own targets."""
    queryset = everyone(CONTACTS)
    columns, _rows = table_rows(CONTACTS, queryset)
    mapping = {column.title: column.target for column in columns if column.target}
    export = export_csv if export_format == "csv" else export_xlsx
    data = b"".join(export(CONTACTS, queryset))
    delete_entity(user=None, entity=zoe)
    table = read_csv(data) if export_format == "csv" else read_xlsx(data)
    report = run_import(table, ImportSettings(entity_type="contacts", columns=mapping), user=user)
    assert report.counts["created"] == 1, report.rows
    return Contact.objects.get(first_name="Zoé")


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_an_export_imports_again_with_its_relations(make_contact, make_org, user, export_format):
    zoe = import_again(user, exported_zoe(make_contact, make_org), export_format)
    assert zoe.email == "zoe@example.com" and zoe.extra_emails == ["zoe@home.example"]
    assert zoe.billing_address.street == "1 rue de la Paix\nBâtiment B"
    assert list(zoe.properties.values_list("type_id", flat=True)) == [constants.PROP_IS_VIP]
    assert list(Relation.objects.filter(subject=zoe).values_list("type_id", "object__label")) == [
        (constants.REL_SUB_EMPLOYED_BY, "Acme")
    ]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_neutralised_cells_import_as_they_were(make_contact, make_org, user, export_format):
    zoe = import_again(user, exported_zoe(make_contact, make_org), export_format)
    assert zoe.phones[0]["number"] == "+33 6 12 34 56 78"
    assert zoe.birthday == (2, 3)
    assert zoe.description == "=not a formula"


# -- vCard -----------------------------------------------------------------------------------


def test_escaping():
    assert vcard_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


@pytest.mark.parametrize(
    "value", ["é" * 100, "a" * 74 + "é" * 10, "x" * 73 + "\\n" * 20, "日本語のテキスト" * 12]
)
def test_folding_at_75_octets_never_inside_a_character(value):
    line = f"NOTE:{value}"
    folded = fold_vcard_line(line).encode("utf-8")
    physical = folded.split(b"\r\n")
    assert physical[-1] == b""
    for number, part in enumerate(physical[:-1]):
        assert len(part) <= 75
        part.decode("utf-8")  # no character cut in two
        assert number == 0 or part.startswith(b" ")
        assert not part.endswith(b"\\") or part.endswith(b"\\\\")  # no escape cut in two
    assert folded.replace(b"\r\n ", b"").decode() == line + "\r\n"


def test_vcards_read_back(make_contact, make_org):
    acme = make_org(
        "Acme; Sons, Ltd",
        email="hello@acme.test",
        website="https://acme.test",
        billing_address={"street": "2 Main St", "city": "Springfield", "country": "US"},
    )
    zoe = make_contact(
        "Zoé",
        "Dupont",
        prefix="Dr",
        email="zoe@example.com",
        extra_emails=["zoe@home.example"],
        phones=[
            {"kind": "mobile", "number": "+33 6 12 34 56 78", "primary": True},
            {"kind": "fax", "number": "01 23 45 67 89", "primary": False},
        ],
        billing_address={"street": "1 rue de la Paix\nBâtiment B", "city": "Paris"},
        shipping_address={"city": "Lyon", "postal_code": "69001", "po_box": "BP 12"},
        birth_day=3,
        birth_month=2,
        department="R&D, Lab; 2",
        description="First line\nSecond line, with; punctuation \\ " + "é" * 80,
        position=Position.objects.order_by("pk").first(),
        website="https://zoe.example",
    )
    make_contact("Max", "Martin", birth_day=29, birth_month=2, birth_year=1980)
    link(user=None, subject=zoe, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme)
    add_property(
        user=None, entity=zoe, property_type=PropertyType.objects.get(pk=constants.PROP_IS_VIP)
    )
    data = b"".join(export_vcards(CONTACTS, everyone(CONTACTS)))
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.count(b"BEGIN:VCARD") == 2 and b"VERSION:4.0" in data
    table = read_vcards(data)
    by_name = {row.values["first_name"]: row.values for row in table}
    values = by_name["Zoé"]
    assert values["last_name"] == "Dupont" and values["prefix"] == "Dr"
    assert values["full_name"] == "Dr Zoé Dupont"
    assert values["organisation"] == "Acme; Sons, Ltd"
    assert values["department"] == "R&D, Lab; 2"
    assert values["title"] == str(Position.objects.order_by("pk").first())
    assert values["email"] == "zoe@example.com"
    assert values["extra_emails"] == ["zoe@home.example"]
    phones = {phone["kind"]: phone for phone in values["phones"]}
    assert phones["mobile"]["number"] == "+33 6 12 34 56 78" and phones["mobile"]["primary"]
    assert phones["fax"]["number"] == "01 23 45 67 89"
    assert values["billing_address"]["street"] == "1 rue de la Paix\nBâtiment B"
    assert values["billing_address"]["city"] == "Paris"
    assert values["shipping_address"] == {"city": "Lyon", "postal_code": "69001", "po_box": "BP 12"}
    assert values["birthday"] == (None, 2, 3)
    assert values["description"] == zoe.description
    assert values["properties"] == ["is a VIP"]
    assert values["website"] == "https://zoe.example"
    assert values["uid"].endswith(str(zoe.uuid))
    assert not values.get("is_company")
    assert by_name["Max"]["birthday"] == (1980, 2, 29)
    assert not table.warnings

    organisations = read_vcards(b"".join(export_vcards(ORGS, everyone(ORGS).filter(pk=acme.pk))))
    (card,) = organisations.rows
    assert card.values["is_company"] is True
    assert card.values["organisation"] == "Acme; Sons, Ltd"
    assert card.values["billing_address"]["country"] == "US"
    assert b"KIND:org" in b"".join(export_vcards(ORGS, everyone(ORGS).filter(pk=acme.pk)))


# -- command line ----------------------------------------------------------------------------


def test_command_line_export_to_a_file_and_to_stdout(make_org, tmp_path: Path):
    make_org("Acme Export", billing_address={"city": "Lyon"})
    make_org("Other")
    output = tmp_path / "organisations.xlsx"
    errors = io.StringIO()
    call_command("export", "--type", "organisations", "--output", str(output), stderr=errors)
    sheet = openpyxl.load_workbook(output).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "Name"
    assert "organisations exported" in errors.getvalue()
    assert not list(tmp_path.glob(".*partial"))

    out = io.StringIO()
    call_command(
        "export",
        "--type=organisations",
        "--search=acme exp",
        "--delimiter=;",
        "--columns=list",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert [row[0] for row in rows] == ["Name", "Acme Export"]

    out = io.StringIO()
    call_command("export", "--type=organisations", "--format=vcf", "--search=Other", stdout=out)
    assert out.getvalue().startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\n")


def test_command_line_export_of_a_saved_filter(make_org, user, other_user):
    from django.core.management.base import CommandError

    from tandem.core.models import EntityFilter
    from tandem.core.services.filters import create_filter
    from tandem.persons.models import Contact, Organisation

    make_org("Lyon Rockets", billing_address={"city": "Lyon"})
    make_org("Paris Rockets", billing_address={"city": "Paris"})
    in_lyon = create_filter(
        user=user,
        name="Lyon",
        entity_type=Organisation.get_entity_type(),
        conditions=[
            {
                "type": "field",
                "field": "billing_address__city",
                "operator": "iequals",
                "values": ["lyon"],
            }
        ],
        is_private=True,
    )
    out = io.StringIO()
    call_command(
        "export", "--type=organisations", f"--filter={in_lyon.pk}", "--columns=list", stdout=out
    )
    names = [row[0] for row in csv.reader(io.StringIO(out.getvalue()))]
    assert names == ["Name", "Lyon Rockets"]
    # Someone else's private filter, or one of another type, is not there for them.
    with pytest.raises(CommandError, match=f"No filter of organisations has the id {in_lyon.pk}"):
        call_command(
            "export",
            "--type=organisations",
            f"--filter={in_lyon.pk}",
            "--user=bob",
            stdout=io.StringIO(),
        )
    me = EntityFilter.objects.get(name="Me", entity_type=Contact.get_entity_type())
    with pytest.raises(CommandError, match="No filter of organisations"):
        call_command("export", "--type=organisations", f"--filter={me.pk}", stdout=io.StringIO())
    assert other_user.username == "bob"
