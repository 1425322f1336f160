"""The import wizard in the browser: a file from the menu to the report, in both languages,
and a large file whose progress bar turns into the report when the background worker is done."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tandem.core.models import Relation
from tandem.io.models import ImportJob
from tandem.persons.models import Contact, Organisation

from .browser import htmx_settled, in_both_languages, login, screenshot, url_of

pytestmark = pytest.mark.django_db(transaction=True)

FILES = Path(__file__).parents[1] / "io" / "files"
IMPORT_MENU = {"en": "Import a file", "fr": "Importer un fichier"}


@in_both_languages
def test_a_google_contacts_file_from_the_menu_to_the_report(
    page: Page, live_server, browser_user, password, language
):
    login(page, live_server, "alice", password)
    page.locator("summary", has=page.locator(".menu-label")).first.click()
    page.get_by_role("link", name=IMPORT_MENU[language]).click()
    page.locator("#import-file").set_input_files(FILES / "C011b_google_csv_legacy_utf16le_bom.csv")
    screenshot(page, "import-1-file")
    page.locator("form button.primary").click()

    # Preview: the UTF-16 file is read as such, its multi-line address stays one cell.
    expect(page.locator("#encoding")).to_have_value("utf-16-le")
    expect(page.locator("table.preview thead")).to_contain_text("Given Name")
    expect(page.locator("table.preview tbody tr")).to_have_count(1)
    screenshot(page, "import-2-preview")
    page.locator("button[name=next][value=mapping]").click()

    # Mapping: guessed from Google's headers.
    given = page.locator("tr", has=page.locator("th", has_text=re.compile("^Given Name$")))
    expect(given.locator("select")).to_have_value("first_name")
    screenshot(page, "import-3-mapping")
    page.locator("button[name=action][value=run]").click()

    # Report: one contact, the placeholder phone words told, the contact linked.
    expect(page.locator(".stats .stat").first).to_contain_text("1")
    expect(page.locator("table.data")).to_contain_text("pager")
    screenshot(page, "import-4-report")
    page.get_by_role("link", name="Prefix Firstname Middle Lastname Suffix").click()
    expect(page.locator("h1")).to_contain_text("Firstname")
    contact = Contact.objects.get(last_name="Lastname")
    assert Relation.objects.filter(subject=contact, object__label="company").exists()


def test_a_large_file_shows_progress_then_its_report(
    page: Page, live_server, browser_user, password, settings
):
    settings.TANDEM_IMPORT_INLINE_ROWS = 0
    login(page, live_server, "alice", password)
    page.goto(url_of(live_server, "/imports/?type=organisations"))
    expect(page.locator("input[value=organisations]")).to_be_checked()
    page.locator("#import-file").set_input_files(FILES / "constituents.csv")
    page.locator("form button.primary").click()
    page.locator("button[name=next][value=mapping]").click()
    sector = page.locator("tr", has=page.locator("th", has_text="GICS Sector"))
    expect(sector.locator("select")).to_have_value("sector")
    page.locator("button[name=action][value=run]").click()

    expect(page.locator("progress.import-bar")).to_be_visible()
    screenshot(page, "import-progress")
    assert ImportJob.objects.get().status == "queued"
    # The worker runs in this thread on the live server's in-memory SQLite database, which
    # one writer locks whole: the page's polls wait (204, htmx keeps the page) until it is done.
    page.route("**/imports/*/", lambda route: route.fulfill(status=204))
    call_command("worker", "--batch", verbosity=0)
    page.unroute("**/imports/*/")
    # The page polls the job and swaps in the report by itself.
    expect(page.locator(".stats")).to_contain_text("503")
    htmx_settled(page)
    assert Organisation.objects.filter(name="Zoetis").exists()
