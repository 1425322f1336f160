"""The list's bulk bar in a real browser: change a field on the selected rows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tandem.core.services import create_entity
from tandem.persons.models import Organisation, Sector

from .browser import in_both_languages, login, on_both_devices, screenshot, url_of

pytestmark = pytest.mark.django_db(transaction=True)


@in_both_languages
@on_both_devices
def test_changing_a_field_on_selected_rows(
    page: Page, live_server, browser_user, password, language, device
):
    names = ["Bulk Alpha", "Bulk Beta", "Bulk Gamma"]
    for name in names:
        create_entity(user=browser_user, model=Organisation, data={"name": name})
    retail = Sector.objects.get(name="Retail")
    login(page, live_server, browser_user.username, password)
    page.goto(url_of(live_server, "/organisations/?q=bulk"))
    boxes = page.locator("tbody input[name=selected]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#bulk-action").select_option("field")
    with page.expect_response(lambda response: "/bulk/field/" in response.url):
        page.locator("#bulk-field-name").select_option("sector")
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling')")
    page.locator("#bulk-field select[name=value]").select_option(str(retail.pk))
    screenshot(page, "bulk-change-a-field", full_page=False)
    page.locator("[data-bulk-bar] button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()
    changed = set(Organisation.objects.filter(sector=retail).values_list("name", flat=True))
    assert changed == {"Bulk Alpha", "Bulk Beta"}


def test_trashing_every_row_of_a_list_asks_with_the_count(
    page: Page, live_server, browser_user, password
):
    for number in range(30):  # more than a page, so "apply to all" is offered
        create_entity(user=browser_user, model=Organisation, data={"name": f"Trash {number:02}"})
    login(page, live_server, browser_user.username, password)
    page.goto(url_of(live_server, "/organisations/?q=trash"))
    page.locator("tbody input[name=selected]").nth(0).check()
    page.locator("#bulk-action").select_option("trash")
    page.locator("input[name=scope][value=all]").check()
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator("[data-bulk-bar] button[type=submit]").click()
    page.wait_for_function("true")
    assert asked == ["Move all 30 rows of this list to the trash, not only the selected ones?"]
    assert Organisation.objects.filter(is_deleted=True).count() == 0  # dismissed: nothing
