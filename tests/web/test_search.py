"""The global search: ranked, blind to case, accents and Unicode look-alikes, literal about
wildcards and quotes, refusing huge input; and its dropdown as you type."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.core.selectors import ranked_search
from tandem.core.services import trash_entity

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")
SUGGEST = reverse("search_suggestions")


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def labels(page: str) -> list[str]:
    return re.findall(
        r'href="/(?:organisations|contacts)/[0-9a-f-]{36}/"[^>]*>(?:<svg.*?</svg>)?\s*(?:<span[^>]*>)?([^<]+)<',
        page,
    )


def test_results_are_ranked_name_first_then_prefix_then_word_then_the_rest(make_org, make_contact):
    make_org("Europop Media")  # the text inside a word
    make_org("Banque Populaire")  # a word of the name starts with it
    make_org("Popular Mechanics")  # the name starts with it
    make_org("Pop")  # the name itself
    make_contact("Anna", "Smith", description="met at a pop concert")  # only in other fields
    found = [entity.label for entity in ranked_search("POP")]
    assert found == ["Pop", "Popular Mechanics", "Banque Populaire", "Europop Media"]
    # Description is not a search field; e-mails are.
    make_contact("Bo", "Jones", email="bo@pop.example")
    found = [entity.label for entity in ranked_search("pop")]
    assert found[:3] == ["Pop", "Popular Mechanics", "Banque Populaire"]
    assert found[3:] == ["Bo Jones", "Europop Media"]  # the rest, by name


def test_limit_and_the_more_marker(make_org):
    for n in range(12):
        make_org(f"Acme {n:02d}")
    assert len(ranked_search("acme", limit=10)) == 11  # one more than asked: "there is more"
    assert len(ranked_search("acme", limit=20)) == 12


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Société Générale", "societe GENERALE"),
        ("Œuvre d'Orient", "oeuvre"),
        ("Straße 12", "strasse"),
        ("İstanbul Tekstil", "istanbul"),
        ("Łódź Meble", "lodz"),
        ("Ørsted A/S", "orsted"),
        ("Cre\u0300me Brûlée", "creme brulee"),
        ("Crème Brûlée", "cre\u0300me"),
        ("O'Neil & Sons", "o'neil"),
        ('Say "Hello" Ltd', '"hello"'),
    ],
)
def test_search_ignores_case_accents_and_look_alikes(logged_in, make_org, name, typed):
    make_org(name)
    make_org("Unrelated Company")
    page = logged_in.get(SEARCH, {"q": typed}).content.decode()
    assert len(labels(page)) == 1, labels(page)


@pytest.mark.parametrize("typed", ["100%", "a_b", "back\\slash", "%", "_", "\\"])
def test_wildcards_and_backslashes_are_literal(logged_in, make_org, typed):
    make_org("100% Bio")
    make_org("a_b Consulting")
    make_org("Back\\Slash Ltd")
    make_org("Plain Name")
    make_org("aXb Trading")
    found = [entity.label for entity in ranked_search(typed)]
    assert found and all(typed.casefold() in label.casefold() for label in found), found


def test_trashed_entities_are_not_found(user, make_org):
    gone = make_org("Gone Corp")
    trash_entity(user=user, entity=gone)
    assert ranked_search("gone") == []


def test_huge_input_is_refused_cleanly(logged_in):
    response = logged_in.get(SEARCH, {"q": "x" * 5000})
    assert response.status_code == 200
    assert "The search text is too long: at most 200 characters." in response.content.decode()
    response = logged_in.get(SUGGEST, {"q": "x" * 5000})
    assert "too long" in response.content.decode()


def test_suggestions_as_you_type(logged_in, make_org, make_contact):
    for n in range(10):
        make_org(f"Zeta {n}")
    make_contact("Zeta", "Person")
    page = logged_in.get(SUGGEST, {"q": "zeta"}).content.decode()
    assert page.count('role="option"') == 9  # 8 entities and "every result"
    assert "Every result for “zeta”" in page and "…" in page
    assert f'href="{SEARCH}?q=zeta"' in page
    assert "Nothing matches." in logged_in.get(SUGGEST, {"q": "qqqq"}).content.decode()
    assert logged_in.get(SUGGEST, {"q": ""}).content.decode().strip() == ""


def test_suggestions_escape_what_they_show(logged_in, make_org):
    make_org("<script>alert(1)</script> Inc")
    page = logged_in.get(SUGGEST, {"q": "<script>"}).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_search_needs_a_login(client):
    assert client.get(SUGGEST, {"q": "a"}).status_code == 302


def test_search_page_costs_a_fixed_number_of_queries(
    logged_in, make_org, django_assert_max_num_queries
):
    for n in range(60):
        make_org(f"Omega {n:02d}")
    with django_assert_max_num_queries(8):
        page = logged_in.get(SEARCH, {"q": "omega"}).content.decode()
    assert "Only the first results are shown" in page
