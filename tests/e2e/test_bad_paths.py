"""Bad paths, through the UI as a user: empty required fields, duplicate and forbidden
relations, stale edits, and names that look like HTML.

Data a person would have made earlier is set up through the services (the engine); what the
tests check is done in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import Page, Response, expect

from tandem.core.models import Entity, PropertyType, Relation, User
from tandem.core.services import add_property, create_entity, create_relation_type, link
from tandem.persons import constants
from tandem.persons.models import Contact, Organisation

from .browser import htmx_settled, in_both_languages, login, page_errors, screenshot, url_of

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "accounts": "Accounts and contacts",
        "new_organisation": "New organisation",
        "save": "Save",
        "required": "This field is required.",
        "attention": "Some fields need your attention: see the messages next to them.",
        "prospect_of": "is a prospect of",
        "already_exists": "this relation already exists.",
    },
    "fr": {
        "accounts": "Comptes et contacts",
        "new_organisation": "Nouvelle organisation",
        "save": "Enregistrer",
        "required": "Ce champ est obligatoire.",
        "attention": "Certains champs demandent votre attention : voyez les messages à côté d'eux.",
        "prospect_of": "est prospect de",
        "already_exists": "cette relation existe déjà.",
    },
}

SCRIPT = "<script>window.__xss=1</script>"
IMG = "<img src=x onerror=window.__xss=1>"


# Helpers -------------------------------------------------------------------------------------


def organisation(user: User, name: str, **data) -> Organisation:
    return create_entity(user=user, model=Organisation, data={"name": name, **data})


def contact(user: User, first_name: str, last_name: str, **data) -> Contact:
    return create_entity(
        user=user, model=Contact, data={"first_name": first_name, "last_name": last_name, **data}
    )


def detail_url(live_server, entity: Entity) -> str:
    slug = "organisations" if isinstance(entity, Organisation) else "contacts"
    return url_of(live_server, f"/{slug}/{entity.uuid}/")


def is_dialog_request(method: str, path: str) -> Callable[[Response], bool]:
    return lambda response: response.request.method == method and path in response.url


def open_relation_dialog(page: Page) -> None:
    """Press the Relations section's Add button; wait for the dialog and its type choice."""
    header = page.locator(".card-header", has=page.locator("#relations-title"))
    with page.expect_response(is_dialog_request("GET", "/relations/add/")):
        header.locator("a.button").click()
    expect(page.locator("#dialog")).to_be_visible()
    expect(page.locator("#dialog select[name=relation_type]")).to_be_visible()
    htmx_settled(page)


def type_options(page: Page) -> list[str]:
    return page.locator("#dialog select[name=relation_type] option").all_inner_texts()


def choose_type(page: Page, label: str) -> None:
    """Choose a relation type by its exact label; the dialog reloads with the picker."""
    select = page.locator("#dialog select[name=relation_type]")
    options = select.locator("option").filter(has_text=re.compile(rf"^{re.escape(label)}$"))
    expect(options).to_have_count(1)
    with page.expect_response(is_dialog_request("GET", "/relations/add/")):
        select.select_option(value=options.first.get_attribute("value"))
    expect(page.locator("#picker-search")).to_be_visible()
    htmx_settled(page)


def picker_search(page: Page, text: str) -> None:
    with page.expect_response(is_dialog_request("GET", "/relations/picker/")):
        page.locator("#picker-search").fill(text)
    htmx_settled(page)


def offered(page: Page) -> list[str]:
    """The names the picker offers (its results, not the chosen ones)."""
    return page.locator("#picker-results label > span:not(.badge)").all_inner_texts()


def offered_types(page: Page) -> list[str]:
    return page.locator("#picker-results label > span.badge").all_inner_texts()


def tick(page: Page, name: str) -> None:
    result = page.locator("#picker-results label").filter(
        has=page.locator("span", has_text=re.compile(rf"^{re.escape(name)}$"))
    )
    expect(result).to_have_count(1)
    result.locator("input").check()
    expect(page.locator("#picker-chosen input:checked")).to_have_count(1)


