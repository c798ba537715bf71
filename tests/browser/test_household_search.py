"""A full ID number typed into a household search, on the staff page or in the admin, finds
the household while the address bar shows its last 6 characters only."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(
    ("username", "address", "box"),
    [("clerk", "/households/", "#id_q"), ("admin", "/admin/households/household/", "#searchbar")],
)
def test_a_full_id_number_typed_in_a_search_stays_out_of_the_address(
    world, personas, page, username, address, box
):
    household = world.household_a
    log_in(page, username)
    page.goto(address)
    page.fill(box, household.head_id_number)
    page.press(box, "Enter")
    page.wait_for_url(f"**id_digits={household.head_id_number[-6:]}")
    assert household.head_id_number not in page.url
    expect(page.locator("body")).to_contain_text(household.agreement_no)
    expect(page.locator("body")).to_contain_text("完整身份证号码不会出现在网址中")
