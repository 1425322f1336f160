"""Helpers for browser tests: languages, devices, page errors, screenshots, logging in."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Request as PlaywrightRequest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")

LANGUAGES = ("en", "fr")
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# The login form's button, as each language labels it (src/tandem/locale/fr/.../django.po).
LOG_IN = {"en": "Log in", "fr": "Se connecter"}
TIMEOUT_MS = 10_000

in_both_languages = pytest.mark.parametrize("language", LANGUAGES)
on_both_devices = pytest.mark.parametrize("device", tuple(DEVICES))


@dataclass
class PageErrors:
    """What went wrong in a page: console errors, uncaught exceptions and failed requests."""

    messages: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location.get("url", "")
            self.messages.append(f"console error: {message.text} ({location})")

    def exception(self, error: PlaywrightError) -> None:
        self.messages.append(f"uncaught exception: {error}")

    def request_failed(self, request: PlaywrightRequest) -> None:
        # Aborted by the page itself (htmx drops a request that a newer one replaces, a
        # navigation stops pending loads): no server answered wrongly.
        if request.failure != "net::ERR_ABORTED":
            self.messages.append(f"request failed: {request.url} ({request.failure})")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            request = response.request
            self.messages.append(f"HTTP {response.status}: {request.method} {response.url}")

    def clear(self) -> None:
        self.messages.clear()


@dataclass
class PageInfo:
    language: str
    device: str
    errors: PageErrors


_pages: WeakKeyDictionary[Page, PageInfo] = WeakKeyDictionary()


def watch(page: Page, language: str, device: str) -> None:
    """Record what goes wrong in ``page`` and remember its language and device."""
    errors = PageErrors()
    page.on("console", errors.console)
    page.on("pageerror", errors.exception)
    page.on("requestfailed", errors.request_failed)
    page.on("response", errors.response)
    _pages[page] = PageInfo(language=language, device=device, errors=errors)


def page_errors(page: Page) -> PageErrors:
    return _pages[page].errors


def assert_no_page_errors(page: Page) -> None:
    errors = page_errors(page).messages
    assert not errors, "the page had errors:\n" + "\n".join(errors)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``test-output/screenshots/<language>/<name>[-phone].png`` and return its path."""
    info = _pages[page]
    suffix = "" if info.device == "desktop" else f"-{info.device}"
    path = SCREENSHOTS / info.language / f"{name}{suffix}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def htmx_settled(page: Page) -> None:
    """Wait until htmx has no request in flight and has settled what it swapped in.

    htmx wires the controls of new content (their hx-get, hx-trigger…) when it settles, some
    milliseconds after the content appears: typing into a search box before then sends nothing.
    """
    page.wait_for_function(
        "() => !!window.htmx"
        " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"
    )


def url_of(live_server, path: str = "/") -> str:
    """An absolute URL on the live server (``live_server`` may also be its URL as a string)."""
    base = live_server if isinstance(live_server, str) else live_server.url
    return base.rstrip("/") + path


def login(
    page: Page, live_server, username: str, password: str, language: str | None = None
) -> None:
    """Log in through the real login form, as a person would.

    ``language`` is the language the login page shows (it names the button to press); by
    default the page's browser language.
    """
    language = language or _pages[page].language
    page.goto(url_of(live_server, "/login/"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=LOG_IN[language]).click()


def logout(page: Page) -> None:
    """Log out through the user menu in the header."""
    page.locator("details.user-menu > summary").click()
    with page.expect_navigation():
        page.locator("details.user-menu button[type=submit]").click()


def path_is(path: str) -> re.Pattern[str]:
    """For ``expect(page).to_have_url(...)``: the URL's path is ``path``, any query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")