def submit_dialog_refused(page: Page) -> None:
    """Press the dialog's Add button and wait for the refusal shown inside the dialog."""
    with page.expect_response(is_dialog_request("POST", "/relations/add/")) as answer:
        page.locator("#dialog button[type=submit]").click()
    assert answer.value.status == 400
    expect(page.locator("#dialog .alert.error, #dialog .errorlist").first).to_be_visible()
    page_errors(page).clear()  # the refusal answers 400 on purpose


def no_xss(page: Page) -> None:
    assert page.evaluate("window.__xss") is None, f"injected script ran on {page.url}"


# a. An empty required field --------------------------------------------------------------------


@in_both_languages
def test_an_empty_name_is_shown_next_to_the_field_and_nothing_is_saved(
    page: Page, live_server, browser_user, password, language
):
    words = WORDS[language]
    before = Organisation.objects.count()
    login(page, live_server, browser_user.username, password)
    page.locator("details.menu-group > summary", has_text=words["accounts"]).click()
    with page.expect_navigation():
        page.locator("details.menu-group[open] a", has_text=words["new_organisation"]).click()
    page.locator("input[name=email]").fill("nobody@example.com")  # something, but no name
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    page_errors(page).clear()  # the form answers 400 on purpose

    field = page.locator(".field.invalid", has=page.locator("input[name=name]"))
    expect(field).to_have_count(1)
    expect(field.locator(".errorlist")).to_have_text(words["required"])
    expect(page.locator(".field.invalid")).to_have_count(1)  # only the name
    expect(page.locator(".alert.error")).to_have_text(words["attention"])
    # What was typed is kept, and the field with the error says so to assistive technology.
    expect(page.locator("input[name=email]")).to_have_value("nobody@example.com")
    expect(page.locator("input[name=name]")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "bad-empty-name")
    assert Organisation.objects.count() == before


# b. A duplicate relation ------------------------------------------------------------------------


def test_the_picker_does_not_offer_an_entity_already_linked_that_way(
    page: Page, live_server, browser_user, password
):
    a = organisation(browser_user, "Alpha")
    c = organisation(browser_user, "Charlie")
    organisation(browser_user, "Bravo")
    link(user=browser_user, subject=c, relation_type=constants.REL_SUB_PROSPECT, object=a)
    login(page, live_server, browser_user.username, password)
    page.goto(detail_url(live_server, c))
    open_relation_dialog(page)
    choose_type(page, "is a prospect of")
    # Without a search, the picker lists what it accepts: Bravo, not Alpha (already linked).
    assert "Bravo" in offered(page)
    assert "Alpha" not in offered(page)
    picker_search(page, "Alpha")
    expect(page.locator("#picker-results li.none")).to_be_visible()
    assert offered(page) == []
    # Another type still offers Alpha: only the existing (type, target) pair is left out.
    choose_type(page, "is a partner of")
    picker_search(page, "Alpha")
    assert offered(page) == ["Alpha"]


def _open_dialog_and_tick(
    page: Page, live_server, entity: Entity, target: str, language: str = "en"
) -> None:
    page.goto(detail_url(live_server, entity))
    open_relation_dialog(page)
    choose_type(page, WORDS[language]["prospect_of"])
    picker_search(page, target)
    tick(page, target)


