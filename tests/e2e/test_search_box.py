"""The header search box in a real browser: suggestions as you type, arrows and Enter."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tandem.core.services import create_entity
from tandem.persons.models import Contact, Organisation

from .browser import in_both_languages, login, on_both_devices, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@in_both_languages
@on_both_devices
def test_suggestions_as_you_type_and_keyboard_choice(
    page: Page, live_server, browser_user, password, language, device
):
    create_entity(user=browser_user, model=Organisation, data={"name": "Zébulon Énergie"})
    create_entity(user=browser_user, model=Organisation, data={"name": "Banque Zébulon"})
    create_entity(
        user=browser_user, model=Contact, data={"first_name": "Zoé", "last_name": "Zebulon"}
    )
    login(page, live_server, browser_user.username, password)
    box = page.locator("#global-search")
    box.fill("zebu")
    suggestions = page.locator("#search-suggestions [data-suggestion]")
    expect(suggestions).to_have_count(4)  # three entities and "every result"
    expect(suggestions.first).to_contain_text("Zébulon Énergie")  # the name starts with it
    expect(box).to_have_attribute("aria-expanded", "true")
    screenshot(page, "search-suggestions", full_page=False)
    box.press("ArrowDown")
    expect(suggestions.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(suggestions.nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#search-suggestions [data-suggestion]")).to_have_count(0)
    expect(box).to_be_focused()
    box.fill("zebul")
    expect(suggestions).to_have_count(4)
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/organisations/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_contain_text("Zébulon Énergie")
    # Enter in the box itself opens the full results page.
    page.locator("#global-search").fill("zebulon")
    page.locator("#global-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=zebulon$"))
    expect(page.locator("table.data tbody tr")).to_have_count(3)
