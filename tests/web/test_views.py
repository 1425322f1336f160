"""Saved views: the columns of a list, chosen by the user, at a fixed cost per page."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.exceptions import NotFound, PermissionDenied
from tandem.core.models import PropertyType, SavedView
from tandem.core.services import add_property, link
from tandem.core.services.views import create_view, delete_view, update_view
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db

CONTACTS = reverse("entity_list", args=["contacts"])
NEW = reverse("view_create")
EMPLOYER = f"relation:{c.REL_SUB_EMPLOYED_BY}"


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def a_view(user, columns, **options):
    return create_view(
        user=user,
        name=options.pop("name", "People"),
        entity_type=Contact.get_entity_type(),
        columns=columns,
        is_private=options.pop("is_private", False),
    )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([], "Choose at least one column."),
        (["field:nope"], "Column 1: “field:nope” is not a column of this list."),
        (["field:email", "field:email"], "Column 2: “E-mail” is there already."),
        ("field:email", "must be a list"),
        (["field:email"] + [f"relation:x{n}" for n in range(40)], "At most 30 columns."),
    ],
)
def test_bad_columns_are_refused(user, columns, message):
    with pytest.raises(ValidationError) as caught:
        a_view(user, columns)
    assert message in caught.value.message_dict["columns"][0]


def test_only_the_owner_changes_a_view_and_private_ones_stay_private(user, other_user):
    shared = a_view(user, ["field:email"])
    with pytest.raises(PermissionDenied):
        update_view(
            user=other_user, view=shared, name="Mine", columns=["field:email"], is_private=False
        )
    private = a_view(user, ["field:email"], name="Secret", is_private=True)
    with pytest.raises(NotFound):
        delete_view(user=other_user, view=private)


def test_a_view_shows_fields_related_entities_properties_and_counts(
    logged_in, user, make_contact, make_org
):
    acme, beta = make_org("Acme"), make_org("Beta")
    ann = make_contact("Ann", "Smith", department="Sales")
    link(user=user, subject=ann, relation_type=c.REL_SUB_EMPLOYED_BY, object=acme)
    link(user=user, subject=ann, relation_type=c.REL_SUB_EMPLOYED_BY, object=beta)
    add_property(user=user, entity=ann, property_type=PropertyType.objects.get(pk=c.PROP_IS_VIP))
    view = a_view(user, ["field:department", EMPLOYER, "properties", "computed:relation_count"])
    page = logged_in.get(CONTACTS, {"view": view.pk}).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>\s*(?:<a[^>]*>)?([^<]+)', page)
    assert [h.strip() for h in headers] == [
        "Name",
        "Department",
        "Is an employee of",
        "Properties",
        "Number of relations",
        "Last modified",
    ]
    row = page.split(">Ann Smith</a>")[1].split("</tr>")[0]
    assert "Sales" in row and "Acme<br>Beta" in row and "is a VIP" in row and ">2\n<" in row
    # The view and the search stay together across the toolbar's searches.
    assert f'<input type="hidden" name="view" value="{view.pk}">' in page


def test_relation_columns_cost_the_same_whatever_the_page_holds(
    logged_in, user, make_contact, make_org
):
    acme = make_org("Acme")
    view = a_view(
        user,
        [
            "field:position",
            EMPLOYER,
            f"relation:{c.REL_SUB_CUSTOMER_SUPPLIER}",
            "properties",
            "computed:relation_count",
        ],
    )

    def measure(count):
        for n in range(count):
            person = make_contact(f"P{n:03d}-{count}")
            link(user=user, subject=person, relation_type=c.REL_SUB_EMPLOYED_BY, object=acme)
        logged_in.get(CONTACTS, {"view": view.pk})
        with CaptureQueriesContext(connection) as queries:
            logged_in.get(CONTACTS, {"view": view.pk, "size": 100})
        return len(queries)

    assert measure(2) == measure(40)


def test_a_busy_cell_names_a_few_and_says_there_are_more(logged_in, user, make_contact, make_org):
    acme = make_org("Acme")
    for n in range(8):
        link(
            user=user,
            subject=make_contact(f"Worker {n}"),
            relation_type=c.REL_SUB_EMPLOYED_BY,
            object=acme,
        )
    view = create_view(
        user=user,
        name="Orgs",
        entity_type=Organisation.get_entity_type(),
        columns=[f"relation:{c.REL_OBJ_EMPLOYED_BY}"],
        is_private=False,
    )
    page = logged_in.get(
        reverse("entity_list", args=["organisations"]), {"view": view.pk}
    ).content.decode()
    row = page.split(">Acme</a>")[1].split("</tr>")[0]
    assert row.count("Worker") == 5 and "…" in row


def test_creating_and_reordering_a_view_in_the_picker(logged_in, user):
    page = logged_in.get(NEW, {"type": "contacts"}).content.decode()
    assert "New view of contacts" in page
    assert page.count('name="column"') == 4  # the type's default columns to start from
    form = {"name": "Mine", "column": ["field:email", EMPLOYER]}
    moved = logged_in.post(NEW + "?type=contacts", {**form, "down": "0"}).content.decode()
    assert moved.index(f'value="{EMPLOYER}" selected') < moved.index('value="field:email" selected')
    added = logged_in.post(NEW + "?type=contacts", {**form, "add": "1"}).content.decode()
    assert added.count('name="column"') == 3
    response = logged_in.post(NEW + "?type=contacts", {**form, "private": "on"})
    view = SavedView.objects.get(name="Mine")
    assert response["Location"] == f"{CONTACTS}?view={view.pk}"
    assert view.columns == ["field:email", EMPLOYER] and view.is_private


def test_bad_input_in_the_picker_keeps_the_form(logged_in):
    response = logged_in.post(NEW + "?type=contacts", {"name": "", "column": ["field:email"]})
    assert response.status_code == 400
    assert "Give the view a name." in response.content.decode()
    assert 'value="field:email" selected' in response.content.decode()


def test_other_users_private_views_are_not_offered(logged_in, user, other_user):
    theirs = a_view(other_user, ["field:email"], name="Theirs", is_private=True)
    mine = a_view(user, ["field:email"], name="Mine too")
    page = logged_in.get(CONTACTS).content.decode()
    assert "Mine too" in page and "Theirs" not in page
    page = logged_in.get(CONTACTS, {"view": theirs.pk}).content.decode()
    assert "Theirs" not in page  # the default columns instead
    assert logged_in.get(reverse("view_edit", args=[theirs.pk])).status_code == 404
    response = logged_in.post(reverse("view_delete", args=[mine.pk]))
    assert response.status_code == 302 and not SavedView.objects.filter(pk=mine.pk).exists()


def test_the_picker_of_someone_elses_view_sends_back_to_the_list(client, user, other_user):
    shared = a_view(user, ["field:email"], name="Alice's")
    client.force_login(other_user)
    response = client.get(reverse("view_edit", args=[shared.pk]), follow=True)
    assert "Only the owner of “Alice&#x27;s” can change it" in response.content.decode()
