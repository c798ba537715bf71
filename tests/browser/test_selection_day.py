"""A small selection day end to end in headless Chromium: two desks, an absent household, a
confirmation and a void, while the public board (no login) follows within 2 s."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from resettlement.selection.lifecycle import event_open
from resettlement.selection.models import QueueStatus, Selection, SelectionStatus
from resettlement.selection.rules import event_rules_set
from tests.browser.conftest import log_in, new_context
from tests.selection_fixtures import planned_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal
BOARD_DEADLINE_MS = 2_000  # the board follows a change within 2 s


def staff_page(browser, live_server, username):
    context = new_context(browser, live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm prompts
    log_in(page, username)
    return page


def board_cell(board, building: str, room: str):
    return board.locator(f'.building[data-building="{building}"] td[data-room="{room}"]')


def test_a_selection_day_with_two_desks_an_absence_and_a_void(
    world, personas, browser, live_server
):
    event, people = planned_day(world, by=personas["supervisor"])
    event_rules_set(
        event=event,
        values={"allowed_excess": D("30")},
        tiers=[(D("15"), D("4200")), (D("30"), D("6300"))],
        floors=[(5, 6, D("100"))],
    )
    event_open(event=event)

    clerk = staff_page(browser, live_server, "clerk")
    clerk.goto(event.get_absolute_url())
    with clerk.expect_popup() as popup:
        clerk.click("text=打开大屏")
    board_url = popup.value.url
    popup.value.close()

    # The projector has no login: a fresh browser context opens the signed link.
    board = new_context(browser, live_server).new_page()
    board.goto(board_url)
    expect(board.locator("#next .upcoming").first).to_have_text("1")
    expect(board.locator(".building")).to_have_count(2)
    expect(board_cell(board, "5#", "1-502")).to_have_class(re.compile(r"\bst-a\b"))
    for person in people:
        expect(board.locator("body")).not_to_contain_text(person.head_name)
        expect(board.locator("body")).not_to_contain_text(person.agreement_no)

    # Desk 1 calls number 1 (the elderly household, group 1 of the lottery).
    desk1 = clerk
    desk1.goto(f"/selection/{event.pk}/desks/1/")
    desk1.click("#call-next")
    expect(desk1.locator(".call-number")).to_have_text("1")
    expect(desk1.locator("#household-card")).to_contain_text(people[0].agreement_no)
    expect(board.locator("#serving")).to_contain_text("1", timeout=BOARD_DEADLINE_MS)

    # Desk 2 calls number 2, who does not come: 过号, to the end of the queue.
    desk2 = clerk.context.new_page()
    desk2.on("dialog", lambda dialog: dialog.accept())
    desk2.goto(f"/selection/{event.pk}/desks/2/")
    desk2.click("#call-next")
    expect(desk2.locator(".call-number")).to_have_text("2")
    desk2.click("#mark-absent")
    expect(desk2.locator("#call-next")).to_be_visible()
    expect(board.locator("#next .upcoming")).to_have_text(["3", "2"], timeout=BOARD_DEADLINE_MS)
    desk2.click("#call-next")
    expect(desk2.locator(".call-number")).to_have_text("3")

    # Desk 1: household 1 locks 5-1-502, sees the settlement, confirms, prints.
    desk1.check('label[data-code="5-1-502"] input')
    desk1.click("#hold")
    expect(desk1.locator('[data-held="5-1-502"]')).to_be_visible()
    expect(desk1.locator("#preview")).to_contain_text("81140.00")
    expect(desk1.locator("#preview")).to_contain_text("捌万壹仟壹佰肆拾元整")
    expect(board_cell(board, "5#", "1-502")).to_have_class(
        re.compile(r"\bst-r\b"), timeout=BOARD_DEADLINE_MS
    )
    desk1.click("#confirm")
    expect(desk1.locator("#confirmed")).to_contain_text("81140.00")
    expect(board_cell(board, "5#", "1-502")).to_have_class(
        re.compile(r"\bst-s\b"), timeout=BOARD_DEADLINE_MS
    )
    with desk1.expect_popup() as pdf:
        desk1.click("#confirmed a")
    assert pdf.value.url.endswith("/confirmation.pdf")
    selection = Selection.objects.get(household=people[0])
    assert selection.balance == D("81140.00")

    # The supervisor voids it with a reason; the flat is back on the board.
    supervisor = staff_page(browser, live_server, "supervisor")
    supervisor.goto(selection.get_absolute_url())
    supervisor.fill("#void textarea[name=reason]", "户主申请重新选房")
    supervisor.click("#void button[type=submit]")
    expect(supervisor.locator("#void-reason")).to_have_text("户主申请重新选房")
    supervisor.click("#void-confirmed")
    expect(supervisor.locator("#selection-status")).to_have_text("已作废")
    expect(board_cell(board, "5#", "1-502")).to_have_class(
        re.compile(r"\bst-a\b"), timeout=BOARD_DEADLINE_MS
    )
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.VOIDED
    assert event.queue.get(order_no=2).status == QueueStatus.WAITING
    assert event.queue.get(order_no=2).absences == 1
