"""Persons' fields: phones, e-mails, birthdays, addresses, French identifiers."""

import pytest
from django.core.exceptions import ValidationError

from tandem.core.services import create_entity, update_entity
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def test_phones_are_a_typed_list_with_one_primary(make_contact):
    contact = make_contact(
        "Ann",
        phones=[
            {"kind": "mobile", "number": " 06 12 34 56 78 "},
            {"kind": "fax", "number": "01 02 03 04 05"},
        ],
    )
    contact.refresh_from_db()
    assert contact.phones == [
        {"kind": "mobile", "number": "06 12 34 56 78", "primary": True},
        {"kind": "fax", "number": "01 02 03 04 05", "primary": False},
    ]
    assert contact.primary_phone == "06 12 34 56 78"


@pytest.mark.parametrize(
    ("phones", "message"),
    [
        ([{"kind": "satellite", "number": "1"}], "not a kind of phone"),
        ([{"kind": "work", "number": "  "}], "is empty"),
        (
            [
                {"kind": "work", "number": "1", "primary": True},
                {"kind": "home", "number": "2", "primary": True},
            ],
            "Only one phone",
        ),
        ([{"kind": "work", "number": "1" * 51}], "longer than 50"),
    ],
)
def test_bad_phones_are_refused_with_the_reason(user, phones, message):
    with pytest.raises(ValidationError) as error:
        create_entity(user=user, model=Contact, data={"first_name": "Ann", "phones": phones})
    assert message in str(error.value.message_dict["phones"])
    assert not Contact.objects.exists()


def test_extra_emails_are_validated(user, make_org):
    organisation = make_org("A", email="a@a.example", extra_emails=["b@a.example"])
    assert "b@a.example" in organisation.search_text
    with pytest.raises(ValidationError) as error:
        update_entity(
            user=user, entity=organisation, data={"extra_emails": ["not-an-email"]}, version=1
        )
    assert (
        "“not-an-email” is not a valid e-mail address." in error.value.message_dict["extra_emails"]
    )


def test_birthday_without_a_year_allows_29_february(make_contact):
    contact = make_contact("Leap", birth_day=29, birth_month=2)
    assert contact.birthday == (2, 29)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"birth_day": 29, "birth_month": 2, "birth_year": 2023}, "does not exist"),
        ({"birth_day": 31, "birth_month": 4}, "does not exist"),
        ({"birth_day": 12}, "day and a month"),
        ({"birth_month": 13, "birth_day": 1}, "less than or equal to 12"),
    ],
)
def test_impossible_birthdays_are_refused(user, data, message):
    with pytest.raises(ValidationError) as error:
        create_entity(user=user, model=Contact, data={"first_name": "Ann", **data})
    assert message in str(error.value)


def test_full_birthday_is_a_date(make_contact):
    import datetime

    assert make_contact("Ann", birth_day=3, birth_month=12, birth_year=1990).birthday == (
        datetime.date(1990, 12, 3)
    )


def test_a_contact_needs_a_name(user):
    with pytest.raises(ValidationError) as error:
        create_entity(user=user, model=Contact, data={"email": "x@example.org"})
    assert "last_name" in error.value.message_dict


def test_addresses_keep_leading_zeros_and_several_street_lines(make_org):
    organisation = make_org(
        "A",
        billing_address={
            "street": "2 rue des Lilas\nBâtiment B",
            "postal_code": "01000",
            "city": "Bourg-en-Bresse",
            "country": "France",
        },
        shipping_address={"po_box": "BP 12", "city": "Lyon"},
    )
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.billing_address.postal_code == "01000"
    assert organisation.billing_address.street == "2 rue des Lilas\nBâtiment B"
    assert str(organisation.billing_address) == (
        "2 rue des Lilas, Bâtiment B, 01000 Bourg-en-Bresse, France"
    )
    assert organisation.shipping_address.po_box == "BP 12"


def test_unknown_address_field_is_refused(user):
    with pytest.raises(ValidationError, match="zip"):
        create_entity(
            user=user, model=Organisation, data={"name": "A", "billing_address": {"zip": "1"}}
        )


def test_address_errors_name_the_address_and_write_nothing(user):
    with pytest.raises(ValidationError) as error:
        create_entity(
            user=user,
            model=Organisation,
            data={"name": "A", "billing_address": {"postal_code": "1" * 21}},
        )
    assert "billing_address" in error.value.message_dict
    from tandem.persons.models import Address

    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("siren", "732 829 320", True),
        ("siren", "732829321", False),
        ("siren", "12345", False),
        ("siret", "73282932000074", True),
        ("siret", "73282932000075", False),
    ],
)
def test_siren_and_siret_are_checked(user, field, value, ok):
    data = {"name": "A", field: value}
    if ok:
        assert create_entity(user=user, model=Organisation, data=data).pk
    else:
        with pytest.raises(ValidationError) as error:
            create_entity(user=user, model=Organisation, data=data)
        assert field in error.value.message_dict


def test_organisation_figures(make_org):
    from decimal import Decimal

    organisation = make_org(
        "A", employees=12, capital=Decimal("10000.50"), annual_revenue=Decimal("-3.00")
    )
    organisation.refresh_from_db()
    assert (organisation.employees, organisation.capital) == (12, Decimal("10000.50"))


def test_our_organisations_have_a_partial_index_where_the_database_has_partial_indexes(db):
    """The managed organisations are read on every detail page and by the "My customers"
    filters: an index holding only them keeps that read from visiting every organisation."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "persons_organisation")
    if connection.features.supports_partial_indexes:
        assert constraints["organisation_managed"]["columns"] == ["name"]
    else:  # MariaDB: an index of every name would be dead weight
        assert "organisation_managed" not in constraints
