"""Every main page, in both languages, on a desktop and on a phone: it loads without an error,
has a heading, fits the screen's width, names every control for assistive technology, and is
saved as a screenshot under test-output/ for anyone to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tandem.core.models import User
from tandem.core.services import create_entity, create_relation_type, link, trash_entity
from tandem.persons import constants
from tandem.persons.models import Contact, Organisation

from .browser import in_both_languages, login, on_both_devices, page_errors, screenshot, url_of

pytestmark = pytest.mark.django_db(transaction=True)

# Controls and links with no name a screen reader could read out.
UNNAMED_CONTROLS = """() => {
  const visible = (el) => el.checkVisibility();
  const labelled = (el) =>
    (el.labels && el.labels.length > 0) ||
    (el.getAttribute("aria-label") || "").trim() ||
    el.getAttribute("aria-labelledby") ||
    (el.getAttribute("title") || "").trim();
  const named = (el) =>
    el.matches("input, select, textarea")
      ? labelled(el)
      : labelled(el) || (el.textContent || "").trim() || el.querySelector("svg[aria-label]");
  const controls = document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, a[href]"
  );
  return [...controls].filter((el) => visible(el) && !named(el)).map((el) => el.outerHTML);
}"""


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def some_data(user: User) -> dict[str, str]:
    """A few records, so that lists, detail pages and the trash are not empty."""
    acme = create_entity(
        user=user, model=Organisation, data={"name": "Acme Société", "email": "hello@acme.test"}
    )
    jane = create_entity(
        user=user,
        model=Contact,
        data={"first_name": "Jane", "last_name": "Émery", "email": "jane@acme.test"},
    )
    link(user=user, subject=jane, relation_type=constants.REL_SUB_EMPLOYED_BY, object=acme)
    old = create_entity(user=user, model=Organisation, data={"name": "Old Corp"})
    trash_entity(user=user, entity=old)
    return {
        "organisation": f"/organisations/{acme.uuid}/",
        "contact": f"/contacts/{jane.uuid}/",
    }


def main_pages(paths: dict[str, str]) -> dict[str, str]:
    """Screenshot name → path of every main page."""
    return {
        "home": "/",
        "organisations": "/organisations/",
        "contacts": "/contacts/",
        "organisation": paths["organisation"],
        "organisation-edit": paths["organisation"] + "edit/",
        "organisation-new": "/organisations/new/",
        "contact": paths["contact"],
        "contact-new": "/contacts/new/",
        "relation-dialog-page": paths["organisation"] + "relations/add/",
        "search": "/search/?q=acme",
        "configuration": "/config/",
        "relation-types": "/config/relation-types/",
        "relation-type-new": "/config/relation-types/new/",
        "property-types": "/config/property-types/",
        "property-type-new": "/config/property-types/new/",
        "choice-lists": "/config/choice-lists/",
        "managed-organisations": "/config/managed-organisations/",
        "trash": "/trash/",
        "account": "/account/",
    }


@in_both_languages
@on_both_devices
def test_every_main_page_is_finished_on_desktop_and_phone(
    page: Page, live_server, browser_user, password, language, device
):
    pages = main_pages(some_data(browser_user))
    login(page, live_server, browser_user.username, password)
    problems: list[str] = []
    for name, path in pages.items():
        response = page.goto(url_of(live_server, path))
        assert response is not None and response.status == 200, f"{path}: {response}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1").first).to_be_visible()
        if not fits_the_width(page):
            problems.append(f"{path} is wider than the {device} screen")
        unnamed = page.evaluate(UNNAMED_CONTROLS)
        problems.extend(f"{path}: a control without a name: {html[:200]}" for html in unnamed)
        screenshot(page, f"page-{name}")
    assert not problems, "\n".join(problems)


NOT_FOUND = {"en": "Page not found", "fr": "Page introuvable"}


@in_both_languages
def test_a_missing_page_is_styled_and_translated(
    page: Page, live_server, browser_user, password, language
):
    login(page, live_server, browser_user.username, password)
    nowhere = "/organisations/00000000-0000-0000-0000-000000000000/"
    response = page.goto(url_of(live_server, nowhere))
    assert response is not None and response.status == 404
    page_errors(page).clear()  # the 404 is what this test asks for
    expect(page.locator("header.topbar")).to_be_visible()  # the site's layout, not Django's
    expect(page.locator("h1")).to_have_text(NOT_FOUND[language])
    assert "Traceback" not in page.content()
    screenshot(page, "page-not-found")


@on_both_devices
def test_a_very_long_unbroken_name_wraps_instead_of_widening_pages(
    page: Page, live_server, browser_user, password, device
):
    long_name = "Z" * 200
    entity = create_entity(user=browser_user, model=Organisation, data={"name": long_name})
    side, _reverse = create_relation_type(
        user=browser_user, subject_predicate="V" * 100, object_predicate="W" * 100
    )
    link(
        user=browser_user,
        subject=entity,
        relation_type=side,
        object=Organisation.objects.get(is_managed=True),
    )
    login(page, live_server, browser_user.username, password)
    wide = []
    for path in (
        "/",
        "/organisations/",
        f"/organisations/{entity.uuid}/",
        f"/organisations/{entity.uuid}/edit/",
        "/config/relation-types/",
        "/search/?q=zzz",
    ):
        page.goto(url_of(live_server, path))
        if not fits_the_width(page):
            wide.append(path)
    screenshot(page, "long-name-search")
    page.goto(url_of(live_server, f"/organisations/{entity.uuid}/"))
    screenshot(page, "long-name-detail")
    assert not wide, f"wider than the {device} screen: {wide}"
