"""A household on its phone (390×844, Chinese, JavaScript off): it signs in at /my/ with its
agreement number and ID suffix, sees its own status and downloads its document, and reaches no
other household's record by any page, document address or API call. The page is small, fits
the screen's width and passes axe's WCAG 2.1 AA rules."""

import pytest
from playwright.sync_api import expect

from resettlement.archive.models import IssuedKind
from resettlement.archive.registry import issued_bytes
from resettlement.handover.documents import paper_issue
from tests.browser.axe import assert_accessible
from tests.browser.conftest import new_context
from tests.handover_fixtures import CHOSEN, handover_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def day(world):
    batch, people = handover_day(world)
    notices = [
        paper_issue(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=household))
        for household in people[:2]
    ]
    return people, notices


def sign_in(page, household) -> None:
    page.goto("/my/")
    page.get_by_label("协议编号").fill(household.agreement_no)
    page.get_by_label("户主身份证号后6位").fill(household.head_id_number[-6:])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/my/")


def test_a_household_signs_in_on_its_phone_and_reaches_only_its_own(browser, live_server, day):
    (household, other, *_rest), (notice, others_notice) = day
    context = new_context(browser, live_server, java_script_enabled=False, **PHONE)
    page = context.new_page()
    transferred: list[int] = []
    page.on("response", lambda response: transferred.append(len(response.body())))

    sign_in(page, household)
    transferred.clear()
    page.reload()
    assert sum(transferred) < 50_000, transferred
    main = page.locator("main")
    expect(main.locator("h1")).to_contain_text(household.head_name)
    expect(main).to_contain_text("第 ")
    expect(main).to_contain_text(" / 共 4 户")
    expect(main).to_contain_text(CHOSEN[0])
    expect(main).to_contain_text("下一步：")
    expect(main).not_to_contain_text(household.head_id_number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    link = page.get_by_role("link", name="交房通知书")
    document = page.request.get(link.get_attribute("href"))  # as the phone's viewer fetches it
    assert document.headers["content-type"] == "application/pdf"
    assert document.body() == issued_bytes(notice)

    # Another household's document, its staff page, the API: none opens.
    assert page.goto(f"/my/documents/{others_notice.pk}/").status == 404
    page.goto(f"/households/{other.pk}/")
    assert "/accounts/login/" in page.url
    assert page.request.get(f"/api/v1/households/{other.pk}/").status in (401, 403)
    assert page.request.get("/api/v1/me/").status == 401

    page.goto("/my/")
    page.get_by_role("button", name="退出").click()
    expect(page.locator("main")).to_contain_text("您已退出登录。")
    assert page.goto(f"/my/documents/{notice.pk}/").url.endswith("/my/")
    context.close()


def test_the_household_pages_pass_wcag_aa_on_a_phone(browser, live_server, day):
    (household, *_rest), _notices = day
    context = new_context(browser, live_server, **PHONE)
    page = context.new_page()
    page.goto("/my/")
    assert_accessible(page)
    page.get_by_label("协议编号").fill(household.agreement_no)
    page.get_by_label("户主身份证号后6位").fill("00000X")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("协议编号、身份证号后6位或查询码不正确。")
    assert_accessible(page)
    sign_in(page, household)
    assert_accessible(page)
    context.close()
