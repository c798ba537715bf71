"""A project team on site, on a phone (390×844, in Chinese): every page of its daily work fits
the screen's width, the building page shows its milestones as cards with a big update button,
the message after a save is in view, the map's legend folds away, and every table that still
scrolls sideways can be reached and scrolled by keyboard."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from resettlement.progress.services import milestone_update
from tests import geodata
from tests.browser.conftest import log_in, new_context
from tests.site_pages import page_urls, site_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WIDE = {"viewport": {"width": 1280, "height": 900}}
# The pages a project team uses day to day (the milestone photos are images, not pages).
DAILY_PAGES = (
    "projects:home",
    "projects:dashboard",
    "housing:building-detail",
    "progress:milestone-edit",
    "progress:milestone-bulk",
    "maps:page",
    "maps:geometry",
)
VILLAGES = ("铁炉庙一村", "铁炉庙二村")
CONTRACTOR = "陕西建工第五建设集团有限公司"


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 120, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def site(world, personas):
    """The populated site, with the names and lengths of a real project: villages named as in
    the demo, a contractor's full name, a mapped building, a node with a note and a photo."""
    site = site_build(world, personas)
    villages = list(site.project.villages.order_by("pk"))
    for village, name in zip(villages, VILLAGES, strict=True):
        village.name = name
        village.save()
    for index, building in enumerate(site.project.buildings.order_by("code")):
        building.village = villages[index % 2]
        building.contractor = CONTRACTOR
        if building.footprint is None:
            footprint = geodata.footprint(index + 2, width=0.0012, depth=0.0008)
            building.footprint = footprint.__geo_interface__
        building.save()
    milestone_update(
        milestone=site.milestone,
        values={"note": "三层顶板钢筋已绑扎，模板支设完成，准备浇筑混凝土"},
        uploads=[photo()],
        caption="三层顶板",
        by=personas["team"],
    )
    return site


def phone_page(browser, live_server, username="team", **options):
    page = new_context(browser, live_server, **(options or PHONE)).new_page()
    page.set_default_timeout(10_000)
    log_in(page, username)
    return page


def visit(page, url: str):
    response = page.goto(url)
    assert response.ok, (url, response.status)
    page.wait_for_load_state("networkidle")
    if "/map/" in url:
        page.wait_for_function("() => document.body.dataset.mapReady === 'true'")
    return page


