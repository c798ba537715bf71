"""The board on a 1080p projector, as the hall sees it: every flat of a selection day the size
of the demo's (漳浒: eight buildings of 18 floors) is shown on the screen, one page after the
other when they do not all fit, in text readable from the back of the hall; the clock is the
real time and ticks while nothing changes, beside the time of the last data change."""

import datetime
import re
import time
import zoneinfo

import pytest
from django.conf import settings
from playwright.sync_api import expect

from resettlement.housing.models import Flat
from resettlement.selection.board import board_link_create
from tests.browser.conftest import new_context
from tests.selection_fixtures import demo_sized_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
HALL = {"width": 1920, "height": 1080}
MIN_REM = 1.2
PAGE_WAIT_MS = 25_000  # the board turns its page every 10 s

# Every flat cell in the viewport and inside the buildings' box (not clipped), and the smallest
# text size in the grid, in rem.
SEEN = """() => {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const box = document.getElementById("buildings").getBoundingClientRect();
  const seen = [];
  let smallest = Infinity;
  for (const td of document.querySelectorAll("#buildings td.f")) {
    const r = td.getBoundingClientRect();
    if (!r.width || !r.height) continue;  // on another page
    const inside = r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight
      && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
      && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
    if (inside) seen.push(td.closest(".building").dataset.building + " " + td.dataset.room);
  }
  for (const element of document.querySelectorAll("#buildings *")) {
    const text = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (text && element.getBoundingClientRect().width) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(element).fontSize) / rem);
    }
  }
  return {seen, smallest, page: document.body.dataset.page || "1",
          scroll: document.documentElement.scrollHeight};
}"""


def hall_board(browser, live_server, event):
    _link, token = board_link_create(event=event)
    board = new_context(browser, live_server, viewport=HALL).new_page()
    board.set_default_timeout(10_000)
    board.goto(f"/board/{token}/")
    expect(board.locator("#buildings td.f").first).to_be_visible()
    return board


def every_flat_seen(board) -> tuple[set[str], set[str]]:
    """Every flat the board shows on its own pages (waiting for them to turn), and the page
    indicator's texts."""
    seen: set[str] = set()
    indicators: set[str] = set()
    pages: dict[str, float] = {}
    while True:
        state = board.evaluate(SEEN)
        assert state["smallest"] >= MIN_REM - 0.001, f"text of {state['smallest']:.2f} rem"
        assert state["scroll"] <= HALL["height"], "the board itself never scrolls"
        if state["page"] in pages:
            return seen, indicators
        pages[state["page"]] = state["smallest"]
        seen.update(state["seen"])
        page = board.locator("#page")
        if page.is_visible():
            indicators.add(page.inner_text())
        board.wait_for_function(
            "(page) => (document.body.dataset.page || '1') !== page",
            arg=state["page"],
            timeout=PAGE_WAIT_MS,
        )


def all_flats(event) -> set[str]:
    flats = Flat.objects.filter(building__in=event.buildings.all())
    return {
        f"{code} {stairwell}-{room}"
        for code, stairwell, room in flats.values_list("building__code", "stairwell", "room")
    }


def test_every_flat_of_a_demo_sized_day_is_on_the_1080p_screen_in_large_text(
    personas, browser, live_server
):
    event = demo_sized_day(by=personas["supervisor"])
    expected = all_flats(event)
    assert len(expected) == 576
    board = hall_board(browser, live_server, event)
    seen, indicators = every_flat_seen(board)
    assert seen == expected, sorted(expected - seen)[:10]
    pages = int(board.evaluate("document.body.dataset.pages || '1'"))
    if pages > 1:
        assert indicators == {f"第{n}/{pages}页" for n in range(1, pages + 1)}


def test_a_large_day_pages_through_its_buildings_at_the_minimum_size(
    personas, browser, live_server
):
    event = demo_sized_day(by=personas["supervisor"], codes=range(1, 17))
    board = hall_board(browser, live_server, event)
    expect(board.locator("#page")).to_have_text(re.compile(r"^第1/[3-9]页$"))
    state = board.evaluate(SEEN)
    assert state["smallest"] >= MIN_REM - 0.001
    shown = board.locator(".building:visible")
    codes = shown.evaluate_all("(boxes) => boxes.map((box) => box.dataset.building)")
    assert codes[0] == "1#" and len(codes) < 16
    assert {flat.split()[0] for flat in state["seen"]} == set(codes), "whole buildings"
    assert len(state["seen"]) == 72 * len(codes)


def test_the_clock_shows_the_real_time_and_ticks_while_the_data_stays_the_same(
    personas, browser, live_server
):
    event = demo_sized_day(by=personas["supervisor"], codes=[5])
    board = hall_board(browser, live_server, event)
    expect(board.locator("#updated")).to_have_text(re.compile(r"^数据更新于 \d\d:\d\d:\d\d$"))
    updated = board.locator("#updated").inner_text()
    version = board.evaluate("document.body.dataset.version")
    first = board.locator("#clock").inner_text()
    time.sleep(2.2)
    later = board.locator("#clock").inner_text()
    assert later != first, "the clock ticks"
    now = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    shown = datetime.datetime.combine(now.date(), datetime.time.fromisoformat(later), now.tzinfo)
    assert abs((now - shown).total_seconds()) < 3, (later, now)
    assert board.locator("#updated").inner_text() == updated, "no data changed"
    assert board.evaluate("document.body.dataset.version") == version
    expect(board.locator(".serving h2").nth(1)).to_have_text("即将叫号")