def test_a_duplicate_relation_made_in_two_pages_is_written_once(
    page: Page, new_page, live_server, browser_user, password
):
    """Two pages tick the same target; the second submit is refused, nothing is doubled."""
    organisation(browser_user, "Alpha")
    b = organisation(browser_user, "Bravo")
    c = organisation(browser_user, "Charlie")
    other = new_page()
    for each in (page, other):
        login(each, live_server, browser_user.username, password)
        _open_dialog_and_tick(each, live_server, c, "Bravo")

    with page.expect_navigation():
        page.locator("#dialog button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()
    pair = {"subject": c, "type_id": constants.REL_SUB_PROSPECT, "object": b}
    assert Relation.objects.filter(**pair).count() == 1

    submit_dialog_refused(other)
    assert Relation.objects.filter(**pair).count() == 1
    assert Relation.objects.filter(subject=b, object=c).count() == 1  # the reverse, once
    expect(other).to_have_url(detail_url(live_server, c))  # no redirect: the dialog stays


@in_both_languages
def test_a_duplicate_relation_shows_the_engines_refusal_in_the_dialog(
    page: Page, new_page, live_server, browser_user, password, language
):
    organisation(browser_user, "Alpha")
    organisation(browser_user, "Bravo")
    c = organisation(browser_user, "Charlie")
    other = new_page(language=language)
    for each in (page, other):
        login(each, live_server, browser_user.username, password)
        _open_dialog_and_tick(each, live_server, c, "Bravo", language)
    with page.expect_navigation():
        page.locator("#dialog button[type=submit]").click()
    submit_dialog_refused(other)
    alert = other.locator("#dialog .alert.error")
    expect(alert).to_contain_text(WORDS[language]["already_exists"])
    expect(alert).to_contain_text("Charlie")
    # What was chosen is still chosen, so the user can change the type and try again.
    expect(other.locator("#picker-chosen input:checked")).to_have_count(1)
    screenshot(other, "bad-duplicate-relation")


def test_an_empty_dialog_submit_says_to_choose_an_entity(
    page: Page, live_server, browser_user, password
):
    """The same 400 path with the simplest mistake: Add with nothing ticked."""
    c = organisation(browser_user, "Charlie")
    login(page, live_server, browser_user.username, password)
    page.goto(detail_url(live_server, c))
    open_relation_dialog(page)
    choose_type(page, "is a prospect of")
    submit_dialog_refused(page)
    expect(page.locator("#dialog")).to_be_visible()
    expect(page.locator("#dialog .errorlist")).to_have_text(
        "Choose at least one entity to link to."
    )
    assert not Relation.objects.filter(subject=c).exists()


# c. Relations the type forbids ------------------------------------------------------------------


def test_an_employee_of_relation_offers_organisations_only(
    page: Page, live_server, browser_user, password
):
    paul = contact(browser_user, "Paul", "Subject")
    organisation(browser_user, "Dupont SA")
    contact(browser_user, "Jean", "Dupont")
    login(page, live_server, browser_user.username, password)
    page.goto(detail_url(live_server, paul))
    open_relation_dialog(page)
    choose_type(page, "is an employee of")
    assert set(offered_types(page)) == {"organisation"}
    picker_search(page, "Dupont")
    assert offered(page) == ["Dupont SA"]
    assert offered_types(page) == ["organisation"]

    # And an organisation is not offered the contact-only side at all.
    page.locator("#dialog .dialog-footer [data-close-dialog]").click()
    expect(page.locator("#dialog")).to_be_hidden()
    page.goto(detail_url(live_server, Organisation.objects.get(name="Dupont SA")))
    open_relation_dialog(page)
    assert "is an employee of" not in type_options(page)
    assert "employs" in type_options(page)


def test_a_type_requiring_a_property_is_offered_only_to_entities_that_have_it(
    page: Page, live_server, browser_user, password
):
    organisations = ContentType.objects.get_for_model(Organisation)
    vip = PropertyType.objects.get(pk=constants.PROP_IS_VIP)
    create_relation_type(
        user=browser_user,
        subject_predicate="is a sponsor of",
        object_predicate="is sponsored by",
        subject_types=[organisations],
        object_types=[organisations],
        subject_properties=[vip],
    )
    plain = organisation(browser_user, "Plain Ltd")
    organisation(browser_user, "Sponsor Plain")
    add_property(
        user=browser_user, entity=organisation(browser_user, "Sponsor VIP"), property_type=vip
    )
    login(page, live_server, browser_user.username, password)
    page.goto(detail_url(live_server, plain))
    open_relation_dialog(page)
    options = type_options(page)
    assert "is a sponsor of (custom)" not in options  # Plain Ltd is not a VIP
    assert "is sponsored by (custom)" in options
    # The reverse side: only a VIP may sponsor, so only the VIP is offered.
    choose_type(page, "is sponsored by (custom)")
    picker_search(page, "Sponsor")
    assert offered(page) == ["Sponsor VIP"]
    page.locator("#dialog .dialog-footer [data-close-dialog]").click()
    expect(page.locator("#dialog")).to_be_hidden()

    # Once Plain Ltd is a VIP (through its Properties section), the type is offered.
    page.locator("#property-type").select_option(label="is a VIP")
    with page.expect_navigation():
        page.locator("section", has=page.locator("#properties-title")).get_by_role(
            "button", name="Add"
        ).click()
    expect(page.locator(".chip", has_text="is a VIP")).to_be_visible()
    open_relation_dialog(page)
    assert "is a sponsor of (custom)" in type_options(page)


# d. A stale edit -------------------------------------------------------------------------------


def test_a_stale_edit_shows_the_conflict_and_saving_again_overwrites(
    page: Page, new_page, live_server, browser_user, password
):
    stale = organisation(browser_user, "Stale Corp", website="stale.example")
    edit_url = detail_url(live_server, stale) + "edit/"
    login(page, live_server, browser_user.username, password)
    page.goto(edit_url)  # opened first, saved last

    other = new_page()
    login(other, live_server, browser_user.username, password)
    other.goto(edit_url)
    other.locator("input[name=name]").fill("Fresh Corp")
    with other.expect_navigation():
        other.get_by_role("button", name="Save").click()
    expect(other.locator("h1")).to_have_text("Fresh Corp")

    page.locator("input[name=name]").fill("Mine Corp")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page_errors(page).clear()  # a conflict answers 400 on purpose
    alert = page.locator(".alert.warning.conflict")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("was changed by someone else")
    row = alert.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Name", "Fresh Corp", "Mine Corp"])
    expect(page.locator("input[name=name]")).to_have_value("Mine Corp")  # yours is kept
    screenshot(page, "bad-stale-edit")
    stale.refresh_from_db()
    assert stale.name == "Fresh Corp"
    assert stale.version == 2

    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Mine Corp")
    stale.refresh_from_db()
    assert (stale.name, stale.version) == ("Mine Corp", 3)
    assert stale.website == "stale.example"


# e. Names that look like HTML -----------------------------------------------------------------


def test_names_that_look_like_html_are_shown_as_text_everywhere(
    page: Page, live_server, browser_user, password
):
    org_name = f"Evil {SCRIPT} Org"
    person_last = f"Hacker {IMG}"
    evil = organisation(browser_user, org_name)
    person = contact(browser_user, "Eve", person_last)
    person_name = person.label
    link(
        user=browser_user, subject=person, relation_type=constants.REL_SUB_EMPLOYED_BY, object=evil
    )
    predicate = f"backs {SCRIPT}"
    create_relation_type(
        user=browser_user, subject_predicate=predicate, object_predicate=f"is backed by {IMG}"
    )
    neutral = organisation(browser_user, "Neutral")
    login(page, live_server, browser_user.username, password)

    def shows(text: str) -> None:
        expect(page.get_by_text(text).first).to_be_visible()
        no_xss(page)

    # The home page's "Recently changed".
    expect(page.locator("ul.recent").first.get_by_text(org_name)).to_be_visible()
    shows(person_name)

    page.goto(detail_url(live_server, evil))
    expect(page.locator("h1")).to_have_text(org_name)
    shows(person_name)  # in the Relations section
    page.goto(detail_url(live_server, person))
    expect(page.locator("h1")).to_have_text(person_name)
    shows(org_name)

    page.goto(url_of(live_server, "/organisations/"))
    shows(org_name)
    page.goto(url_of(live_server, "/contacts/"))
    shows(person_name)

    # The relation dialog: the custom type's label, then the picker's results.
    page.goto(detail_url(live_server, neutral))
    open_relation_dialog(page)
    assert f"{predicate} (custom)" in type_options(page)
    choose_type(page, "is a customer of")
    picker_search(page, "window")
    assert sorted(offered(page)) == sorted([org_name, person_name])
    no_xss(page)
    page.locator("#dialog .dialog-footer [data-close-dialog]").click()

    # The header's search box.
    search = page.locator("#global-search")
    search.fill("window")
    with page.expect_navigation():
        search.press("Enter")
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    shows(org_name)
    shows(person_name)

    page.goto(url_of(live_server, "/config/relation-types/"))
    shows(predicate)
    shows(f"is backed by {IMG}")

    # Trash the organisation from its page; the confirmation names it as text too.
    page.goto(detail_url(live_server, evil))
    messages: list[str] = []

    def accept(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.locator("form[action$='/trash/'] button.danger").click()
    assert org_name in messages[0]
    no_xss(page)
    page.goto(url_of(live_server, "/trash/"))
    shows(org_name)
    screenshot(page, "bad-html-names-trash")
