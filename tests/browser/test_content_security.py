"""The main pages under the Content-Security-Policy in headless Chromium, as an administrator
and as a project team: the browser reports no violation and no script error, and what the
pages do by script still works (quick-value buttons, select all, the language switcher, the
map, the board, the desk's htmx panel, the admin, Swagger UI)."""

import pytest
from playwright.sync_api import expect

from maps.palette import PHASE_STYLES
from resettlement.housing.models import Phase
from tests.browser.conftest import log_in, new_context
from tests.site_pages import page_urls, site_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Registered before any page script: every violation is reported on the console.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
}, true);
"""


class Watched:
    """A logged-in page whose CSP violations, console errors about the policy and script
    errors are collected."""

    def __init__(self, browser, live_server, username: str):
        self.context = new_context(browser, live_server, viewport={"width": 1920, "height": 1080})
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        log_in(self.page, username)

    def _console(self, message) -> None:
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response.ok, (url, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("networkidle")
        return self.page

    def assert_clean(self) -> None:
        self.page.wait_for_load_state("networkidle")
        assert self.problems == []


def phase_colour(phase: Phase) -> str:
    colour = PHASE_STYLES[phase].colour
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.fixture
def site(world, personas):
    return site_build(world, personas)


def check_milestone_edit(watched, urls):
    page = watched.visit(urls["progress:milestone-edit"])
    page.click("button[data-value='80']")
    expect(page.locator("#id_percent")).to_have_value("80")


def check_bulk(watched, urls):
    page = watched.visit(urls["progress:milestone-bulk"])
    boxes = page.locator(".building-checks input[type=checkbox]")
    assert boxes.count() >= 2
    page.click("button[data-select-all]")
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()


def check_map(watched, urls, project_code):
    page = watched.visit(f"{urls['maps:page']}?project={project_code}")
    page.wait_for_function("() => document.body.dataset.mapReady === 'true'")
    assert page.evaluate("document.body.dataset.buildingsShown") == "1"
    swatch = page.locator(".map-legend .swatch.phase-not_started")
    expect(swatch).to_have_css("background-color", phase_colour(Phase.NOT_STARTED))
    page.evaluate(
        """() => window.resettlementMap.map.eachLayer((layer) => {
             if (layer.feature && layer.getBounds) layer.openPopup();
           })"""
    )
    popup = page.locator(".building-popup")
    expect(popup).to_contain_text("5#")
    expect(popup.locator(".phase-chip")).to_have_css(
        "background-color", phase_colour(Phase.FOUNDATION)
    )


def check_dashboard_and_building(watched, urls):
    page = watched.visit(urls["projects:dashboard"])
    expect(page.locator("#flats-by-status meter.bar").first).to_be_visible()
    expect(page.locator("#buildings progress.bar").first).to_be_visible()
    expect(page.locator("#delayed.card.alert")).to_contain_text("5#")
    page = watched.visit(urls["housing:building-detail"])
    expect(page.locator(".badge.phase")).to_have_css(
        "background-color", phase_colour(Phase.FOUNDATION)
    )
    started = page.locator("#node-start svg.gantt-track")
    expect(started.locator("rect.gantt-plan")).to_have_count(1)
    expect(started.locator("rect.gantt-actual.late")).to_have_count(1)
    expect(started.locator("line.gantt-today")).to_have_count(1)


def check_api_docs(watched):
    page = watched.visit("/api/docs/")
    operation = page.locator(".opblock-get", has_text="/api/v1/projects/").first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    expect(
        operation.locator(".live-responses-table tr.response .response-col_status")
    ).to_have_text("200")


def check_language_switcher(watched, urls):
    page = watched.visit(urls["projects:home"])
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    with page.expect_navigation():
        page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_main_pages_as_an_administrator_raise_no_violation(site, personas, browser, live_server):
    urls = page_urls(site)
    watched = Watched(browser, live_server, "admin")
    for name in ("projects:home", "households:search", "lottery:detail", "selection:event"):
        watched.visit(urls[name])
    check_dashboard_and_building(watched, urls)
    check_milestone_edit(watched, urls)
    check_bulk(watched, urls)
    check_map(watched, urls, site.project.code)

    page = watched.visit(urls["selection:board"])
    expect(page.locator('.building[data-building="5#"] td[data-room="1-101"]')).to_be_visible()
    page = watched.visit(
        page_urls(site)["selection:desk-console"].replace("/desks/1/", "/desks/2/")
    )
    waiting = site.event.queue.filter(status="waiting").order_by("position").first()
    page.click("#call-next")
    expect(page.locator("#household-card .call-number")).to_have_text(str(waiting.order_no))
    page.check("#offer .offer-flat input >> nth=0")
    page.click("#hold")
    expect(page.locator("#held .countdown")).to_be_visible()

    page = watched.visit("/admin/")
    expect(page.locator("#content")).to_be_visible()
    page = watched.visit(f"/admin/housing/building/{site.building.pk}/change/")
    expect(page.locator("input[name=_save]")).to_be_visible()
    watched.visit("/admin/households/household/")
    check_api_docs(watched)
    check_language_switcher(watched, urls)
    watched.assert_clean()


def test_main_pages_as_a_project_team_raise_no_violation(site, personas, browser, live_server):
    urls = page_urls(site)
    watched = Watched(browser, live_server, "team")
    for name in ("projects:home", "maps:geometry", "imports:page"):
        watched.visit(urls[name])
    check_dashboard_and_building(watched, urls)
    check_milestone_edit(watched, urls)
    check_bulk(watched, urls)
    check_map(watched, urls, site.project.code)
    check_api_docs(watched)
    check_language_switcher(watched, urls)
    watched.assert_clean()
