"""Logging in and out, the home page and the language switch, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Response, expect

from tandem.core.models import User

from .browser import (
    LOG_IN,
    in_both_languages,
    login,
    logout,
    on_both_devices,
    path_is,
    screenshot,
    url_of,
)

TITLES = {
    "en": {"login": "Log in to Tandem", "home": "Welcome to Tandem"},
    "fr": {"login": "Connexion à Tandem", "home": "Bienvenue dans Tandem"},
}
WRONG_PASSWORD = {
    "en": "Your username and password didn't match. Please try again.",
    # Django's own French catalogue has this message (Tandem's leaves it empty).
    "fr": re.compile(r"ne correspondent pas"),
}
# Front-end files every page loads; a missing one breaks htmx, the small behaviours or icons.
STATIC_FILES = ("/htmx.min.js", "/tandem/tandem.js", "/sprite.svg")


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@in_both_languages
@on_both_devices
def test_login_page_speaks_the_browser_language(page: Page, live_server, language, device):
    page.goto(url_of(live_server, "/login/"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[language]["login"])
    expect(page.get_by_role("button", name=LOG_IN[language])).to_be_visible()
    expect(page.locator("#id_username")).to_be_focused()
    expect(page.locator("#language-choice")).to_have_value(language)
    assert no_horizontal_scroll(page)
    screenshot(page, "login")


@in_both_languages
def test_a_wrong_password_says_so_and_stays_on_the_login_page(
    page: Page, live_server, browser_user, language
):
    login(page, live_server, "alice", "not-the-password")
    expect(page).to_have_url(path_is("/login/"))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(WRONG_PASSWORD[language])
    expect(page.locator("#id_username")).to_have_value("alice")
    expect(page.locator("#id_password")).to_have_value("")
    screenshot(page, "login-error")


@in_both_languages
@on_both_devices
def test_the_right_password_lands_on_the_home_page_with_its_files(
    page: Page, live_server, browser_user, password, language, device
):
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    login(page, live_server, "alice", password)
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[language]["home"])
    # The managed organisation created by the default data.
    expect(page.get_by_role("link", name="ReplaceByYourCompany").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    loaded = {response.url: response.status for response in responses}
    for name in STATIC_FILES:
        found = {url: status for url, status in loaded.items() if url.split("?")[0].endswith(name)}
        assert found, f"the page did not load {name}; it loaded {sorted(loaded)}"
        assert set(found.values()) == {200}, found
    assert page.evaluate("typeof window.htmx") == "object"
    if device == "phone":
        assert no_horizontal_scroll(page)
    screenshot(page, "home")
    # Console errors and failed requests fail the test in the page fixture's teardown.


def test_the_language_switch_translates_and_is_kept_on_the_account(
    page: Page, live_server, browser_user, password, new_page
):
    login(page, live_server, "alice", password)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("fr")
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["fr"]["home"])
    assert User.objects.get(username="alice").language == "fr"

    logout(page)
    expect(page).to_have_url(path_is("/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["fr"]["login"])

    # Another browser, in English and without the cookie: the account's choice wins.
    elsewhere = new_page(language="en")
    login(elsewhere, live_server, "alice", password, language="en")
    expect(elsewhere).to_have_url(path_is("/"))
    expect(elsewhere.locator("html")).to_have_attribute("lang", "fr")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text(TITLES["fr"]["home"])


def test_logout_ends_the_session(page: Page, live_server, browser_user, password):
    login(page, live_server, "alice", password)
    logout(page)
    expect(page).to_have_url(path_is("/login/"))
    expect(page.locator("details.user-menu")).to_have_count(0)
    page.goto(url_of(live_server, "/"))
    expect(page).to_have_url(url_of(live_server, "/login/?next=/"))


def test_tab_from_the_top_reaches_skip_to_content_first(
    page: Page, live_server, browser_user, password
):
    login(page, live_server, "alice", password)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
