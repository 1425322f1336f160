"""Saved filters in the web UI: the list's filter choice, the editor's rows, bad input."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.models import EntityFilter
from tandem.core.services import delete_entity, link, trash_entity
from tandem.core.services.filters import create_filter
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db

ORGS = reverse("entity_list", args=["organisations"])
CONTACTS = reverse("entity_list", args=["contacts"])
NEW = reverse("filter_create")


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def names_in(page: str, slug: str = "organisations") -> list[str]:
    return re.findall(rf'href="/{slug}/[0-9a-f-]{{36}}/">([^<]+)</a>', page)


def city_filter(user, city="Lyon", **options):
    return create_filter(
        user=user,
        name=options.pop("name", f"In {city}"),
        entity_type=Organisation.get_entity_type(),
        conditions=[
            {
                "type": "field",
                "field": "billing_address__city",
                "operator": "iequals",
                "values": [city],
            }
        ],
        **options,
    )


@pytest.fixture
def cities(make_org):
    make_org("Lyon One", billing_address={"city": "Lyon"})
    make_org("Lyon Two", billing_address={"city": "LYON"})
    make_org("Paris One", billing_address={"city": "Paris"})


def test_the_list_applies_a_saved_filter_and_keeps_it_with_the_other_searches(
    logged_in, user, cities
):
    in_lyon = city_filter(user)
    page = logged_in.get(ORGS, {"filter": in_lyon.pk}).content.decode()
    assert names_in(page) == ["Lyon One", "Lyon Two"]
    assert "Billing address → city is “Lyon”" in page
    assert f'<option value="{in_lyon.pk}" selected>' in page
    # The quick search keeps the filter (a hidden input) and narrows it further.
    assert f'<input type="hidden" name="filter" value="{in_lyon.pk}">' in page
    narrowed = logged_in.get(ORGS, {"filter": in_lyon.pk, "q": "two"}).content.decode()
    assert names_in(narrowed) == ["Lyon Two"]


def test_the_list_offers_builtin_shared_and_own_private_filters_only(logged_in, user, other_user):
    mine = city_filter(user, name="Mine", is_private=True)
    theirs = city_filter(other_user, name="Theirs", is_private=True)
    shared = city_filter(other_user, name="Shared by Bob")
    page = logged_in.get(ORGS).content.decode()
    choices = re.findall(
        r'<option value="(\d+)"', page.split('id="saved-filter"')[1].split("</select>")[0]
    )
    assert str(mine.pk) in choices and str(shared.pk) in choices
    assert str(theirs.pk) not in choices
    assert "My customers" in page and "Managed by us" in page
    # Someone else's private filter, by id: nothing, and a message.
    page = logged_in.get(ORGS, {"filter": theirs.pk}).content.decode()
    assert names_in(page) == []
    assert "This filter does not exist (any more), or is not for this list." in page


def test_a_filter_of_another_type_or_a_bad_id_shows_nothing_and_says_why(logged_in, cities):
    me = EntityFilter.objects.get(name="Me")
    for value in (me.pk, "abc", "99999999"):
        page = logged_in.get(ORGS, {"filter": value}).content.decode()
        assert names_in(page) == []
        assert "is not for this list" in page


def test_a_broken_filter_shows_its_error_instead_of_failing(logged_in, user, make_org):
    acme = make_org("Acme")
    make_org("Customer")
    broken = create_filter(
        user=user,
        name="Customers of Acme",
        entity_type=Organisation.get_entity_type(),
        conditions=[
            {
                "type": "relation",
                "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
                "entity": str(acme.uuid),
            }
        ],
    )
    trash_entity(user=user, entity=acme)
    delete_entity(user=user, entity=acme)
    response = logged_in.get(ORGS, {"filter": broken.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“Customers of Acme” cannot run: an entity it names has been deleted." in page
    assert "Edit the filter to fix it" in page
    assert names_in(page) == []
    # Its export says the same instead of giving a file of headers only.
    export = reverse("entity_export", args=["organisations"])
    response = logged_in.get(export, {"filter": broken.pk, "format": "csv"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{ORGS}?filter={broken.pk}"
    assert "an entity it names has been deleted" in response.content.decode()


def test_the_builtin_customer_filter_on_contacts(logged_in, user, make_contact, our_company):
    ann = make_contact("Ann", "Customer")
    make_contact("Bob", "Stranger")
    link(user=user, subject=ann, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    customers = EntityFilter.objects.get(name="My customers", entity_type=Contact.get_entity_type())
    page = logged_in.get(CONTACTS, {"filter": customers.pk}).content.decode()
    assert names_in(page, "contacts") == ["Ann Customer"]


def test_a_filtered_page_costs_the_same_number_of_queries(logged_in, user, make_org):
    in_lyon = city_filter(user)

    def measure() -> tuple[int, int]:
        logged_in.get(ORGS, {"filter": in_lyon.pk})  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as queries:
            page = logged_in.get(ORGS, {"filter": in_lyon.pk, "size": 50}).content.decode()
        return len(names_in(page)), len(queries)

    for n in range(3):
        make_org(f"Lyon {n:02d}", billing_address={"city": "Lyon"})
    few = measure()
    for n in range(3, 30):
        make_org(f"Lyon {n:02d}", billing_address={"city": "Lyon"})
    many = measure()
    assert (few[0], many[0]) == (3, 30)
    assert few[1] == many[1]


def _row(index, what, **values):
    data = {f"c{index}-what": what}
    for key, value in values.items():
        data[f"c{index}-{key}"] = value
    return data


def test_creating_a_filter_in_the_editor(logged_in, user, cities, our_company):
    page = logged_in.get(NEW, {"type": "organisations"}).content.decode()
    assert "New filter on organisations" in page
    assert 'name="c0-what"' in page
    data = {
        "name": "Lyon customers",
        "match": "all",
        **_row(0, "field:billing_address__city", operator="icontains", value="lyon"),
        **_row(3, "relation:" + c.REL_SUB_CUSTOMER_SUPPLIER, has="yes", target="entity"),
        "c3-entity": str(our_company.uuid),
        **_row(5, "date:created", range="between", start="2020-01-01", end=""),
    }
    response = logged_in.post(NEW + "?type=organisations", data)
    saved = EntityFilter.objects.get(name="Lyon customers")
    assert response.status_code == 302
    assert response["Location"] == f"{ORGS}?filter={saved.pk}"
    assert saved.owner == user and not saved.is_private
    assert saved.conditions == [
        {
            "type": "field",
            "field": "billing_address__city",
            "operator": "icontains",
            "values": ["lyon"],
            "negate": False,
        },
        {
            "type": "relation",
            "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
            "has": True,
            "entity": str(our_company.uuid),
        },
        {
            "type": "date",
            "field": "created",
            "range": "between",
            "start": "2020-01-01",
            "end": None,
        },
    ]
    # Editing shows the rows as they were saved, numbered from 0 again.
    page = logged_in.get(reverse("filter_edit", args=[saved.pk])).content.decode()
    assert 'value="lyon"' in page
    assert f'name="c1-entity" value="{our_company.uuid}" checked' in page
    assert 'name="c2-start" value="2020-01-01"' in page


def test_negated_operators_and_sub_filters_from_the_editor(logged_in, user):
    customers = EntityFilter.objects.get(
        name="My customers", entity_type=Organisation.get_entity_type()
    )
    data = {
        "name": "Not Paris, employed by customers",
        "match": "any",
        "private": "on",
        **_row(0, "field:billing_address__city", operator="!iequals", value="Paris"),
        **_row(1, "relation:" + c.REL_SUB_EMPLOYED_BY, has="no", target=f"filter:{customers.pk}"),
    }
    response = logged_in.post(NEW + "?type=contacts", data)
    assert response.status_code == 302
    saved = EntityFilter.objects.get(name=data["name"])
    assert saved.is_private and saved.match == "any"
    assert saved.conditions[0]["negate"] is True
    assert saved.conditions[1] == {
        "type": "relation_filter",
        "relation_type": c.REL_SUB_EMPLOYED_BY,
        "has": False,
        "filter": customers.pk,
    }
    assert list(saved.uses.all()) == [customers]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Give the filter a name."),
        (
            _row(0, "field:employees", operator="gt", value="lots"),
            "Condition 1: “lots” is not a number.",
        ),
        (
            _row(0, "field:billing_address__city", operator="icontains", value=""),
            "Condition 1: give the value",
        ),
        (_row(0, "relation:nope", target="any"), "Condition 1: there is no such relation type."),
        (_row(0, "filter", filter=""), "Condition 1: choose the filter it uses."),
        (
            _row(0, "date:created", range="between", start="2026-05-01", end="2026-01-01"),
            "the first date comes after the second",
        ),
    ],
)
def test_bad_input_keeps_the_form_and_names_the_condition(logged_in, data, message):
    posted = {"name": "Bad", "match": "all", **data}
    response = logged_in.post(NEW + "?type=organisations", posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert not EntityFilter.objects.filter(name="Bad").exists()
    for key, value in data.items():
        if key.endswith("-value") and value:
            assert f'value="{value}"' in page  # nothing the user typed is lost


def test_a_loop_is_refused_with_the_chain(logged_in, user):
    first = city_filter(user, name="First")
    second = create_filter(
        user=user,
        name="Second",
        entity_type=Organisation.get_entity_type(),
        conditions=[{"type": "filter", "filter": first.pk}],
    )
    response = logged_in.post(
        reverse("filter_edit", args=[first.pk]),
        {"name": "First", "match": "all", **_row(0, "filter", filter=str(second.pk))},
    )
    assert response.status_code == 400
    assert "This would make a loop of filters: First → Second → First." in response.content.decode()


def test_rows_are_added_and_removed_without_javascript(logged_in):
    base = {
        "name": "Rows",
        "match": "all",
        **_row(0, "field:label", operator="icontains", value="a"),
    }
    added = logged_in.post(NEW + "?type=organisations", {**base, "add": "1"}).content.decode()
    assert 'name="c1-what"' in added and 'value="a"' in added
    removed = logged_in.post(
        NEW + "?type=organisations",
        {**base, **_row(1, "field:label", operator="icontains", value="b"), "remove": "0"},
    ).content.decode()
    assert 'value="b"' in removed and 'value="a"' not in removed
    assert not EntityFilter.objects.filter(name="Rows").exists()


def test_a_row_is_re_rendered_for_what_it_tests(logged_in, user):
    url = reverse("filter_row")
    relation = logged_in.get(
        url,
        {
            "type": "contacts",
            "index": "2",
            **_row(2, "relation:" + c.REL_SUB_EMPLOYED_BY, target="entity"),
        },
    ).content.decode()
    assert 'name="c2-target"' in relation and 'name="c2-entity_search"' in relation
    assert "picker_field=c2-entity" in relation
    choice = logged_in.get(
        url, {"type": "organisations", "index": "0", **_row(0, "field:sector")}
    ).content.decode()
    assert "multiple" in choice and "Retail" in choice
    date = logged_in.get(
        url,
        {"type": "organisations", "index": "0", **_row(0, "date:creation_date", range="between")},
    ).content.decode()
    assert 'type="date"' in date
    added = logged_in.get(
        url, {"type": "organisations", "add": "1", **_row(4, "field:label")}
    ).content.decode()
    assert 'name="c5-what"' in added
    assert logged_in.get(url, {"type": "unicorns", "index": "0"}).status_code == 404


def test_the_entity_picker_answers_with_the_rows_field_name(logged_in, make_org):
    make_org("Acme")
    page = logged_in.get(
        reverse("search"), {"picker": "1", "picker_field": "c3-entity", "c3-entity_search": "acm"}
    ).content.decode()
    assert 'name="c3-entity"' in page and "Acme" in page
    odd = logged_in.get(
        reverse("search"), {"picker": "1", "picker_field": '"><script>', "target_search": "acm"}
    ).content.decode()
    assert 'name="target"' in odd and "<script>" not in odd


def test_only_the_owner_changes_a_shared_filter(client, user, other_user):
    shared = city_filter(user)
    client.force_login(other_user)
    response = client.get(reverse("filter_edit", args=[shared.pk]), follow=True)
    assert "Only the owner of “In Lyon” can change it" in response.content.decode()
    response = client.post(reverse("filter_delete", args=[shared.pk]), follow=True)
    assert "belongs to alice" in response.content.decode()
    assert EntityFilter.objects.filter(pk=shared.pk).exists()
    private = city_filter(user, name="Secret", is_private=True)
    assert client.get(reverse("filter_edit", args=[private.pk])).status_code == 404


def test_deleting_filters(logged_in, user):
    used = city_filter(user, name="Used")
    create_filter(
        user=user,
        name="User",
        entity_type=Organisation.get_entity_type(),
        conditions=[{"type": "filter", "filter": used.pk}],
    )
    page = logged_in.post(reverse("filter_delete", args=[used.pk]), follow=True).content.decode()
    assert "“Used” is used by the filter(s) “User”" in page
    builtin = EntityFilter.objects.get(name="Managed by us")
    page = logged_in.post(reverse("filter_delete", args=[builtin.pk]), follow=True).content.decode()
    assert "built-in filter" in page
    alone = city_filter(user, name="Alone")
    response = logged_in.post(reverse("filter_delete", args=[alone.pk]))
    assert response.status_code == 302 and response["Location"] == ORGS
    assert not EntityFilter.objects.filter(pk=alone.pk).exists()
    assert logged_in.get(reverse("filter_delete", args=[used.pk])).status_code == 405


def test_the_export_follows_the_saved_filter(logged_in, user, cities):
    in_lyon = city_filter(user)
    response = logged_in.get(
        reverse("entity_export", args=["organisations"]), {"filter": in_lyon.pk, "format": "csv"}
    )
    body = b"".join(response.streaming_content).decode()
    assert "Lyon One" in body and "Lyon Two" in body and "Paris One" not in body


def test_conditions_are_told_in_words(logged_in, user):
    described = create_filter(
        user=user,
        name="Words",
        entity_type=Organisation.get_entity_type(),
        conditions=[
            {"type": "field", "field": "employees", "operator": "equals", "values": ["42"]},
            {"type": "field", "field": "employees", "operator": "between", "values": ["10", "50"]},
            {"type": "property", "property_type": c.PROP_IS_VIP, "has": False},
            {"type": "relation", "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER, "has": False},
            {"type": "date", "field": "creation_date", "range": "between", "start": "2026-12-01"},
        ],
    )
    page = logged_in.get(ORGS, {"filter": described.pk}).content.decode()
    assert "Number of employees equals 42" in page
    assert "Number of employees is between 10 and 50" in page
    assert "Does not have the property “is a VIP”" in page
    assert "No relation “is a customer of” to any entity" in page
    assert (
        "Creation date: from 1 Dec 2026 to …" in page
        or "Creation date: from 12/01/2026 to …" in page
    )
    french = logged_in.get(
        ORGS, {"filter": described.pk}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Aucune relation « est client de » vers n’importe quelle fiche" in french


def test_a_deleted_property_type_is_shown_as_gone_and_never_swapped_silently(logged_in, user):
    """The editor used to show the first property type in its place, so saving unchanged
    turned "is gold" into "is a VIP"."""
    from tandem.core.services.property_types import create_property_type, delete_property_type

    gold = create_property_type(user=user, text="is gold")
    gold_ones = create_filter(
        user=user,
        name="Gold ones",
        entity_type=Organisation.get_entity_type(),
        conditions=[{"type": "property", "property_type": gold.pk, "has": True}],
    )
    delete_property_type(user=user, property_type=gold)
    page = logged_in.get(reverse("filter_edit", args=[gold_ones.pk])).content.decode()
    assert "The property type this condition used was deleted: choose another one." in page
    assert f'<option value="{gold.pk}" selected>(a deleted property type)</option>' in page
    response = logged_in.post(
        reverse("filter_edit", args=[gold_ones.pk]),
        {"name": "Gold ones", "match": "all", **_row(0, "property", property_type=gold.pk)},
    )
    assert response.status_code == 400
    assert "Condition 1: there is no such property type." in response.content.decode()
    gold_ones.refresh_from_db()
    assert gold_ones.conditions[0]["property_type"] == gold.pk


def test_a_deleted_relation_type_is_shown_as_gone(logged_in, user):
    from tandem.core.services import create_relation_type, delete_relation_type

    side, _reverse = create_relation_type(
        user=user, subject_predicate="sponsors", object_predicate="is sponsored by"
    )
    sponsors = create_filter(
        user=user,
        name="Sponsors",
        entity_type=Organisation.get_entity_type(),
        conditions=[{"type": "relation", "relation_type": side.pk, "has": True}],
    )
    delete_relation_type(user=user, relation_type=side)
    page = logged_in.get(reverse("filter_edit", args=[sponsors.pk])).content.decode()
    assert "The relation type this condition used was deleted: choose another one." in page
    assert f'<option value="relation:{side.pk}" selected>(a deleted relation type)</option>' in page


def test_a_given_entity_must_be_chosen(logged_in):
    response = logged_in.post(
        NEW + "?type=organisations",
        {
            "name": "Customers of nobody",
            "match": "all",
            **_row(0, f"relation:{c.REL_SUB_CUSTOMER_SUPPLIER}", has="yes", target="entity"),
        },
    )
    assert response.status_code == 400
    assert "Condition 1: choose the entity." in response.content.decode()
    assert not EntityFilter.objects.filter(name="Customers of nobody").exists()


def test_a_disabled_property_type_is_shown_by_name_and_kept(logged_in, user):
    from tandem.core.services.property_types import (
        create_property_type,
        set_property_type_enabled,
    )

    silver = create_property_type(user=user, text="is silver")
    silver_ones = create_filter(
        user=user,
        name="Silver ones",
        entity_type=Organisation.get_entity_type(),
        conditions=[{"type": "property", "property_type": silver.pk, "has": True}],
    )
    set_property_type_enabled(user=user, property_type=silver, enabled=False)
    page = logged_in.get(reverse("filter_edit", args=[silver_ones.pk])).content.decode()
    assert "This property type is disabled: the filter still tests it" in page
    assert f'<option value="{silver.pk}" selected>is silver (disabled)</option>' in page
    response = logged_in.post(
        reverse("filter_edit", args=[silver_ones.pk]),
        {"name": "Silver ones", "match": "all", **_row(0, "property", property_type=silver.pk)},
    )
    assert response.status_code == 302  # kept as it was
    silver_ones.refresh_from_db()
    assert silver_ones.conditions[0]["property_type"] == silver.pk