def sideways(page) -> int:
    """How many pixels the document is wider than the screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


SUBPIXEL = 1  # layout positions are fractional: a box at y = -0.125 is in view


def inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        inside_width(page, locator)
        and box["y"] >= -SUBPIXEL
        and box["y"] + box["height"] <= size["height"] + SUBPIXEL
    )


def inside_width(page, locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["x"] >= -SUBPIXEL
        and box["x"] + box["width"] <= page.viewport_size["width"] + SUBPIXEL
    )


def overflowing_boxes(page) -> list[str]:
    """The section (its id) of each box on the page that scrolls sideways."""
    return page.evaluate(
        """() => [...document.querySelectorAll("main *")].filter((element) =>
             ["auto", "scroll"].includes(getComputedStyle(element).overflowX)
             && element.scrollWidth > element.clientWidth
           ).map((element) => (element.closest("[id]") || {}).id || element.className)"""
    )


# Reference tables that may scroll sideways inside a keyboard region: the log of changes and
# the flat grid (a grid of floors by position). The work itself (milestones, buildings) fits.
REFERENCE_SECTIONS = {"history", "flats"}


def test_no_daily_page_of_a_project_team_scrolls_sideways_on_a_phone(site, browser, live_server):
    urls = page_urls(site)
    page = phone_page(browser, live_server)
    wider = {}
    for name in DAILY_PAGES:
        url = urls[name] + (f"?project={site.project.code}" if name == "maps:page" else "")
        visit(page, url)
        overflow = sideways(page)
        hidden = set(overflowing_boxes(page)) - REFERENCE_SECTIONS
        if overflow > 0 or hidden:
            wider[name] = (overflow, hidden)
    assert wider == {}


def test_building_page_shows_each_milestone_as_a_card_with_a_big_update_button(
    site, browser, live_server
):
    page = visit(phone_page(browser, live_server), page_urls(site)["housing:building-detail"])
    cards = page.locator("#milestones [data-node]")
    assert cards.count() >= 10
    for index in range(cards.count()):
        card = cards.nth(index)
        card.scroll_into_view_if_needed()
        assert inside_width(page, card), index
        update = card.get_by_role("link", name="更新")
        expect(update).to_be_visible()
        assert inside_viewport(page, update), index
        assert update.bounding_box()["height"] >= 40, "a button a thumb can hit"
    start = page.locator("#node-start")
    start.scroll_into_view_if_needed()
    expect(start).to_contain_text("开工")
    expect(start).to_contain_text("50%")
    assert labels(start) == ["计划", "实际", "已完成"]
    thumbnail = start.locator(".photo-thumbs img")
    expect(thumbnail).to_be_visible()
    thumbnail.scroll_into_view_if_needed()
    assert inside_viewport(page, thumbnail)
    # The project supervisor also records exceptions, from the same card.
    page = visit(
        phone_page(browser, live_server, "lead"), page_urls(site)["housing:building-detail"]
    )
    exception = page.locator("#node-start").get_by_role("link", name="记录例外")
    exception.scroll_into_view_if_needed()
    assert inside_viewport(page, exception)


def labels(card) -> list[str]:
    """The column names a card shows before its values (drawn by the style sheet)."""
    return card.evaluate(
        """(card) => [...card.querySelectorAll("td")]
             .filter((cell) => getComputedStyle(cell).display !== "none")
             .map((cell) => getComputedStyle(cell, "::before").content)
             .filter((content) => content && content !== "none")
             .map((content) => JSON.parse(content))"""
    )


def test_building_page_keeps_the_milestone_table_on_a_wide_screen(site, browser, live_server):
    page = visit(
        phone_page(browser, live_server, **WIDE), page_urls(site)["housing:building-detail"]
    )
    table = page.locator("#milestones table")
    expect(table.locator("thead")).to_be_visible()
    expect(table.locator("th", has_text="时间轴")).to_be_visible()
    expect(page.locator("#node-start svg.gantt-track")).to_be_visible()


def test_dashboard_buildings_stay_readable_on_a_phone(site, browser, live_server):
    page = visit(phone_page(browser, live_server), page_urls(site)["projects:dashboard"])
    rows = page.locator("#buildings tbody tr")
    assert rows.count() == 3
    for index in range(rows.count()):
        row = rows.nth(index)
        row.scroll_into_view_if_needed()
        code, village, progress = (row.locator(f"td:nth-child({n})") for n in (1, 2, 7))
        for cell in (code, village, progress):
            expect(cell).to_be_visible()
            assert inside_width(page, cell), (index, cell)
        expect(progress).to_contain_text("%")
        # One line: a village name is not broken a character per line.
        line = float(village.evaluate("(cell) => parseFloat(getComputedStyle(cell).lineHeight)"))
        height = village.evaluate(
            "(cell) => { const range = document.createRange(); range.selectNodeContents(cell);"
            " return range.getBoundingClientRect().height; }"
        )
        assert height < 1.5 * line, (index, height, line)


def test_the_saved_message_is_in_view_after_saving_a_milestone(site, browser, live_server):
    building = site.building
    node = building.milestones.get(milestone_type__code="superstructure")
    page = phone_page(browser, live_server)
    visit(page, f"/milestones/{node.pk}/edit/")
    page.get_by_label("备注").fill("主体施工至六层")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(f"**{building.get_absolute_url()}*")
    page.wait_for_load_state("networkidle")
    message = page.locator(".messages .success")
    expect(message).to_contain_text(f"已保存 {building.code} 主体施工")
    assert inside_viewport(page, message)
    # ... and the node that was saved is in view with it.
    assert inside_viewport(
        page, page.locator("#node-superstructure").get_by_role("link", name="更新")
    )


def test_map_legend_is_folded_on_a_phone_and_opens_by_keyboard(site, browser, live_server):
    url = f"{page_urls(site)['maps:page']}?project={site.project.code}"
    page = visit(phone_page(browser, live_server), url)
    toggle = page.locator(".map-legend summary")
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text("图例")
    first = page.locator('.map-legend input[value="not_started"]')
    expect(first).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(first).to_be_visible()
    first.focus()
    page.keyboard.press("Space")
    expect(first).not_to_be_checked()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(first).to_be_hidden()

    wide = visit(phone_page(browser, live_server, **WIDE), url)
    expect(wide.locator('.map-legend input[value="not_started"]')).to_be_visible()


def test_tables_that_scroll_sideways_are_keyboard_regions_with_a_name(site, browser, live_server):
    urls = page_urls(site)
    page = phone_page(browser, live_server, "admin")
    unreachable = []
    names = (*DAILY_PAGES, "households:search", "lottery:list", "selection:event")
    for name in names:
        visit(page, urls[name])
        found = page.evaluate(
            """() => [...document.querySelectorAll("*")].filter((element) => {
                 const style = getComputedStyle(element);
                 return ["auto", "scroll"].includes(style.overflowX) && element.tagName !== "HTML"
                   && element.scrollWidth > element.clientWidth && element.querySelector("table");
               }).map((element) => ({
                 tabindex: element.getAttribute("tabindex"),
                 role: element.getAttribute("role"),
                 label: element.getAttribute("aria-label")
                   || (document.getElementById(element.getAttribute("aria-labelledby") || "") || {}).textContent
                   || "",
               }))"""
        )
        for region in found:
            if (
                region["tabindex"] != "0"
                or region["role"] != "region"
                or not region["label"].strip()
            ):
                unreachable.append((name, region))
        wrappers = page.locator(".table-wrap")
        for index in range(wrappers.count()):
            wrapper = wrappers.nth(index)
            assert wrapper.get_attribute("tabindex") == "0", (name, index)
            assert wrapper.get_attribute("role") == "region", (name, index)
            accessible = page.get_by_role("region", name=wrapper_name(wrapper), exact=True)
            assert accessible.count() >= 1, (name, index)
    assert unreachable == []


def wrapper_name(wrapper) -> str:
    label = wrapper.get_attribute("aria-label")
    if label:
        return label
    labelled = wrapper.get_attribute("aria-labelledby")
    assert labelled, "a scroll region needs a name"
    return wrapper.page.locator(f"#{labelled}").inner_text().strip()
