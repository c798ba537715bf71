"""Stored script injection: a flat register whose 户型 (layout, free text up to 30 characters)
holds markup. Staff open the board and the desk console from a logged-in session on the same
origin; the text must show literally and nothing in it may become an element or run."""

import io

import pytest
from playwright.sync_api import expect

from resettlement.households.models import HouseholdStatus
from resettlement.imports.registers import flats_import
from tests.browser.conftest import log_in, new_context
from tests.factories import make_building
from tests.selection_fixtures import households, open_event, published_lottery
from tests.workbooks import FLAT_HEADER, register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Both fit the 30 characters the import accepts for 户型.
IMG_PAYLOAD = "<img src=x onerror=__pwned=1>"
SCRIPT_PAYLOAD = "<script>__pwned=2</script>"


@pytest.fixture
def poisoned_day(world, personas):
    """Building 5# of project A imported through the real flats import with the two payloads
    as layouts, two households on a published lottery and an open selection day."""
    project = world.project_a
    building = make_building(project, "5#", floors=6, stairwells=2)
    rows = [
        ("5#", 1, 1, "101", IMG_PAYLOAD, 80.5),
        ("5#", 1, 1, "102", SCRIPT_PAYLOAD, 96.35),
        ("5#", 2, 1, "101", "A", 80.5),
    ]
    result = flats_import(
        project=project,
        file=io.BytesIO(register(FLAT_HEADER, rows)),
        filename="房源表.xlsx",
        by=personas["team"],
    )
    assert result.ok, [str(error) for error in result.errors]
    world.household_a.status = HouseholdStatus.REGISTERED  # not in this day
    world.household_a.save()
    households(project, 2)
    lottery = published_lottery(project, by=personas["supervisor"])
    return open_event(project, [building], lottery, desks=1, by=personas["supervisor"])


def clerk_page(browser, live_server):
    context = new_context(browser, live_server, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "clerk")
    return page


def assert_nothing_injected(page, container: str) -> None:
    injected = page.evaluate(
        """(selector) => {
          const root = document.querySelector(selector);
          return {
            elements: root.querySelectorAll("img, script, iframe, svg, object").length,
            pwned: typeof window.__pwned,
          };
        }""",
        container,
    )
    assert injected == {"elements": 0, "pwned": "undefined"}


def test_layout_markup_shows_as_text_on_the_board(poisoned_day, browser, live_server):
    staff = clerk_page(browser, live_server)
    staff.goto(poisoned_day.get_absolute_url())
    with staff.expect_popup() as popup:  # opened from a logged-in session, same origin
        staff.click("text=打开大屏")
    page = popup.value

    img_cell = page.locator('.building[data-building="5#"] td[data-room="1-101"]')
    # One layout in a column is said once, above it.
    layouts = page.locator('.building[data-building="5#"] table').first.locator("th.layout")
    expect(layouts).to_have_text([IMG_PAYLOAD, SCRIPT_PAYLOAD])
    expect(img_cell).to_have_attribute("title", f"101 {IMG_PAYLOAD}")
    remaining = page.locator("#remaining")
    expect(remaining).to_contain_text(IMG_PAYLOAD)
    expect(remaining).to_contain_text(SCRIPT_PAYLOAD)
    page.wait_for_load_state("networkidle")  # an injected image would have failed to load
    assert_nothing_injected(page, "main")


def test_layout_markup_shows_as_text_on_the_desk_console(poisoned_day, browser, live_server):
    page = clerk_page(browser, live_server)
    page.goto(f"/selection/{poisoned_day.pk}/desks/1/")
    page.click("#call-next")
    offer = page.locator("#offer")
    expect(offer.locator('label[data-code="5-1-101"]')).to_contain_text(IMG_PAYLOAD)
    expect(offer.locator('label[data-code="5-1-102"]')).to_contain_text(SCRIPT_PAYLOAD)

    page.check('label[data-code="5-1-101"] input')
    page.click("#hold")
    expect(page.locator('[data-held="5-1-101"]')).to_contain_text(IMG_PAYLOAD)
    assert_nothing_injected(page, "main")
