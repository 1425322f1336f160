"""The filter editor in a real browser: rows change with what they test (htmx), an entity is
picked by searching, rows are removed, bad input is shown, and the list applies the filter."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tandem.core.models import EntityFilter
from tandem.core.services import create_entity, link
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

from .browser import (
    in_both_languages,
    login,
    on_both_devices,
    page_errors,
    screenshot,
    url_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page: Page, selector: str, value: str) -> None:
    """Pick an option that re-renders its row, and wait for the new row."""
    with page.expect_response(lambda response: "/filters/row/" in response.url):
        page.locator(selector).select_option(value)
    settled_page(page)


def settled_page(page: Page) -> None:
    """Wait until htmx has swapped and settled (its new controls are live only then)."""
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


@in_both_languages
@on_both_devices
def test_building_a_filter_with_a_relation_to_a_picked_entity(
    page: Page, live_server, browser_user, password, language, device
):
    acme = create_entity(user=browser_user, model=Organisation, data={"name": "Acme Rockets"})
    for first, city in (("Zoé", "Lyon"), ("Max", "Lyon"), ("Léa", "Paris")):
        contact = create_entity(
            user=browser_user,
            model=Contact,
            data={"first_name": first, "last_name": "Test", "billing_address": {"city": city}},
        )
        if first != "Max":
            link(
                user=browser_user, subject=contact, relation_type=c.REL_SUB_EMPLOYED_BY, object=acme
            )
    login(page, live_server, browser_user.username, password)
    page.goto(url_of(live_server, "/contacts/"))
    page.locator("a[href^='/filters/new/']").click()
    # Bad input first: no name, a condition without its value.
    page.locator("#c0-value").fill("")
    page.locator(".form-actions button.primary").click()
    expect(page.locator(".alert.error")).to_be_visible()
    page_errors(page).clear()  # the refusal answers 400 on purpose
    page.locator("#filter-name").fill("Acme in Lyon")
    choose(page, "#c0-what", "field:billing_address__city")
    page.locator("#c0-value").fill("lyon")
    page.locator("[hx-get*='/filters/row/'][name=add]").click()
    expect(page.locator("#c1-what")).to_be_visible()
    settled_page(page)
    choose(page, "#c1-what", "relation:" + c.REL_SUB_EMPLOYED_BY)
    choose(page, "#c1-target", "entity")
    page.locator("#c1-entity_search").fill("acme")
    page.locator("input[name=c1-entity]").first.check()
    # A third row, then removed again.
    page.locator("[hx-get*='/filters/row/'][name=add]").click()
    expect(page.locator("#c2-what")).to_be_visible()
    page.locator("#condition-2 [data-remove-condition]").click()
    expect(page.locator("#c2-what")).to_have_count(0)
    screenshot(page, "filter-editor")
    page.locator(".form-actions button.primary").click()
    expect(page.locator("#saved-filter")).to_be_visible()
    saved = EntityFilter.objects.get(name="Acme in Lyon")
    assert [condition["type"] for condition in saved.conditions] == ["field", "relation"]
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zoé Test")
    screenshot(page, "contacts-with-saved-filter", full_page=False)
