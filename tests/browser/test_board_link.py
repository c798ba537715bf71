"""A board on the projector whose link is revoked stops showing the day and says why, in
Chinese, within seconds (it polls its data, is refused, and reloads)."""

import pytest
from playwright.sync_api import expect

from resettlement.selection.board import board_link_create, board_links_revoke
from resettlement.selection.lifecycle import event_open
from tests.browser.conftest import new_context
from tests.selection_fixtures import planned_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_open_board_shows_that_its_link_was_revoked(world, personas, browser, live_server):
    event, _people = planned_day(world, by=personas["supervisor"])
    event_open(event=event)
    _link, token = board_link_create(event=event, by=personas["clerk"])
    board = new_context(browser, live_server).new_page()
    board.goto(f"/board/{token}/")
    expect(board.locator(".building")).to_have_count(2)

    board_links_revoke(event=event, by=personas["supervisor"])
    expect(board.locator("#board-gone")).to_have_text(
        "此大屏链接已被撤销。请在选房活动页面重新打开大屏。", timeout=5_000
    )
