"""Every page has the site's icon: no page, whether it names the icon (the site's own pages,
the board, the public notice, error pages) or not (the admin), makes the browser report a
missing favicon, and /favicon.ico answers with the icon."""

import pytest

from tests.browser.conftest import log_in, new_context
from tests.site_pages import page_urls, site_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_no_page_reports_a_missing_favicon(browser, live_server, world, personas):
    urls = page_urls(site_build(world, personas))
    context = new_context(browser, live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    # The console names no address: any error on a page that answers 200 counts (the 404
    # page's own status is reported there too).
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "no-such-page" not in page.url
            and problems.append(f"{page.url}: {message.text}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            "favicon" in response.url
            and response.status >= 400
            and problems.append(f"{page.url}: {response.url} {response.status}")
        ),
    )
    page.on(
        "requestfailed",
        lambda request: (
            "favicon" in request.url
            and "ERR_ABORTED" not in (request.failure or "")
            and problems.append(f"{request.url}: {request.failure}")
        ),
    )
    icons: list[str] = []
    page.on("request", lambda request: "favicon" in request.url and icons.append(request.url))
    page.goto("/accounts/login/")
    log_in(page, "admin")
    for url in (
        urls["projects:home"],
        urls["projects:dashboard"],
        urls["selection:board"],
        urls["lottery:notice"],
        "/no-such-page/",
        "/admin/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    context.close()
    assert icons, "no page asked for an icon"
    assert problems == []


def test_favicon_ico_answers_with_the_icon(browser, live_server):
    context = new_context(browser, live_server)
    response = context.request.get("/favicon.ico")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.body()
    context.close()
