"""Headless Chromium from the system (Debian's `chromium`), driven by Playwright.

Playwright's own browser download is never used: the executable is the one setup installs.
"""

import os
import shutil

import pytest

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


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
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
