"""List pages: sorting, keyset pages, filters, bulk actions; the global search."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.core.models import Property, Relation
from tandem.core.selectors import filter_text
from tandem.persons import constants
from tandem.persons.models import Organisation
from tandem.web.listing import decode_cursor, encode_cursor

pytestmark = pytest.mark.django_db

LIST = reverse("entity_list", args=["organisations"])


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def names_in(page: str) -> list[str]:
    return re.findall(r'href="/organisations/[0-9a-f-]{36}/">([^<]+)</a>', page)


def test_pages_follow_each_other_forward_and_back(logged_in, make_org, our_company):
    for index in range(30):
        make_org(f"Company {index:02d}")
    first = logged_in.get(LIST, {"size": 25}).content.decode()
    first_names = names_in(first)
    assert len(first_names) == 25
    assert first_names == sorted(first_names)
    next_link = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', first).group(1)
    second = logged_in.get(LIST + next_link.replace("&amp;", "&")).content.decode()
    second_names = names_in(second)
    assert len(second_names) == 6  # 30 + our company
    assert not set(first_names) & set(second_names)
    assert 'rel="next"' not in second
    previous_link = re.search(r'href="(\?[^"]*before=[^"]*)" rel="prev"', second).group(1)
    back = logged_in.get(LIST + previous_link.replace("&amp;", "&")).content.decode()
    assert names_in(back) == first_names


def test_descending_sort(logged_in, make_org):
    for name in ("Alpha", "Beta", "Gamma"):
        make_org(name)
    names = names_in(logged_in.get(LIST, {"sort": "-label"}).content.decode())
    assert names.index("Gamma") < names.index("Beta") < names.index("Alpha")


def test_names_sort_ignoring_case_and_accents_across_pages(logged_in, make_org, our_company):
    for name in ("Zèbre", "énergie Verte", "Écolo", "Alpha", "beta", "Émeraude"):
        make_org(name)
    expected = ["Alpha", "beta", "Écolo", "Émeraude", "énergie Verte"]
    first = logged_in.get(LIST, {"size": 25}).content.decode()
    assert names_in(first)[:5] == expected
    assert names_in(first)[-1] == "Zèbre"
    # Keyset pages keep that order from one page to the next.
    for name in ("Éa", "Eb", "ec", "Ed"):
        make_org(name)
    seen, query = [], {"size": 25}
    page = logged_in.get(LIST, query).content.decode()
    seen += names_in(page)
    while match := re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', page):
        page = logged_in.get(LIST + match.group(1).replace("&amp;", "&")).content.decode()
        seen += names_in(page)
    assert seen.index("Éa") < seen.index("Eb") < seen.index("ec") < seen.index("Ed")
    assert seen.index("Ed") < seen.index("Émeraude")


def test_an_unknown_sort_or_size_or_a_tampered_cursor_falls_back(logged_in, make_org):
    make_org("Alpha")
    for params in ({"sort": "password"}, {"size": "100000"}, {"after": "!!not-a-cursor"}):
        response = logged_in.get(LIST, params)
        assert response.status_code == 200
        assert "Alpha" in response.content.decode()


def test_cursors_round_trip_and_reject_garbage():
    assert decode_cursor(encode_cursor("Société", 12)) == ("Société", 12)
    assert decode_cursor("eyJ4Ijox") is None
    assert decode_cursor("") is None


def test_the_filter_box_ignores_case_and_accents(logged_in, make_org):
    make_org("Société Générale")
    make_org("Other")
    page = logged_in.get(LIST, {"q": "SOCIETE gen"}).content.decode()
    assert names_in(page) == ["Société Générale"]


def test_a_column_quick_search_ignores_case_and_accents(logged_in, make_org):
    make_org("Alpha", billing_address={"city": "Besançon"})
    make_org("Beta", billing_address={"city": "Lyon"})
    page = logged_in.get(LIST, {"f_billing_address__city": "besancon"}).content.decode()
    assert names_in(page) == ["Alpha"]
    page = logged_in.get(LIST, {"f_label": "ALP"}).content.decode()
    assert names_in(page) == ["Alpha"]


def test_percent_and_underscore_are_literal_in_searches(logged_in, make_org):
    make_org("100% Bio")
    make_org("1000 Bio")
    assert names_in(logged_in.get(LIST, {"f_label": "100%"}).content.decode()) == ["100% Bio"]
    assert names_in(logged_in.get(LIST, {"q": "100%"}).content.decode()) == ["100% Bio"]


def test_an_over_long_filter_is_refused_with_a_message(logged_in):
    response = logged_in.get(LIST, {"q": "x" * 500})
    assert response.status_code == 200
    assert "too long" in response.content.decode()


def test_empty_states_say_what_to_do(logged_in):
    page = logged_in.get(reverse("entity_list", args=["contacts"])).content.decode()
    assert "This list is empty." in page
    page = logged_in.get(LIST, {"q": "zzzz"}).content.decode()
    assert "Nothing matches these filters." in page


@pytest.mark.parametrize("typed", ["oeuvre", "LODZ", "straße", "strasse", "élan", "aero"])
def test_database_folding_finds_what_python_folding_finds(make_org, typed):
    make_org("Œuvre Łódź Ærø Straße ÉLAN")
    make_org("Other")
    found = filter_text(Organisation.objects.all(), "name", typed)
    assert [organisation.name for organisation in found] == ["Œuvre Łódź Ærø Straße ÉLAN"]


def test_bulk_trash_reports_what_it_could_not_do(logged_in, make_org, our_company):
    alpha, beta = make_org("Alpha"), make_org("Beta")
    response = logged_in.post(
        reverse("entity_bulk", args=["organisations"]),
        {"action": "trash", "selected": [alpha.uuid, beta.uuid, our_company.uuid], "next": LIST},
        follow=True,
    )
    page = response.content.decode()
    assert "2 entities were moved to the trash." in page
    assert "last organisation managed by us" in page
    assert Organisation.objects.filter(is_deleted=True).count() == 2


def test_bulk_add_property_and_relation(logged_in, make_org, our_company):
    alpha, beta = make_org("Alpha"), make_org("Beta")
    bulk = reverse("entity_bulk", args=["organisations"])
    logged_in.post(
        bulk,
        {
            "action": "property",
            "property_type": "persons-is_vip",
            "selected": [alpha.uuid, beta.uuid],
        },
    )
    assert Property.objects.filter(type_id="persons-is_vip").count() == 2
    logged_in.post(
        bulk,
        {
            "action": "relation",
            "relation_type": constants.REL_SUB_PROSPECT,
            "target": our_company.uuid,
            "selected": [alpha.uuid, beta.uuid],
        },
    )
    assert (
        Relation.objects.filter(type_id=constants.REL_SUB_PROSPECT, object=our_company).count() == 2
    )
    assert (
        Relation.objects.filter(type_id=constants.REL_OBJ_PROSPECT, subject=our_company).count()
        == 2
    )


def test_bulk_options_fit_the_listed_type_and_skipped_rows_are_told(logged_in, make_org):
    page = logged_in.get(LIST).content.decode()
    offered = re.findall(r'<option value="(persons-[^"]+)"', page)
    assert constants.REL_SUB_PROSPECT in offered
    assert constants.REL_SUB_EMPLOYED_BY not in offered  # contacts only
    assert "persons-is_salesman" not in offered and "persons-is_vip" in offered
    alpha, beta = make_org("Alpha"), make_org("Beta")
    bulk = reverse("entity_bulk", args=["organisations"])
    data = {"action": "property", "property_type": "persons-is_vip", "selected": [alpha.uuid]}
    logged_in.post(bulk, data)
    data["selected"] = [alpha.uuid, beta.uuid]
    page = logged_in.post(bulk, data, follow=True).content.decode()
    assert "The property was added to 1 entity." in page
    assert "1 entity was as asked already: Alpha." in page


def test_bulk_without_selection_says_so(logged_in):
    response = logged_in.post(
        reverse("entity_bulk", args=["organisations"]), {"action": "trash"}, follow=True
    )
    assert "Select at least one row and an action." in response.content.decode()


def test_global_search_finds_every_type(logged_in, make_org, make_contact):
    make_org("Zébulon SA")
    make_contact("Zebulon", "Martin")
    page = logged_in.get(reverse("search"), {"q": "zebulon"}).content.decode()
    assert "Zébulon SA" in page
    assert "Zebulon Martin" in page
    assert "too long" in logged_in.get(reverse("search"), {"q": "x" * 300}).content.decode()


def test_a_view_column_sorts_only_where_an_index_can_serve_the_order(client, user, make_contact):
    """Sorting a million rows on an unindexed column would sort them all on every page: such
    a column is shown without a sort link, and asking for it anyway keeps the name order."""
    from tandem.core.services.views import create_view
    from tandem.persons.models import Contact

    view = create_view(
        user=user,
        name="Names",
        entity_type=Contact.get_entity_type(),
        columns=["field:last_name", "field:nickname", "field:created"],
        is_private=False,
    )
    make_contact("Ann", "Zed", nickname="aaa")
    make_contact("Bob", "Abe", nickname="zzz")
    client.force_login(user)
    contacts = reverse("entity_list", args=["contacts"])
    page = client.get(contacts, {"view": view.pk}).content.decode()
    assert "sort=last_name" in page
    assert "sort=created" in page  # dates sort on the (type, trash, date) indexes
    assert "sort=nickname" not in page
    by_last_name = client.get(contacts, {"view": view.pk, "sort": "last_name"}).content.decode()
    assert by_last_name.index("Bob Abe") < by_last_name.index("Ann Zed")
    by_nickname = client.get(contacts, {"view": view.pk, "sort": "nickname"}).content.decode()
    assert by_nickname.index("Ann Zed") < by_nickname.index("Bob Abe")  # by name instead


@pytest.mark.parametrize(
    "cursor",
    [
        ["zz", 10**30],  # beyond a 64-bit id
        ["zz", -(10**30)],
        ["zz", True],  # JSON's true is a Python int too
        [{"dt": "2026-01-01T00:00:00+00:00"}, 1],  # a moment where the sort is by name
    ],
)
def test_a_tampered_cursor_gives_the_first_page(logged_in, make_org, cursor):
    import base64
    import json

    make_org("Alpha")
    raw = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")
    for params in ({"after": raw}, {"before": raw}, {"sort": "-email", "after": raw}):
        response = logged_in.get(LIST, params)
        assert response.status_code == 200
        assert "Alpha" in response.content.decode()


def test_a_text_cursor_on_a_list_sorted_by_date_gives_the_first_page(logged_in, make_org):
    make_org("Alpha")
    response = logged_in.get(LIST, {"sort": "-modified", "after": encode_cursor("zz", 23)})
    assert response.status_code == 200
    assert "Alpha" in response.content.decode()


def test_a_nul_character_in_any_search_finds_nothing_without_an_error(logged_in, make_org):
    make_org("Alpha")
    for params in ({"q": "al\x00pha"}, {"f_label": "a\x00"}, {"f_email": "x\x00y"}):
        response = logged_in.get(LIST, params)
        assert response.status_code == 200
        assert "Nothing matches these filters." in response.content.decode()
    for name in ("search", "search_suggestions"):
        assert logged_in.get(reverse(name), {"q": "a\x00b"}).status_code == 200


def test_an_owner_column_is_searched_on_the_username(client, user, other_user, make_org):
    from tandem.core.services.views import create_view

    view = create_view(
        user=user,
        name="Owners",
        entity_type=Organisation.get_entity_type(),
        columns=["field:owner"],
        is_private=False,
    )
    make_org("Mine")
    theirs = make_org("Theirs")
    Organisation.objects.filter(pk=theirs.pk).update(owner=other_user)
    client.force_login(user)
    page = client.get(LIST, {"view": view.pk, "f_owner": other_user.username[:4]})
    assert page.status_code == 200
    assert names_in(page.content.decode()) == ["Theirs"]


@pytest.mark.parametrize("view", ["abc", "999999"])
def test_an_unknown_view_says_so_and_shows_the_default_columns(logged_in, make_org, view):
    make_org("Alpha")
    page = logged_in.get(LIST, {"view": view}).content.decode()
    assert "This view does not exist (any more), or is not for this list" in page
    assert "Alpha" in page
