"""Accessibility in headless Chromium: axe-core's WCAG 2.1 A/AA rules on every page of the site
as every role sees it (phones at 390×844; the administrator and the public also at 1920×1080,
the projector's size), and what axe cannot judge alone: the sign-in error tied to its fields,
the focus outline's contrast in the top bar."""

import contextlib
import re

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from maps.palette import contrast_ratio
from tests.browser.axe import assert_accessible, axe_violations, describe
from tests.browser.conftest import log_in, new_context
from tests.form_pages import form_pages, form_site_build
from tests.site_pages import site_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1920, "height": 1080}
# Pages that go on fetching once loaded (map data, the board's data, the API schema).
FETCHING = re.compile(r"/map/|/board/|/api/docs/")
CRAWLS = [
    *((persona, PHONE) for persona in ("admin", "team", "lead", "clerk", "supervisor")),
    *((persona, PHONE) for persona in ("leader", "outsider", None)),
    ("admin", SCREEN),
    (None, SCREEN),
]


def crawl_id(value) -> str:
    if isinstance(value, dict):
        return f"{value['width']}x{value['height']}"
    return value or "anonymous"


def settle(page) -> None:
    """Wait until the page's own requests are done; a page that keeps a request open (the map
    of a user with no project) is checked as it stands after a few seconds."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=5_000)


def html_pages(page, urls: list[str]):
    """The addresses among `urls` that answer this user with a page (not a file, a refusal
    or a form's POST-only address), each opened and settled."""
    for url in urls:
        response = page.request.get(url, max_redirects=0)
        if response.status != 200 or "text/html" not in response.headers["content-type"]:
            continue
        page.goto(url)
        if FETCHING.search(url):
            settle(page)
        yield url


@pytest.mark.parametrize(("persona", "viewport"), CRAWLS, ids=crawl_id)
def test_every_page_has_no_serious_wcag_violation(
    world, personas, browser, live_server, persona, viewport
):
    if connection.vendor != "sqlite":
        # The pages are the same on either database: crawled once, in the SQLite pass.
        pytest.skip("crawled in the SQLite pass")
    urls = [url for url in form_pages(form_site_build(world, personas)) if "logout" not in url]
    context = new_context(browser, live_server, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if persona:
        log_in(page, persona)
    failures, checked = [], []
    for url in html_pages(page, urls):
        checked.append(url)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{url}\n{describe(violations)}")
    context.close()
    assert failures == [], "\n".join(failures)
    # The crawl saw what this user works with (a page that stopped answering would pass).
    expected = {
        "admin": ["/api/docs/", "/desks/1/", "/lotteries/", "/rules/", "/milestones/template/"],
        "team": ["/buildings/", "/milestones/bulk/", "/geodata/"],
        "clerk": ["/desks/1/"],
        "supervisor": ["/rules/", "/lotteries/"],
        None: ["/accounts/login/", "/notices/lotteries/", "/board/"],
    }.get(persona, [])
    for part in expected:
        assert any(part in url for url in checked), (part, checked)


def test_desk_console_in_use_has_no_serious_wcag_violation(world, personas, browser, live_server):
    site = site_build(world, personas)
    context = new_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    log_in(page, "clerk")
    page.goto(reverse("selection:desk-console", args=[site.event.pk, 2]))
    assert_accessible(page)
    waiting = site.event.queue.filter(status="waiting").order_by("position").first()
    page.click("#call-next")
    expect(page.locator("#household-card .call-number")).to_have_text(str(waiting.order_no))
    assert_accessible(page)
    page.check("#offer .offer-flat input >> nth=0")
    page.click("#hold")
    expect(page.locator("#held .countdown")).to_be_visible()
    assert_accessible(page)
    context.close()


def test_sign_in_error_is_tied_to_both_fields(personas, page):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.fill("#id_username", "team")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    error = page.locator(".login .errorlist")
    expect(error).to_have_text("用户名或密码错误，或账户已停用。")
    expect(error).to_have_attribute("role", "alert")
    for field in ("#id_username", "#id_password"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(field)).to_have_accessible_description(
            "用户名或密码错误，或账户已停用。"
        )
    # Before any attempt, nothing is marked.
    page.goto("/accounts/login/")
    expect(page.locator("#id_username")).not_to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def rgb_hex(css_colour: str) -> str:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_colour)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_focus_outline_in_the_top_bar_stands_out_3_to_1(personas, page):
    page.set_viewport_size(PHONE)
    log_in(page, "admin")
    links = page.locator("header.topbar a")
    for index in range(links.count()):  # the brand, then each menu entry
        page.keyboard.press("Tab")
        link = links.nth(index)
        expect(link).to_be_focused()
        style = link.evaluate(
            """(element) => {
              const own = getComputedStyle(element);
              const bar = getComputedStyle(element.closest(".topbar"));
              return { colour: own.outlineColor, style: own.outlineStyle,
                       width: parseFloat(own.outlineWidth), bar: bar.backgroundColor };
            }"""
        )
        assert style["style"] == "solid", style
        assert style["width"] >= 2, style
        ratio = contrast_ratio(rgb_hex(style["colour"]), rgb_hex(style["bar"]))
        assert ratio >= 3, (link.inner_text(), style, ratio)


def test_api_docs_declare_their_language_and_pass_axe(personas, page):
    page.set_viewport_size(SCREEN)
    log_in(page, "team")
    page.goto("/api/docs/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".opblock-get").first).to_be_visible()
    assert_accessible(page)
    operation = page.locator(".opblock-get", has_text="/api/v1/projects/").first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    expect(
        operation.locator(".live-responses-table tr.response .response-col_status")
    ).to_have_text("200")
    assert_accessible(page)
