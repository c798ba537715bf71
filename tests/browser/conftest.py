"""Headless Chromium from the system (Debian's `chromium`), driven by Playwright.

Playwright's own browser download is never used: the executable is the one setup installs.

Pages are seen as users see them: a Chinese browser (zh-CN, Beijing time) and the interface in
its default language, Chinese. A test parametrizes `language` (e.g. `["en"]`) for the
interface in another language, which is then chosen as users choose it (the language cookie
the switcher sets), or `browser_locale` for a browser set to another language.
"""

import os
import shutil

import pytest
from django.conf import settings

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for candidate in (shutil.which("chromium"), *CANDIDATES):
        if candidate and os.path.exists(candidate):
            return candidate
    pytest.fail(
        "Chromium not found: run `make setup` (installs Debian's chromium) or set CHROMIUM_PATH."
    )


@pytest.fixture
def browser():
    """One Playwright per test. While Playwright's sync API runs, the test thread has a running
    event loop, so Django keeps its database connections in a separate (context-var) store;
    a session-wide Playwright would hide the test database's serialized state from the next
    test's setup. The connections opened meanwhile are closed before Playwright stops."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        yield browser
        browser.close()
        connections.close_all()


BROWSER_LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}


@pytest.fixture
def language() -> str:
    """The interface language of the test's pages: the default one, Chinese."""
    return settings.LANGUAGE_CODE


@pytest.fixture
def browser_locale(language) -> str:
    """The browser's own language (Accept-Language, date and number inputs' display)."""
    return BROWSER_LOCALES[language]


def new_context(browser, live_server, *, language=None, locale=None, **options):
    """A browser context as staff have it: Beijing time, a browser in `locale` (by default
    the one of `language`), the interface in `language` (by default Chinese)."""
    language = language or settings.LANGUAGE_CODE
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(
        base_url=live_server.url,
        locale=locale or BROWSER_LOCALES[language],
        timezone_id=settings.TIME_ZONE,
        **options,
    )
    if language != settings.LANGUAGE_CODE:
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
        context.add_cookies([cookie])
    return context


@pytest.fixture
def page(browser, live_server, language, browser_locale):
    context = new_context(browser, live_server, language=language, locale=browser_locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, username: str, password: str = "pw") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
