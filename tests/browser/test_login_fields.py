"""The sign-in form's two boxes line up: the password box is as wide as the username box."""

import pytest

from tests.browser.conftest import new_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [(390, 844), (1920, 1080)])
def test_the_password_box_is_as_wide_as_the_username_box(browser, live_server, viewport):
    width, height = viewport
    context = new_context(browser, live_server, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto("/accounts/login/")
    username = page.locator("#id_username").bounding_box()
    password = page.locator("#id_password").bounding_box()
    context.close()
    assert username and password
    assert password["width"] == pytest.approx(username["width"], abs=0.5)
    assert password["x"] == pytest.approx(username["x"], abs=0.5)
