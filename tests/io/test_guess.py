"""Header names → the mapping a good importer needs, for the real files users bring (Google,
Outlook, the S&P 500 list), the CRMs' export layouts, French headers and Tandem's own exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from tandem.io.guess import guess_mapping, normalise
from tandem.io.tabular import read_csv
from tandem.persons.constants import REL_SUB_EMPLOYED_BY

# Relation columns are recognised by their types' names, which live in the database.
pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
COMPANY = {
    "target": "relation",
    "relation_type": REL_SUB_EMPLOYED_BY,
    "target_type": "organisations",
    "match": "name",
    "create": True,
}
POSITION = {"target": "position", "create_missing": True}


def columns(name: str) -> list[str]:
    return read_csv((FILES / name).read_bytes()).columns


def headers(text: str) -> list[str]:
    return [header.strip() for header in text.split("|")]


def phones(kind: str, **options: str) -> dict:
    return {"target": "phones", "kind": kind, **options}


def test_normalise():
    assert normalise("Adresse e-mail") == "adresse email"
    assert normalise("  E-MAIL 2 Address ") == "email 2 address"
    assert normalise("firstName") == "first name"
    assert normalise("first_name") == "first name"
    assert normalise("Nom de l'entreprise") == "nom entreprise"
    assert normalise("Assistant's Phone") == "assistant phone"
    assert normalise("Catégories / Étiquettes") == "categories etiquettes"


def test_c010a_every_supported_column():
    mapping = guess_mapping(columns("C010a_utf8_bom_all_columns.csv"), "contacts")
    assert mapping == {
        "Title": {"target": "prefix"},  # Outlook's "Title" is a prefix beside "Job Title"
        "First Name": {"target": "first_name"},
        "Middle Name": {"target": "middle_name"},
        "Last Name": {"target": "last_name"},
        "Suffix": {"target": "suffix"},
        "Nickname": {"target": "nickname"},
        "Display Name": {"target": "full_name"},
        "Company": COMPANY,
        "Department": {"target": "department"},
        "Job Title": POSITION,
        "Email Home": {"target": "email"},
        "Email Work": {"target": "extra_emails"},
        "Email Other": {"target": "extra_emails"},
        "Home Phone": phones("home"),
        "Home Phone 2": phones("home"),
        "Business Phone": phones("work"),
        "Business Phone 2": phones("work"),
        "Home Mobile": phones("mobile"),
        "Primary Phone": phones("other"),
        "Home Fax": phones("fax"),
        "Business Fax": phones("fax"),
        "Car Phone": phones("other"),
        "Pager": phones("pager"),
        "Phone Video": phones("other"),
        "Assistant's Phone": phones("other"),
        "Other Phone": phones("other"),
        "Home Street": {"target": "shipping_address.street"},
        "Home City": {"target": "shipping_address.city"},
        "Home State": {"target": "shipping_address.region"},
        "Home Zip": {"target": "shipping_address.postal_code"},
        "Home Country": {"target": "shipping_address.country"},
        "Business Street": {"target": "billing_address.street"},
        "Work City": {"target": "billing_address.city"},
        "Work State": {"target": "billing_address.region"},
        "Work Zip": {"target": "billing_address.postal_code"},
        "Work Country": {"target": "billing_address.country"},
        "Birthday": {"target": "birthday"},
        "Notes": {"target": "description"},
        "Website Blog": {"target": "website"},
        "Categories": {"target": "properties"},
    }


def test_c011a_google_legacy_layout():
    found = columns("C011a_google_csv_legacy.csv")
    mapping = guess_mapping(found, "contacts")
    expected = {
        "Given Name": {"target": "first_name"},
        "Additional Name": {"target": "middle_name"},
        "Family Name": {"target": "last_name"},
        "Name Prefix": {"target": "prefix"},
        "Name Suffix": {"target": "suffix"},
        "Nickname": {"target": "nickname"},
        "Name": {"target": "full_name"},
        "Birthday": {"target": "birthday"},
        "Notes": {"target": "description"},
        "Group Membership": {"target": "properties"},
        "E-mail 1 - Value": {"target": "email"},
        "E-mail 2 - Value": {"target": "extra_emails"},
        "E-mail 3 - Value": {"target": "extra_emails"},
        "E-mail 4 - Value": {"target": "extra_emails"},
        **{
            f"Phone {n} - Value": phones("other", kind_column=f"Phone {n} - Type")
            for n in range(1, 8)
        },
        **{
            f"Address {n} - {part}": {
                "target": f"{address}.{target}",
                "kind_column": f"Address {n} - Type",
            }
            for n, address in ((1, "billing_address"), (2, "shipping_address"))
            for part, target in (
                ("Street", "street"),
                ("City", "city"),
                ("PO Box", "po_box"),
                ("Region", "region"),
                ("Postal Code", "postal_code"),
                ("Country", "country"),
            )
        },
        "Organization 1 - Name": COMPANY,
        "Organization 1 - Title": POSITION,  # preferred to the weaker, empty "Occupation"
        "Organization 1 - Department": {"target": "department"},
        "Website 1 - Value": {"target": "website"},
    }
    assert mapping == {column: expected[column] for column in found if column in expected}
    assert set(mapping) == set(expected)
    # Type columns are read per row through kind_column; they are not targets themselves.
    assert "Phone 1 - Type" not in mapping
    assert "E-mail 1 - Type" not in mapping
    assert "Address 1 - Formatted" not in mapping


def test_c012b_outlook_e_mail_2_and_3_are_kept():
    assert guess_mapping(columns("C012b_outlook_csv_email_2_3.csv"), "contacts") == {
        "E-mail Address": {"target": "email"},
        "E-mail 2 Address": {"target": "extra_emails"},
        "E-mail 3 Address": {"target": "extra_emails"},
    }


def test_sp500_organisations():
    assert guess_mapping(columns("constituents.csv"), "organisations") == {
        "Security": {"target": "name"},
        "GICS Sector": {"target": "sector", "create_missing": True},
        "Headquarters Location": {"target": "billing_address.city", "split": "city_region"},
        "Founded": {"target": "creation_date", "parse": "year"},
    }


def test_google_new_layout():
    mapping = guess_mapping(
        headers(
            "First Name | Middle Name | Last Name | Phonetic First Name | Nickname "
            "| File As | Organization Name | Organization Title | Organization Department "
            "| Birthday | Labels | E-mail 1 - Label | E-mail 1 - Value | E-mail 2 - Label "
            "| E-mail 2 - Value | Phone 1 - Label | Phone 1 - Value | Address 1 - Label "
            "| Address 1 - Formatted | Address 1 - City | Website 1 - Label "
            "| Website 1 - Value"
        ),
        "contacts",
    )
    assert mapping == {
        "First Name": {"target": "first_name"},
        "Middle Name": {"target": "middle_name"},
        "Last Name": {"target": "last_name"},
        "Nickname": {"target": "nickname"},
        "Organization Name": COMPANY,
        "Organization Title": POSITION,
        "Organization Department": {"target": "department"},
        "Birthday": {"target": "birthday"},
        "Labels": {"target": "properties"},
        "E-mail 1 - Value": {"target": "email"},
        "E-mail 2 - Value": {"target": "extra_emails"},
        "Phone 1 - Value": phones("other", kind_column="Phone 1 - Label"),
        "Address 1 - City": {"target": "billing_address.city", "kind_column": "Address 1 - Label"},
        "Website 1 - Value": {"target": "website"},
    }


def test_outlook_layout():
    mapping = guess_mapping(
        headers(
            "Title | First Name | Last Name | Company | Department | Job Title "
            "| Business Street | Business Street 2 | Business City | Business State "
            "| Business Postal Code | Business Country/Region | Home Street | Home City "
            "| Other Street | Business Phone | Mobile Phone | Company Main Phone | Home Fax "
            "| E-mail Address | E-mail Type | E-mail Display Name | E-mail 2 Address "
            "| E-mail 3 Address | Business Address PO Box | Categories | Web Page | Notes"
        ),
        "contacts",
    )
    assert mapping["Title"] == {"target": "prefix"}
    assert mapping["Company"] == COMPANY
    assert mapping["Job Title"] == POSITION
    assert mapping["Business Street"] == {"target": "billing_address.street"}
    assert "Business Street 2" not in mapping  # the first column of a field wins
    assert mapping["Business Country/Region"] == {"target": "billing_address.country"}
    assert mapping["Business Address PO Box"] == {"target": "billing_address.po_box"}
    assert mapping["Home City"] == {"target": "shipping_address.city"}
    assert "Other Street" not in mapping  # both addresses are taken
    assert mapping["Business Phone"] == phones("work")
    assert mapping["Mobile Phone"] == phones("mobile")
    assert mapping["Company Main Phone"] == phones("work")
    assert mapping["Home Fax"] == phones("fax")
    assert mapping["E-mail Address"] == {"target": "email"}
    assert mapping["E-mail 2 Address"] == mapping["E-mail 3 Address"] == {"target": "extra_emails"}
    assert "E-mail Type" not in mapping
    assert "E-mail Display Name" not in mapping
    assert mapping["Categories"] == {"target": "properties"}
    assert mapping["Web Page"] == {"target": "website"}


def test_hubspot_layouts():
    contacts = guess_mapping(
        headers(
            "Record ID | First Name | Last Name | Email | Phone Number "
            "| Mobile Phone Number | Company Name | Job Title | Lifecycle Stage "
            "| Contact owner | Street Address | City | State/Region | Postal Code "
            "| Country/Region | Website URL"
        ),
        "contacts",
    )
    assert contacts == {
        "First Name": {"target": "first_name"},
        "Last Name": {"target": "last_name"},
        "Email": {"target": "email"},
        "Phone Number": phones("other"),
        "Mobile Phone Number": phones("mobile"),
        "Company Name": COMPANY,
        "Job Title": POSITION,
        "Contact owner": {"target": "owner"},
        "Street Address": {"target": "billing_address.street"},
        "City": {"target": "billing_address.city"},
        "State/Region": {"target": "billing_address.region"},
        "Postal Code": {"target": "billing_address.postal_code"},
        "Country/Region": {"target": "billing_address.country"},
        "Website URL": {"target": "website"},
    }
    companies = guess_mapping(
        headers(
            "Company name | Company Domain Name | Industry | Number of Employees "
            "| Annual Revenue | Phone Number | Year Founded | Lifecycle Stage"
        ),
        "organisations",
    )
    assert companies == {
        "Company name": {"target": "name"},
        "Company Domain Name": {"target": "website"},
        "Industry": {"target": "sector", "create_missing": True},
        "Number of Employees": {"target": "employees"},
        "Annual Revenue": {"target": "annual_revenue"},
        "Phone Number": phones("work"),
        "Year Founded": {"target": "creation_date", "parse": "year"},
    }


def test_salesforce_layouts():
    contacts = guess_mapping(
        headers(
            "Salutation | First Name | Last Name | Title | Account Name | Mailing Street "
            "| Mailing City | Mailing State/Province | Mailing Zip/Postal Code "
            "| Mailing Country | Other City | Mobile | Email | Email Opt Out | Birthdate"
        ),
        "contacts",
    )
    assert contacts == {
        "Salutation": {"target": "civility", "create_missing": True},
        "First Name": {"target": "first_name"},
        "Last Name": {"target": "last_name"},
        "Title": POSITION,  # no "Job Title" here: Salesforce's Title is the job title
        "Account Name": COMPANY,
        "Mailing Street": {"target": "billing_address.street"},
        "Mailing City": {"target": "billing_address.city"},
        "Mailing State/Province": {"target": "billing_address.region"},
        "Mailing Zip/Postal Code": {"target": "billing_address.postal_code"},
        "Mailing Country": {"target": "billing_address.country"},
        "Other City": {"target": "shipping_address.city"},
        "Mobile": phones("mobile"),
        "Email": {"target": "email"},
        "Birthdate": {"target": "birthday"},
    }
    accounts = guess_mapping(
        ["Account Name", "Billing Street", "Shipping City", "Phone", "Fax", "Account Owner"],
        "organisations",
    )
    assert accounts == {
        "Account Name": {"target": "name"},
        "Billing Street": {"target": "billing_address.street"},
        "Shipping City": {"target": "shipping_address.city"},
        "Phone": phones("work"),
        "Fax": phones("fax"),
        "Account Owner": {"target": "owner"},
    }


def test_french_headers_in_any_case_accents_and_punctuation():
    mapping = guess_mapping(
        headers(
            "PRÉNOM | nom | Societe | Courriel | Adresse e-mail | Téléphone | Portable "
            "| Tél. bureau | Rue | CP | Ville | Pays | Date de naissance | Poste "
            "| Département | Site web | Remarques | Étiquettes | Propriétaire | Civilité"
        ),
        "contacts",
    )
    assert mapping == {
        "PRÉNOM": {"target": "first_name"},
        "nom": {"target": "last_name"},
        "Societe": COMPANY,
        "Courriel": {"target": "email"},
        "Adresse e-mail": {"target": "extra_emails"},
        "Téléphone": phones("other"),
        "Portable": phones("mobile"),
        "Tél. bureau": phones("work"),
        "Rue": {"target": "billing_address.street"},
        "CP": {"target": "billing_address.postal_code"},
        "Ville": {"target": "billing_address.city"},
        "Pays": {"target": "billing_address.country"},
        "Date de naissance": {"target": "birthday"},
        "Poste": POSITION,
        "Département": {"target": "department"},
        "Site web": {"target": "website"},
        "Remarques": {"target": "description"},
        "Étiquettes": {"target": "properties"},
        "Propriétaire": {"target": "owner"},
        "Civilité": {"target": "civility", "create_missing": True},
    }


def test_french_organisations():
    mapping = guess_mapping(
        headers(
            "Raison sociale | SIREN | Code NAF | N° TVA intracommunautaire "
            "| Forme juridique | Capital social | Chiffre d'affaires | Date de création "
            "| Adresse de facturation | Code postal de facturation | Ville (livraison) "
            "| Secteur d'activité"
        ),
        "organisations",
    )
    assert mapping == {
        "Raison sociale": {"target": "name"},
        "SIREN": {"target": "siren"},
        "Code NAF": {"target": "naf"},
        "N° TVA intracommunautaire": {"target": "vat_number"},
        "Forme juridique": {"target": "legal_form", "create_missing": True},
        "Capital social": {"target": "capital"},
        "Chiffre d'affaires": {"target": "annual_revenue"},
        "Date de création": {"target": "creation_date"},
        "Adresse de facturation": {"target": "billing_address.street"},
        "Code postal de facturation": {"target": "billing_address.postal_code"},
        "Ville (livraison)": {"target": "shipping_address.city"},
        "Secteur d'activité": {"target": "sector", "create_missing": True},
    }


@pytest.mark.parametrize("name", ["Company", "Name", "Organisation", "Raison sociale"])
def test_a_csv_of_organisations_names_them(name):
    assert guess_mapping([name, "Email"], "organisations")[name] == {"target": "name"}


def test_vcard_row_keys():
    keys = [
        "prefix", "first_name", "middle_name", "last_name", "suffix", "nickname", "full_name",
        "organisation", "department", "title", "email", "extra_emails", "phones",
        "billing_address", "shipping_address", "website", "birthday", "description",
        "properties", "photo", "is_company", "uid",
    ]  # fmt: skip
    mapping = guess_mapping(keys, "contacts")
    assert mapping == {
        "prefix": {"target": "prefix"},
        "first_name": {"target": "first_name"},
        "middle_name": {"target": "middle_name"},
        "last_name": {"target": "last_name"},
        "suffix": {"target": "suffix"},
        "nickname": {"target": "nickname"},
        "full_name": {"target": "full_name"},
        "organisation": COMPANY,
        "department": {"target": "department"},
        "title": POSITION,
        "email": {"target": "email"},
        "extra_emails": {"target": "extra_emails"},
        "phones": phones("other"),
        "billing_address": {"target": "billing_address"},
        "shipping_address": {"target": "shipping_address"},
        "website": {"target": "website"},
        "birthday": {"target": "birthday"},
        "description": {"target": "description"},
        "properties": {"target": "properties"},
    }
    assert guess_mapping(["organisation", "email"], "organisations") == {
        "organisation": {"target": "name"},
        "email": {"target": "email"},
    }


def test_two_columns_for_one_field():
    mapping = guess_mapping(
        ["Email", "First Name", "Prénom", "E-mail", "Mail", "Website", "URL", "Company", "Société"],
        "contacts",
    )
    assert mapping == {
        "Email": {"target": "email"},
        "First Name": {"target": "first_name"},
        "E-mail": {"target": "extra_emails"},
        "Mail": {"target": "extra_emails"},
        "Website": {"target": "website"},
        "Company": COMPANY,
    }


def test_only_recognised_columns_are_returned():
    mapping = guess_mapping(
        ["Email Opt Out", "Lifecycle Stage", "Mobile Phone Carrier", "", "???", "ID", "Email"],
        "contacts",
    )
    assert mapping == {"Email": {"target": "email"}}


def test_unknown_entity_type():
    with pytest.raises(ValueError, match="entity type"):
        guess_mapping(["Name"], "invoices")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("entity_type", ["contacts", "organisations"])
def test_tandem_own_export_headers_map_back_to_their_fields(language, entity_type):
    from tandem.core.registry import entity_types
    from tandem.io.export import export_targets

    with translation.override(language):
        targets = export_targets(entity_types.for_slug(entity_type))
    assert len(targets) > 20
    guessed = guess_mapping(list(targets), entity_type)

    def without_choice_option(mapping: dict) -> dict:
        # Whether a missing choice is created is an option of the guess, not of the column.
        return {
            column: {key: value for key, value in target.items() if key != "create_missing"}
            for column, target in mapping.items()
        }

    assert without_choice_option(guessed) == without_choice_option(targets)


def test_a_relation_type_header_in_either_language_finds_records_by_name():
    from tandem.persons.constants import REL_SUB_CUSTOMER_SUPPLIER

    expected = {
        "target": "relation",
        "relation_type": REL_SUB_CUSTOMER_SUPPLIER,
        "target_type": "organisations",
        "match": "name",
        "create": False,
    }
    with translation.override("en"):
        english = guess_mapping(["Name", "Is a customer of"], "organisations")
    with translation.override("fr"):
        french = guess_mapping(["Nom", "Est client de"], "organisations")
    assert english["Is a customer of"] == expected
    assert french["Est client de"] == expected
    assert "Not a relation at all" not in guess_mapping(["Not a relation at all"], "organisations")


@pytest.mark.parametrize("name", ["Name", "Full name", "Nom complet", "Display Name"])
def test_a_whole_name_column_of_contacts_is_the_full_name(name):
    assert guess_mapping([name, "Email"], "contacts")[name] == {"target": "full_name"}
