"""/verify/<code>/ on a phone (390×844, Chinese), as someone who scanned the QR code on a paper
sees it without an account: the status first, every fact within the screen's width, readable
text, and no script or style refused by the site's CSP."""

import pytest
from playwright.sync_api import expect

from resettlement.archive.models import IssuedKind
from resettlement.archive.registry import document_register, document_void
from tests.browser.conftest import new_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_scanned_code_reads_on_a_phone(browser, live_server, world):
    household = world.household_a
    household.head_name = "欧阳明华"
    household.save()
    document = document_register(
        subject=household,
        kind=IssuedKind.HANDOVER_NOTICE,
        household=household,
        flat_codes=["5-1-1101", "5-1-1102", "5-2-1201"],
    )
    document_void(subject=household, kind=IssuedKind.HANDOVER_NOTICE, reason="改约")
    context = new_context(browser, live_server, **PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    for path, status, words in (
        (f"/verify/{document.code}/", 200, "本文书已于"),
        ("/verify/no-such-code-at-all/", 404, "没有与此验证码对应的文书"),
    ):
        response = page.goto(path)
        assert response is not None and response.status == status
        status_line = page.locator("#verify-status")
        expect(status_line).to_contain_text(words)
        assert status_line.bounding_box()["y"] < 844, "the answer is on the first screen"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide"
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('dl.facts dd')).fontSize)"
        )
        assert size >= 14
    expect(page.locator("dl.facts")).to_be_visible()
    page.goto(f"/verify/{document.code}/")
    expect(page.locator("dl.facts")).to_contain_text("欧**华")
    expect(page.locator("dl.facts")).not_to_contain_text("欧阳明华")
    refused = [text for text in problems if "404" not in text]  # the unknown code's own status
    assert not refused, refused
    context.close()
