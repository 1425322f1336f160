"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Fixtures and helpers:

- ``browser``: one headless Chromium for all browser tests (``/usr/bin/chromium``, or the
  ``TANDEM_CHROMIUM`` environment variable; ``TANDEM_HEADED=1`` shows its window);
  ``scripts/system-deps.sh test`` installs it.
- ``page``: a fresh browser context (cookies, storage) per test, in the test's ``language``
  (browser locale, hence Accept-Language) and ``device`` (desktop 1280×800 or phone 390×844).
  Parametrize with ``in_both_languages`` / ``on_both_devices``, or ask ``new_page`` for more.
  Every page fails its test on a console error, an uncaught exception or a failed request
  (a network error or an HTTP status ≥ 400): ``page_errors(page).clear()`` forgives the ones
  a test caused on purpose.
- ``live_server`` (pytest-django's) serves the application; each browser test starts from
  the default data (relation types, choice lists, the managed organisation), as after install.
- ``login(page, live_server, username, password)`` logs in through the real form;
  ``screenshot(page, name)`` saves ``test-output/screenshots/<language>/<name>.png``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tandem.core.models import User
from tandem.core.populate import populate_all

from .browser import CHROMIUM, DEVICES, LOCALES, TIMEOUT_MS, page_errors, watch


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_page_errors: do not fail the test on console errors or failed requests"
    )


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio loop in the test thread, which makes Django's
    # async-safety check refuse the ORM there; the tests' own queries are plain sync code.
    # Package scope: the loop (and this setting) ends with the last browser test.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        yield driver
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `bash scripts/system-deps.sh test` (as "
            "root) or point TANDEM_CHROMIUM at a Chromium binary.",
            pytrace=False,
        )
    headed = os.environ.get("TANDEM_HEADED", "").lower() in {"1", "true", "yes"}
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=not headed)
    yield browser
    browser.close()


@pytest.fixture
def language() -> str:
    """The browser's language; parametrize with ``in_both_languages`` for English and French."""
    return "en"


@pytest.fixture
def device() -> str:
    """``desktop`` or ``phone``; parametrize with ``on_both_devices``."""
    return "desktop"


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Open a page in its own browser context: ``new_page(language="fr", device="phone")``."""
    contexts = []
    pages: list[Page] = []

    def make(language: str = "en", device: str = "desktop") -> Page:
        context = browser.new_context(
            locale=LOCALES[language], timezone_id="UTC", **DEVICES[device]
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch(page, language, device)
        pages.append(page)
        return page

    yield make
    problems = [] if request.node.get_closest_marker("allow_page_errors") else pages
    report = [
        f"{page.url}: {message}" for page in problems for message in page_errors(page).messages
    ]
    for context in contexts:
        context.close()
    if report:
        pytest.fail("browser errors during the test:\n" + "\n".join(report), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., Page], language: str, device: str) -> Page:
    return new_page(language=language, device=device)


_BLOCKER = pytest.StashKey()


@pytest.fixture(autouse=True)
def _default_data(request: pytest.FixtureRequest, django_db_blocker) -> None:
    """Each browser test starts from the default data, as after `tandem setup`.

    Browser tests need a transactional database (the live server's thread must see what the
    test commits), and Django empties every table after each transactional test: the data
    tests/conftest.py populated for the session is gone for the next one. So populate again
    here, and again after the flush (see pytest_runtest_teardown) for the tests that follow.
    """
    request.getfixturevalue("transactional_db")
    request.node.stash[_BLOCKER] = django_db_blocker
    populate_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    blocker = item.stash.get(_BLOCKER, None)
    # The last test's teardown has also destroyed the test database: nothing to restore then.
    if blocker is not None and nextitem is not None:
        with blocker.unblock():
            populate_all()
    return result


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hash with MD5 while testing: the default hasher takes ~0.3 s per new user and login."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password() -> str:
    return "a-long-password-42"


@pytest.fixture
def browser_user(password: str) -> User:
    """A user with no saved language (the browser's then applies)."""
    return User.objects.create_user("alice", password=password)
