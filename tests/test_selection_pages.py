"""The selection day through its pages: rules, the htmx desk console, voids and swaps, the
confirmation and summary PDFs, the public board, and who may do what."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import Flat, FlatStatus
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.selection.board import board_link_create
from resettlement.selection.models import (
    LogAction,
    QueueStatus,
    Selection,
    SelectionLog,
    SelectionStatus,
)
from resettlement.selection.services import event_create
from tests.documents import pdf_fonts, pdf_text
from tests.factories import make_building
from tests.selection_fixtures import (
    households,
    planned_day,
    project_with_flats,
    published_lottery,
)

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


def flat(code) -> Flat:
    return Flat.objects.get(code=code)


@pytest.fixture
def planned(world, personas):
    return planned_day(world, by=personas["supervisor"])


def open_with_rules(client, event):
    data = {
        "max_flats": 2,
        "allowed_excess": "30",
        "shortfall_refund_price": "4000",
        "allowed_layouts": "",
        "absent_rule": "move_to_end",
        "countdown_seconds": 600,
        "extension_seconds": 180,
        "tiers-TOTAL_FORMS": "2",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-up_to_excess": "15",
        "tiers-0-price_per_m2": "4200",
        "tiers-1-up_to_excess": "30",
        "tiers-1-price_per_m2": "6300",
        "floors-TOTAL_FORMS": "1",
        "floors-INITIAL_FORMS": "0",
        "floors-0-floor_from": "5",
        "floors-0-floor_to": "6",
        "floors-0-per_m2": "100",
    }
    response = client.post(reverse("selection:rules", args=[event.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post(reverse("selection:event-step", args=[event.pk, "open"]))
    event.refresh_from_db()
    assert event.status == "open"


def act(client, event, desk, action, **data):
    url = reverse("selection:desk-action", args=[event.pk, desk, action])
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html, "htmx gets the panel only"
    return html


def test_rules_are_checked_before_the_day_and_fixed_once_it_opens(planned, login):
    event, _people = planned
    client = login("supervisor")
    bad = {
        "max_flats": 2,
        "allowed_excess": "40",
        "absent_rule": "move_to_end",
        "countdown_seconds": 600,
        "extension_seconds": 180,
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-up_to_excess": "30",
        "tiers-0-price_per_m2": "6300",
        "floors-TOTAL_FORMS": "2",
        "floors-INITIAL_FORMS": "0",
        "floors-0-floor_from": "1",
        "floors-0-floor_to": "3",
        "floors-0-per_m2": "-50",
        "floors-1-floor_from": "3",
        "floors-1-floor_to": "6",
        "floors-1-per_m2": "80",
    }
    page = client.post(reverse("selection:rules", args=[event.pk]), bad).content.decode()
    assert "楼层 1–3 与 3–6 重叠。" in page
    assert "允许超出应安置面积 40 ㎡，但价格档最高只到 30 ㎡" in page
    event.refresh_from_db()
    assert event.allowed_excess == D("30.00") and not event.floor_adjustments.exists()

    open_with_rules(client, event)
    assert list(event.floor_adjustments.values_list("floor_from", "floor_to", "per_m2")) == [
        (5, 6, D("100.00"))
    ]
    detail = client.get(event.get_absolute_url()).content.decode()
    assert "5–6: 100.00 元/㎡" in detail
    page = client.post(reverse("selection:rules", args=[event.pk]), bad).content.decode()
    assert "选房活动已开始，规则不可再改。" in page


def test_a_desk_serves_a_household_without_reloading_and_prints_its_confirmation(planned, login):
    event, people = planned
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    console = clerk.get(reverse("selection:desk-console", args=[event.pk, 1])).content.decode()
    assert "<html" in console and 'id="call-next"' in console

    html = act(clerk, event, 1, "call")
    assert 'data-number="1"' in html and people[0].agreement_no in html
    assert people[0].head_id_number not in html, "a clerk sees a masked ID number"
    assert people[0].head_id_number[-4:] in html
    html = act(clerk, event, 1, "present")
    offered = re.findall(r'data-code="([^"]+)"', html)
    assert "5-1-502" in offered and len(offered) > 10

    too_big = act(clerk, event, 1, "hold", flats=[flat("5-1-101").pk, flat("5-1-102").pk])
    assert 'id="desk-error"' in too_big and "超出" in too_big
    assert flat("5-1-101").status == FlatStatus.AVAILABLE, "a refused lock locks nothing"

    html = act(clerk, event, 1, "hold", flats=[flat("5-1-502").pk])
    assert 'data-held="5-1-502"' in html and 'id="preview"' in html
    assert flat("5-1-502").status == FlatStatus.RESERVED
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    html = act(clerk, event, 1, "confirm", idempotency_key=key)
    assert 'id="confirmed"' in html and "81140.00" in html
    again = act(clerk, event, 1, "confirm", idempotency_key=key)  # a double click
    assert 'id="confirmed"' in again and 'id="desk-error"' not in again
    assert Selection.objects.filter(household=people[0]).count() == 1

    selection = Selection.objects.get(household=people[0])
    assert (selection.excess_area, selection.excess_amount) == (D("16.35"), D("71505.00"))
    assert (selection.floor_amount, selection.balance) == (D("9635.00"), D("81140.00"))
    assert flat("5-1-502").status == FlatStatus.SELECTED
    people[0].refresh_from_db()
    assert people[0].status == HouseholdStatus.ALLOCATED

    pdf = clerk.get(reverse("selection:confirmation", args=[selection.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in (
        "选房确认书",
        people[0].agreement_no,
        people[0].head_name,
        "5-1-502",
        "96.35",
        "80.00",
        "超出16.35㎡",
        "15.00㎡×4200.00元/㎡",
        "63000.00元",
        "8505.00元",
        "9635.00元",
        "81140.00元",
        "捌万壹仟壹佰肆拾元整",
    ):
        assert expected in text, expected
    assert people[0].head_id_number not in text
    fonts = pdf_fonts(pdf.content)
    assert any("Noto-Sans-CJK-SC" in font for font in fonts), fonts
    assert not any("JP" in font or "Serif" in font for font in fonts), "Chinese glyphs only"
    reprint = clerk.get(reverse("selection:confirmation", args=[selection.pk]))
    assert reprint.content == pdf.content, "a reprint is the same document"


def test_an_absent_household_goes_to_the_end_and_the_summary_counts_the_day(planned, login):
    event, _people = planned
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    act(clerk, event, 1, "call")
    act(clerk, event, 2, "call")
    html = act(clerk, event, 2, "absent")
    assert 'id="call-next"' in html
    second = event.queue.get(order_no=2)
    assert second.status == QueueStatus.WAITING and second.absences == 1
    assert second.position > event.queue.get(order_no=3).position
    assert 'data-number="3"' in act(clerk, event, 2, "call")

    html = act(clerk, event, 1, "hold", flats=[flat("6-1-101").pk])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    act(clerk, event, 1, "confirm", idempotency_key=key)

    summary = clerk.get(reverse("selection:summary", args=[event.pk])).content.decode()
    assert re.search(r'id="served"[^>]*>\s*1\b', summary)
    assert re.search(r'id="absent"[^>]*>\s*1\b', summary)
    assert re.search(r'id="left"[^>]*>\s*47\b', summary)
    pdf = clerk.get(reverse("selection:summary", args=[event.pk]), {"format": "pdf"})
    text = pdf_text(pdf.content)
    assert event.name in text and "已选房户数1" in text and "过号次数1" in text
    log = list(SelectionLog.objects.filter(event=event).values_list("action", "desk__number"))
    for expected in [
        (LogAction.CALL, 1),
        (LogAction.ABSENT, 2),
        (LogAction.HOLD, 1),
        (LogAction.CONFIRM, 1),
    ]:
        assert expected in log


@pytest.fixture
def confirmed(planned, login):
    """The first household has confirmed 5-1-101 at desk 1."""
    event, people = planned
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    act(clerk, event, 1, "call")
    html = act(clerk, event, 1, "hold", flats=[flat("5-1-101").pk])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    act(clerk, event, 1, "confirm", idempotency_key=key)
    return event, people, Selection.objects.get(household=people[0])


def test_only_a_supervisor_voids_with_a_reason_and_both_records_stay(confirmed, login):
    event, people, selection = confirmed
    clerk = login("clerk")
    page = clerk.get(selection.get_absolute_url()).content.decode()
    assert 'id="void"' not in page
    assert clerk.post(selection.get_absolute_url(), {"void": "1", "reason": "x"}).status_code == 403

    supervisor = login("supervisor")
    page = supervisor.post(selection.get_absolute_url(), {"void": "1", "reason": ""})
    assert "errorlist" in page.content.decode()
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ACTIVE

    # The form asks first, repeating what will happen; nothing is voided yet.
    assert 'id="void-confirm"' not in supervisor.get(selection.get_absolute_url()).content.decode()
    asked = supervisor.post(
        selection.get_absolute_url(), {"void": "1", "reason": "户主申请重新选房"}
    )
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="void-confirm"' in html
    for told in ("确定作废此选房记录吗？", "5-1-101", "户主申请重新选房", "重新选房", "确认作废"):
        assert told in html, told
    assert 'name="void" value="confirmed"' in html
    selection.refresh_from_db()
    assert (
        selection.status == SelectionStatus.ACTIVE and flat("5-1-101").status == FlatStatus.SELECTED
    )
    assert not SelectionLog.objects.filter(event=event, action=LogAction.VOID).exists()
    assert (
        clerk.post(selection.get_absolute_url(), {"void": "confirmed", "reason": "x"}).status_code
        == 403
    ), "the second step is a supervisor's too"

    page = supervisor.post(
        selection.get_absolute_url(),
        {"void": "confirmed", "reason": "户主申请重新选房"},
        follow=True,
    )
    selection.refresh_from_db()
    assert (
        selection.status == SelectionStatus.VOIDED and selection.void_reason == "户主申请重新选房"
    )
    assert flat("5-1-101").status == FlatStatus.AVAILABLE
    assert "户主申请重新选房" in page.content.decode()
    entry = event.queue.get(household=people[0])
    assert (
        entry.status == QueueStatus.WAITING
        and entry.position < event.queue.get(order_no=2).position
    )
    assert SelectionLog.objects.filter(
        event=event, action=LogAction.VOID, user__username="supervisor"
    ).exists()
    voided_pdf = pdf_text(
        supervisor.get(reverse("selection:confirmation", args=[selection.pk])).content
    )
    assert "已作废" in voided_pdf and "户主申请重新选房" in voided_pdf


def test_a_swap_replaces_the_selection_and_keeps_the_old_one(confirmed, login):
    event, people, selection = confirmed
    assert (
        login("clerk")
        .post(
            selection.get_absolute_url(), {"swap": "1", "flat_codes": "6-1-101", "swap_reason": "x"}
        )
        .status_code
        == 403
    )
    supervisor = login("supervisor")
    page = supervisor.post(
        selection.get_absolute_url(),
        {"swap": "1", "flat_codes": "9-9-999", "swap_reason": "换到低楼层"},
    ).content.decode()
    assert "本项目没有房号 9-9-999。" in page

    page = supervisor.post(
        selection.get_absolute_url(),
        {"swap": "1", "flat_codes": "6-1-101", "swap_reason": "老人腿脚不便，换到一楼"},
        follow=True,
    )
    new = Selection.objects.get(household=people[0], status=SelectionStatus.ACTIVE)
    assert new.replaces_id == selection.pk and page.redirect_chain[-1][0] == new.get_absolute_url()
    assert [item.flat.code for item in new.flats.all()] == ["6-1-101"]
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.VOIDED
    assert selection.void_reason == "老人腿脚不便，换到一楼"
    assert flat("5-1-101").status == FlatStatus.AVAILABLE
    assert flat("6-1-101").status == FlatStatus.SELECTED
    people[0].refresh_from_db()
    assert people[0].status == HouseholdStatus.ALLOCATED
    assert event.queue.get(household=people[0]).status == QueueStatus.DONE
    assert SelectionLog.objects.filter(event=event, action=LogAction.SWAP).count() == 1
    old_page = supervisor.get(selection.get_absolute_url()).content.decode()
    assert 'id="replaced-by"' in old_page and "6-1-101" in old_page

    # a flat locked at a desk cannot be swapped into
    clerk = login("clerk")
    act(clerk, event, 2, "call")
    act(clerk, event, 2, "hold", flats=[flat("6-1-201").pk])
    page = supervisor.post(
        new.get_absolute_url(), {"swap": "1", "flat_codes": "6-1-201", "swap_reason": "再换"}
    ).content.decode()
    assert "房源 6-1-201 已不可选。" in page
    assert Selection.objects.filter(household=people[0]).count() == 2


def test_the_board_opens_from_a_signed_link_shows_no_personal_data_and_can_be_revoked(
    confirmed, login, client
):
    event, people, _selection = confirmed
    assert client.post(reverse("selection:board-open", args=[event.pk])).status_code == 302
    opened = login("clerk").post(reverse("selection:board-open", args=[event.pk]))
    board_url = opened["Location"]
    assert board_url.startswith("/board/")
    page = client.get(board_url)  # no login
    assert page.status_code == 200 and event.name in page.content.decode()
    data_url = board_url + "data/"
    response = client.get(data_url)
    payload = json.loads(response.content)
    assert payload["serving"] == [] and payload["next"][0] == 2
    assert payload["counts"]["s"] == 1 and payload["counts"]["a"] == 47
    body = response.content.decode()
    for person in people:
        for value in (person.head_name, person.agreement_no, person.head_id_number, person.phone):
            assert value not in body

    etag = response["ETag"]
    assert client.get(data_url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    act(login("clerk"), event, 2, "call")
    changed = client.get(data_url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and json.loads(changed.content)["serving"] == [
        {"desk": 2, "number": 2}
    ]
    act(login("clerk"), event, 2, "present")
    etag = client.get(data_url)["ETag"]
    assert client.get(data_url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    act(login("clerk"), event, 2, "hold", flats=[flat("6-2-301").pk])  # only a flat changes
    locked = client.get(data_url, HTTP_IF_NONE_MATCH=etag)
    assert locked.status_code == 200 and json.loads(locked.content)["counts"]["r"] == 1

    login("supervisor").post(reverse("selection:event-step", args=[event.pk, "board"]))
    assert client.get(board_url).status_code == 410
    assert client.get(data_url).status_code == 410
    assert client.get("/board/forged-token/data/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "desk", "event_page", "manage"),
    [
        ("clerk", 200, 200, 403),
        ("supervisor", 200, 200, 200),
        ("leader", 403, 200, 403),
        ("team", 403, 403, 403),
        ("outsider", 403, 403, 403),
    ],
)
def test_who_may_run_a_desk_see_an_event_and_manage_it(
    planned, login, persona, desk, event_page, manage
):
    event, _people = planned
    client = login(persona)
    assert client.get(reverse("selection:desk-console", args=[event.pk, 1])).status_code == desk
    assert client.post(
        reverse("selection:desk-action", args=[event.pk, 1, "call"])
    ).status_code in ({desk, 302} if desk == 200 else {desk})
    assert client.get(event.get_absolute_url()).status_code == event_page
    assert client.get(reverse("selection:rules", args=[event.pk])).status_code == manage


def test_another_projects_event_is_not_found(world, login):
    project, buildings = project_with_flats(project=world.project_b, numbers=(5,))
    households(project, 2)
    lottery = published_lottery(project)
    event = event_create(
        project=project,
        name="乙项目选房",
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2025, 6, 1),
        queue_source="lottery",
        lottery=lottery,
        buildings=buildings,
    )
    for persona in ("clerk", "supervisor"):
        client = login(persona)
        assert client.get(event.get_absolute_url()).status_code == 404
        assert client.get(reverse("selection:desk-console", args=[event.pk, 1])).status_code == 404
        assert (
            client.post(reverse("selection:desk-action", args=[event.pk, 1, "call"])).status_code
            == 404
        )
        assert client.get(reverse("selection:events", args=[project.code])).status_code == 404
    assert login("admin").get(event.get_absolute_url()).status_code == 200


def test_the_board_and_the_desk_panel_take_a_fixed_number_of_queries(confirmed, login, client):
    event, _people, _selection = confirmed
    _link, token = board_link_create(event=event)
    data_url = reverse("selection:board-data", args=[token])
    clerk = login("clerk")
    act(clerk, event, 2, "call")
    panel_url = reverse("selection:desk-console", args=[event.pk, 2])

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as board:
            assert client.get(data_url).status_code == 200
        with CaptureQueriesContext(connection) as panel:
            assert clerk.get(panel_url, **HTMX).status_code == 200
        return len(board), len(panel)

    before = counts()
    building = make_building(event.project, "7#", floors=18, stairwells=3)
    flats_generate(building=building, positions=[FlatPosition(1, "A", D("80.50"))])
    event.buildings.add(building)
    assert counts() == before


def test_the_board_heads_the_numbers_called_next_and_pages_keep_their_next_link(planned, login):
    event, _people = planned
    board_url = login("clerk").post(reverse("selection:board-open", args=[event.pk]))["Location"]
    page = login("clerk").get(board_url).content.decode()
    assert "<h2>即将叫号</h2>" in page and "下一页" not in page
    with translation.override("zh-hans"):
        assert translation.gettext("Next") == "下一页", "a list's next page keeps its word"


def autofocused(html: str) -> list[str]:
    """The ids of the elements that take the focus after the swap (htmx honours autofocus)."""
    return re.findall(r'<[^>]*\bid="([^"]+)"[^>]*\bautofocus\b', html) + re.findall(
        r'<input[^>]*value="(\d+)"[^>]*\bautofocus\b', html
    )


def test_after_each_desk_step_the_next_control_takes_the_focus_and_the_step_is_announced(
    planned, login
):
    event, people = planned
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    console = clerk.get(reverse("selection:desk-console", args=[event.pk, 1])).content.decode()
    assert re.search(r'<p id="desk-status"[^>]*role="status"', console), "a live region"
    assert '<a class="skip-link" href="#desk-panel">跳到选房台</a>' in console
    assert re.search(r'<div id="desk-panel" tabindex="-1"', console)
    assert autofocused(console) == [], "a page load starts at the top, with the skip link"

    called = act(clerk, event, 1, "call")
    assert autofocused(called) == ["mark-present"]
    assert '<p id="desk-status" hx-swap-oob="innerHTML">已叫 1 号到本台。</p>' in called
    present = act(clerk, event, 1, "present")
    assert autofocused(present) == [str(flat("5-1-101").pk)], "the first flat to tick"
    assert "1 号已到场" in present
    # The lock button, with the count of ticked flats, comes before the flats' fieldset.
    hold_at, fieldset_at = present.index('id="hold"'), present.index('<fieldset class="offer-set">')
    assert hold_at < fieldset_at and 'id="ticked-count">0<' in present
    assert re.search(r"<legend>可选房源 \d+ 套</legend>", present)

    refused = act(clerk, event, 1, "hold", flats=[flat("5-1-101").pk, flat("5-1-102").pk])
    assert re.search(r'<span id="desk-error" role="alert" tabindex="-1" autofocus>', refused)
    held = act(clerk, event, 1, "hold", flats=[flat("5-1-101").pk])
    assert autofocused(held) == ["confirm"]
    assert '<span class="urgent-note" role="alert"></span>' in held
    assert "锁定时间不足一分钟。" in held, "what desk.js says when a minute is left"
    key = re.search(r'name="idempotency_key" value="([^"]+)"', held).group(1)
    done = act(clerk, event, 1, "confirm", idempotency_key=key)
    assert autofocused(done) == ["print-confirmation"]
    assert re.search(r'<section class="card confirmed" id="confirmed" role="status">', done)
    assert f"{people[0].agreement_no} 选房已确认</p>" in done

    # The panel's own refreshes (filters, the countdown running out) leave the focus alone.
    refreshed = clerk.get(reverse("selection:desk-console", args=[event.pk, 1]), **HTMX)
    assert autofocused(refreshed.content.decode()) == []


def test_the_desk_filters_offer_every_building_by_name_and_codes_never_break(planned, login):
    event, _people = planned
    open_with_rules(login("supervisor"), event)
    clerk = login("clerk")
    act(clerk, event, 1, "call")
    html = act(clerk, event, 1, "present")
    assert '<option value="" selected>全部楼栋</option>' in html
    assert "---------" not in html
    codes = re.findall(r'<b class="code">([^<]+)</b>', html)
    assert "5-1-101" in codes and len(codes) > 10
