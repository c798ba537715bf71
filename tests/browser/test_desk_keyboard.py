"""The desk console without a mouse, as a clerk with a keyboard (or a screen reader) runs it:
a whole desk cycle (叫号, 到场, tick a flat, 锁定, 确认选房) with Tab, Shift+Tab, Space and Enter
only, the focus on the control to use next after every step and few Tabs in all; on a phone,
flat codes on one line; and the lock's last minute said aloud."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from resettlement.housing.models import Flat
from resettlement.selection.lifecycle import desk_call_next, event_open, queue_present
from resettlement.selection.models import FlatHold, Selection
from resettlement.selection.rules import event_rules_set
from resettlement.selection.services import flats_hold
from tests.browser.conftest import log_in, new_context
from tests.selection_fixtures import planned_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal
MAX_TABS = 25
PHONE = {"width": 390, "height": 844}

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "body";
  return e.id ? "#" + e.id : e.tagName.toLowerCase() + (e.name ? `[name=${e.name}]` : "");
}"""


@pytest.fixture
def open_day(world, personas):
    event, people = planned_day(world, by=personas["supervisor"])
    event_rules_set(
        event=event,
        values={"allowed_excess": D("30")},
        tiers=[(D("15"), D("4200")), (D("30"), D("6300"))],
        floors=[],
    )
    event_open(event=event)
    return event, people


def clerk_page(browser, live_server, **options):
    page = new_context(browser, live_server, **options).new_page()
    page.set_default_timeout(10_000)
    log_in(page, "clerk")
    return page


class Keyboard:
    """Presses keys and counts the Tabs (forwards and back)."""

    def __init__(self, page):
        self.page = page
        self.tabs = 0

    def tab(self, *, back: bool = False) -> str:
        self.page.keyboard.press("Shift+Tab" if back else "Tab")
        self.tabs += 1
        return self.focused()

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def focused(self) -> str:
        return self.page.evaluate(FOCUSED)

    def focus_lands_on(self, selector: str) -> None:
        """After a swap, the focus is on `selector` (never left on <body>)."""
        self.page.wait_for_function(
            "(selector) => document.activeElement && document.activeElement.matches(selector)",
            arg=selector,
        )


def test_a_whole_desk_cycle_with_the_keyboard_only(open_day, browser, live_server):
    event, people = open_day
    page = clerk_page(browser, live_server)
    page.on("dialog", lambda dialog: dialog.accept())  # the browser's own OK, Enter on a keyboard
    page.goto(f"/selection/{event.pk}/desks/1/")
    keys = Keyboard(page)
    assert keys.focused() == "body", "a page load leaves the focus at the start"

    # The first Tab of the page reaches the skip link, which leads into the desk panel.
    assert keys.tab() == "a"
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_have_text("跳到选房台")
    keys.press("Enter")
    keys.focus_lands_on("#desk-panel")
    assert keys.tab() == "#call-next"

    keys.press("Enter")  # 叫号
    expect(page.locator(".call-number")).to_have_text("1")
    keys.focus_lands_on("#mark-present")
    expect(page.locator("#desk-status")).to_have_text("已叫 1 号到本台。")

    keys.press("Enter")  # 到场
    keys.focus_lands_on("#offer input[name=flats]")
    first = page.locator("#offer input[name=flats]").first
    expect(first).to_be_focused()
    keys.press("Space")  # tick the first flat
    expect(first).to_be_checked()
    expect(page.locator("#ticked-count")).to_have_text("1")
    assert keys.tab(back=True) == "#hold", "the lock button is one Shift+Tab back"

    keys.press("Enter")  # 锁定
    expect(page.locator("[data-held]")).to_have_count(1)
    keys.focus_lands_on("#confirm")
    expect(page.locator("#desk-status")).to_have_text("已为 1 号锁定房源。")

    keys.press("Enter")  # 确认选房
    expect(page.locator("#confirmed")).to_have_attribute("role", "status")
    keys.focus_lands_on("#print-confirmation")
    expect(page.locator("#desk-status")).to_contain_text("选房已确认")

    assert keys.tabs < MAX_TABS, keys.tabs
    assert Selection.objects.filter(household=people[0]).exists()


ONE_LINE = """(codes) => codes.map((code) => {
  const height = code.getBoundingClientRect().height;
  const oneLine = height <= 1.6 * parseFloat(getComputedStyle(code).fontSize);
  return [code.textContent, oneLine && code.getClientRects().length === 1];
})"""


def codes_on_one_line(page, selector: str) -> list[str]:
    """The flat codes under `selector`, each asserted to sit on one line."""
    codes = page.locator(selector)
    expect(codes.first).to_be_visible()
    lines = codes.evaluate_all(ONE_LINE)
    assert [code for code, one_line in lines if not one_line] == []
    return [code for code, _one_line in lines]


def test_flat_codes_stay_on_one_line_from_a_phone_to_a_desk(open_day, browser, live_server):
    event, _people = open_day
    desk = event.desks.get(number=1)
    queue_present(entry=desk_call_next(desk=desk), desk=desk)
    page = clerk_page(browser, live_server, viewport=PHONE)
    page.goto(f"/selection/{event.pk}/desks/1/")
    for width in range(PHONE["width"], 1281, 10):  # every width a card can take
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        assert len(codes_on_one_line(page, "#offer label.offer-flat > b")) > 10, width

    page.set_viewport_size(PHONE)
    page.locator("#offer input[name=flats]").first.press("Space")
    page.locator("#hold").press("Enter")
    assert codes_on_one_line(page, "[data-held] b") == ["5-1-101"]


def test_the_last_minute_of_a_lock_is_said_aloud(open_day, browser, live_server):
    event, _people = open_day
    desk = event.desks.get(number=1)
    entry = queue_present(entry=desk_call_next(desk=desk), desk=desk)
    flats_hold(entry=entry, desk=desk, flats=[Flat.objects.get(code="5-1-101")])
    FlatHold.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=50))
    page = clerk_page(browser, live_server)
    page.goto(f"/selection/{event.pk}/desks/1/")
    expect(page.locator(".countdown")).to_have_class(re.compile(r"\burgent\b"))
    alert = page.locator(".countdown [role=alert]")
    expect(alert).to_have_text("锁定时间不足一分钟。")
