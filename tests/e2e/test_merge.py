"""Merging two duplicates from the list in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tandem.core.models import Entity
from tandem.core.services import create_entity
from tandem.persons.models import Organisation

from .browser import in_both_languages, login, on_both_devices, screenshot, url_of

pytestmark = pytest.mark.django_db(transaction=True)


@in_both_languages
@on_both_devices
def test_merging_two_selected_duplicates(
    page: Page, live_server, browser_user, password, language, device
):
    keep = create_entity(
        user=browser_user, model=Organisation, data={"name": "Duplicate Rockets", "website": ""}
    )
    away = create_entity(
        user=browser_user,
        model=Organisation,
        data={"name": "Duplicate Rockets Inc", "website": "rockets.example"},
    )
    login(page, live_server, browser_user.username, password)
    page.goto(url_of(live_server, "/organisations/?q=duplicate"))
    page.locator(f"input[name=selected][value='{keep.uuid}']").check()
    page.locator(f"input[name=selected][value='{away.uuid}']").check()
    page.locator("#bulk-action").select_option("merge")
    page.locator("[data-bulk-bar] button[type=submit]").click()
    expect(page.locator("table.merge-table")).to_be_visible()
    # The kept side has no website: the other's is chosen already.
    expect(page.locator("input[name=field_website][value=take]")).to_be_checked()
    page.locator("input[name=field_name][value=take]").check()
    screenshot(page, "merge-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".form-actions button.primary").click()
    expect(page).to_have_url(re.compile(rf"/organisations/{keep.uuid}/$"))
    expect(page.locator("h1")).to_contain_text("Duplicate Rockets Inc")
    assert not Entity.objects.filter(pk=away.pk).exists()
