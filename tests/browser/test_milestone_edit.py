"""The reported case, on a phone in the default Chinese interface: a node under way, its planned
and actual dates shown in the date inputs; the site manager types only a note and saves; every
date stays as it was (and in English too)."""

import datetime

import pytest
from playwright.sync_api import expect

from resettlement.progress.services import building_milestones_record
from tests.browser.conftest import log_in, new_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LABELS = {"zh-hans": ("备注", "保存"), "en": ("Note", "Save")}
DATES = {
    "planned_start": datetime.date(2027, 10, 19),
    "planned_finish": datetime.date(2027, 11, 27),
    "actual_start": datetime.date(2025, 10, 22),
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_note_typed_on_a_phone_keeps_the_nodes_dates(
    world, personas, browser, live_server, language
):
    node = world.building_a.milestones.get(milestone_type__code="start")
    building_milestones_record(changes=[(node, {**DATES, "percent": 40})])
    history_rows = node.history.count()
    page = new_context(browser, live_server, language=language, **PHONE).new_page()
    page.set_default_timeout(10_000)
    log_in(page, "team")

    page.goto(f"/milestones/{node.pk}/edit/")
    for name, value in DATES.items():  # what the date inputs show, not only what was sent
        expect(page.locator(f"#id_{name}")).to_have_value(value.isoformat())
    note_label, save = LABELS[language]
    page.get_by_label(note_label).fill("三层顶板钢筋已绑扎")
    page.get_by_role("button", name=save, exact=True).click()
    page.wait_for_url(f"**{world.building_a.get_absolute_url()}*")

    node.refresh_from_db()
    assert node.note == "三层顶板钢筋已绑扎"
    assert {name: getattr(node, name) for name in DATES} == DATES
    assert node.percent == 40
    assert node.actual_finish is None
    latest = node.history.order_by("-history_id").first()
    assert node.history.count() == history_rows + 1
    assert {name: getattr(latest, name) for name in DATES} == DATES
