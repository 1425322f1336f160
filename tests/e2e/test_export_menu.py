"""The list pages' Export menu in a real browser: it opens, looks like the page's other
menus, fits a phone's screen, and its entries download files."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tandem.core.services import create_entity
from tandem.persons.models import Contact

from .browser import in_both_languages, login, on_both_devices, screenshot, url_of

pytestmark = pytest.mark.django_db(transaction=True)


@in_both_languages
@on_both_devices
def test_the_export_menu_downloads_the_filtered_list(
    page: Page, live_server, browser_user, password, language, device
):
    for first, last in (("Zoé", "Dupont"), ("Max", "Martin")):
        create_entity(
            user=browser_user, model=Contact, data={"first_name": first, "last_name": last}
        )
    login(page, live_server, browser_user.username, password)
    page.goto(url_of(live_server, "/contacts/?q=dupont"))
    menu = page.locator("details.export-menu")
    menu.locator("summary").click()
    entries = menu.locator("ul a")
    expect(entries).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "contacts-export-menu", full_page=False)
    with page.expect_download() as download:
        entries.first.click()
    assert download.value.suggested_filename.startswith("contacts-")
    assert download.value.suggested_filename.endswith(".csv")
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Zoé Dupont" in content and "Max Martin" not in content


def test_exporting_through_a_broken_filter_comes_back_to_the_list_with_why(
    page: Page, live_server, browser_user, password
):
    from tandem.core.services import delete_entity, trash_entity
    from tandem.persons import constants
    from tandem.persons.models import Organisation
    from tests.factories import relation_filter

    supplier = create_entity(user=browser_user, model=Organisation, data={"name": "Gone Ltd"})
    broken = relation_filter(
        browser_user,
        Organisation,
        "Customers of Gone",
        constants.REL_SUB_CUSTOMER_SUPPLIER,
        supplier,
    )
    trash_entity(user=browser_user, entity=supplier)
    delete_entity(user=browser_user, entity=supplier)
    login(page, live_server, browser_user.username, password)
    page.goto(url_of(live_server, f"/organisations/?filter={broken.pk}"))
    menu = page.locator("details.export-menu")
    menu.locator("summary").click()
    menu.locator("ul a").first.click()  # no file: the list again, with the reason on top
    page.wait_for_load_state()
    expect(page.locator(".message.error")).to_contain_text("an entity it names has been deleted")
