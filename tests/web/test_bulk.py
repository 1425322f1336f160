"""Bulk actions from the list: on the selected rows or on every row the list matches, through
the services, with a report naming what could not be done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.models import HistoryEntry, Property, PropertyType
from tandem.core.services import add_property
from tandem.core.services.filters import create_filter
from tandem.persons import constants as c
from tandem.persons.models import Organisation, Sector

pytestmark = pytest.mark.django_db

LIST = reverse("entity_list", args=["organisations"])
BULK = reverse("entity_bulk", args=["organisations"])


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def post(client, action, entities=(), **data):
    data.setdefault("next", LIST)
    return client.post(
        BULK, {"action": action, "selected": [str(e.uuid) for e in entities], **data}, follow=True
    )


def test_changing_a_field_on_the_selected_rows(logged_in, make_org):
    a, b, untouched = make_org("A"), make_org("B"), make_org("C")
    retail = Sector.objects.get(name="Retail")
    page = post(logged_in, "field", [a, b], field="sector", value=str(retail.pk)).content.decode()
    assert "2 entities were changed." in page
    assert {o.name for o in Organisation.objects.filter(sector=retail)} == {"A", "B"}
    assert Organisation.objects.get(pk=untouched.pk).sector is None
    assert HistoryEntry.objects.filter(entity=a, kind="edited").count() == 1
    # Again: nothing to do, and said so.
    page = post(logged_in, "field", [a, b], field="sector", value=str(retail.pk)).content.decode()
    assert "2 entities were as asked already: A, B." in page
    # An empty value clears the field.
    post(logged_in, "field", [a], field="sector", value="")
    assert Organisation.objects.get(pk=a.pk).sector is None


def test_a_bad_value_changes_nothing_and_names_the_field(logged_in, make_org):
    a = make_org("A", employees=3)
    page = post(logged_in, "field", [a], field="employees", value="many").content.decode()
    assert "Number of employees: Enter a whole number." in page
    assert Organisation.objects.get(pk=a.pk).employees == 3


def test_entities_that_refuse_are_named_and_the_others_done(logged_in, make_org):
    a, b = make_org("Alpha"), make_org("Beta")
    page = post(logged_in, "field", [a, b], field="name", value="").content.decode()
    # One line per reason, naming the entities it stopped.
    assert page.count("This field cannot be blank.") == 1
    assert "Name: This field cannot be blank. (2 entities: Alpha, Beta)" in page
    assert set(Organisation.objects.values_list("name", flat=True)) >= {"Alpha", "Beta"}


def test_removing_a_property(logged_in, user, make_org):
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    a, b = make_org("A"), make_org("B")
    add_property(user=user, entity=a, property_type=vip)
    page = post(logged_in, "property_remove", [a, b], property_type=vip.pk).content.decode()
    assert "The property was removed from 1 entity." in page
    assert "1 entity was as asked already: B." in page
    assert not Property.objects.filter(type=vip).exists()


def test_every_row_the_list_matches_not_only_the_page(logged_in, user, make_org):
    for n in range(30):
        make_org(f"Lyon {n:02d}", billing_address={"city": "Lyon"})
    make_org("Paris One", billing_address={"city": "Paris"})
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
    )
    list_url = f"{LIST}?filter={in_lyon.pk}&size=25"
    page = logged_in.get(list_url).content.decode()
    assert "30 rows" in page and "Apply to all 30 rows of this list" in page
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    page = post(
        logged_in, "property", [], scope="all", next=list_url, property_type=vip.pk
    ).content.decode()
    assert "The property was added to 30 entities." in page
    assert not Property.objects.filter(entity__label="Paris One").exists()


def test_too_many_matching_rows_are_refused(logged_in, make_org, monkeypatch):
    monkeypatch.setattr("tandem.web.views.bulk.BULK_LIMIT", 3)
    for n in range(5):
        make_org(f"Org {n}")
    page = post(logged_in, "trash", [], scope="all", next=f"{LIST}?q=org").content.decode()
    assert "More than 3 rows match this list" in page
    assert Organisation.objects.filter(is_deleted=True).count() == 0


def test_exporting_the_selection(logged_in, make_org):
    a, b = make_org("Chosen One"), make_org("Chosen Two")
    make_org("Left Out")
    response = logged_in.post(
        BULK,
        {"action": "export", "selected": [str(a.uuid), str(b.uuid)], "format": "csv", "next": LIST},
    )
    body = b"".join(response.streaming_content).decode()
    assert "Chosen One" in body and "Chosen Two" in body and "Left Out" not in body
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_field_input_follows_the_chosen_field(logged_in):
    url = reverse("entity_bulk_field", args=["organisations"])
    page = logged_in.get(url, {"field": "sector"}).content.decode()
    assert "<select" in page and "Retail" in page
    page = logged_in.get(url, {"field": "creation_date"}).content.decode()
    assert 'type="date"' in page
    page = logged_in.get(url, {"field": "is_deleted"}).content.decode()  # not offered
    assert 'name="value"' not in page  # no field chosen, no value: nothing changes by default


def test_no_field_is_changed_until_one_is_chosen(logged_in, make_org):
    a = make_org("Alpha")
    page = post(logged_in, "field", [a], value="Renamed").content.decode()
    assert "Choose the field to change." in page
    assert Organisation.objects.get(pk=a.pk).name == "Alpha"


def test_counts_are_exact_below_the_limit_then_more_than(logged_in, make_org, monkeypatch):
    for n in range(4):
        make_org(f"Org {n}")
    assert "5 rows" in logged_in.get(LIST).content.decode()  # with our own company
    monkeypatch.setattr("tandem.web.listing.EXACT_COUNT_LIMIT", 3)
    monkeypatch.setattr("tandem.web.listing.bounded_count.__defaults__", (3,))
    assert "more than 3 rows" in logged_in.get(LIST).content.decode()


def test_bulk_needs_a_post_and_a_known_action(logged_in, make_org):
    a = make_org("A")
    assert logged_in.get(BULK).status_code == 405
    page = post(logged_in, "explode", [a]).content.decode()
    assert "Select at least one row and an action." in page
    page = post(logged_in, "trash", [], selected=["not-a-uuid"]).content.decode()
    assert "Select at least one row and an action." in page
    page = post(logged_in, "trash", [a], next="https://evil.example/").content.decode()
    assert "1 entity was moved to the trash." in page
