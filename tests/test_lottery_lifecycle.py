"""A lottery moves draft → frozen → drawn → published (or cancelled, or replaced by a re-draw)
only through its lifecycle: every step is refused from the wrong state, through the pages and
the API alike, and the pages offer only the steps the lifecycle allows."""

import datetime
import uuid

import pytest
from django.urls import reverse

from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import Flat
from resettlement.lottery.lifecycle import lottery_draw, lottery_freeze
from resettlement.lottery.models import Lottery, LotteryStatus
from resettlement.lottery.services import lottery_create, roster_build
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next, event_open
from resettlement.selection.lotteries import lottery_redraw
from resettlement.selection.models import Selection, SelectionStatus
from resettlement.selection.services import event_create, flats_hold
from tests.selection_fixtures import NOTICE_DETAILS, WITNESSES, households, project_with_flats
from tests.test_lottery_pages import draw_data, messages_of, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(world):
    """Project A with flats, four households entitled to 100 m², a drawn lottery of them."""
    project, buildings = project_with_flats(project=world.project_a, numbers=(5,))
    world.household_a.delete()
    people = households(project, 4)
    lottery = lottery_create(project=project, name="第一批摇号", **NOTICE_DETAILS)
    roster_build(lottery=lottery)
    lottery_freeze(lottery=lottery)
    lottery_draw(lottery=lottery, public_input="07 21 33", witnesses=WITNESSES)
    return project, buildings, people, lottery


def test_publishing_keeps_a_household_that_chose_its_flats_meanwhile_allocated(drawn, login):
    """A selection day by signing order ran between the draw and its publication: the
    household that chose keeps its selection and its status."""
    project, buildings, people, lottery = drawn
    event = event_create(
        project=project,
        name="先签先选",
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2025, 6, 1),
        queue_source="signing",
        buildings=buildings,
    )
    event_open(event=event)
    desk = event.desks.first()
    entry = desk_call_next(desk=desk)
    flat = Flat.objects.get(code="5-1-101")
    flats_hold(entry=entry, desk=desk, flats=[flat])
    selection_confirm(entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4())
    chosen = entry.household

    step(login("supervisor"), lottery, "publish")

    lottery.refresh_from_db()
    chosen.refresh_from_db()
    assert lottery.status == LotteryStatus.PUBLISHED
    assert chosen.status == HouseholdStatus.ALLOCATED
    assert Selection.objects.get(household=chosen).status == SelectionStatus.ACTIVE
    others = [person for person in people if person.pk != chosen.pk]
    for person in others:
        person.refresh_from_db()
        assert person.status == HouseholdStatus.ORDERED and person.selection_order


def test_a_replaced_draw_cannot_be_published_and_offers_no_step(drawn, login):
    _project, _buildings, people, lottery = drawn
    client = login("supervisor")
    step(client, lottery, "redraw", {"reason": "见证人未到场", "approved_by": "王主任"})
    page = client.get(lottery.get_absolute_url()).content.decode()
    assert reverse("lottery:publish", args=[lottery.pk]) not in page
    assert reverse("lottery:redraw", args=[lottery.pk]) not in page
    assert "本次摇号已被重新摇号取代，后续步骤在新摇号中进行。" in page

    response = step(client, lottery, "publish")
    assert any("已被重新摇号" in message for message in messages_of(response))
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN
    for person in people:
        person.refresh_from_db()
        assert person.status == HouseholdStatus.SIGNED and person.selection_order is None


def test_a_replaced_frozen_lottery_cannot_be_drawn(world, login):
    project = world.project_a
    lottery = lottery_create(project=project, name="第一批摇号")
    roster_build(lottery=lottery)
    lottery_freeze(lottery=lottery)
    lottery_redraw(lottery=lottery, reason="名单有误", approved_by="王主任")
    client = login("supervisor")
    assert 'id="draw-form"' not in client.get(lottery.get_absolute_url()).content.decode()
    response = step(client, lottery, "draw", draw_data())
    assert any("已被重新摇号" in message for message in messages_of(response))
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.FROZEN and not lottery.results.exists()


def test_a_second_re_draw_of_the_same_lottery_is_a_clear_refusal(drawn, login):
    _project, _buildings, _people, lottery = drawn
    client = login("supervisor")
    first = step(client, lottery, "redraw", {"reason": "见证人未到场", "approved_by": "王主任"})
    assert first.status_code == 200
    again = step(client, lottery, "redraw", {"reason": "再来一次", "approved_by": "王主任"})
    assert again.status_code == 200
    assert any("已被重新摇号" in message for message in messages_of(again))
    assert Lottery.objects.filter(replaces=lottery).count() == 1


def test_a_cancelled_lottery_cannot_be_frozen_or_re_drawn(world, login):
    lottery = lottery_create(project=world.project_a, name="第一批摇号")
    roster_build(lottery=lottery)
    client = login("supervisor")
    step(client, lottery, "cancel", {"reason": "名单需重新核对"})
    page = client.get(lottery.get_absolute_url()).content.decode()
    for name in ("freeze", "cancel", "redraw", "roster-build"):
        assert reverse(f"lottery:{name}", args=[lottery.pk]) not in page, name
    response = step(client, lottery, "freeze")
    assert any("已取消" in message for message in messages_of(response))
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.CANCELLED and not lottery.roster_digest


def test_the_api_lists_the_steps_a_lottery_allows_and_takes_none(drawn, api):
    _project, _buildings, _people, lottery = drawn
    client = api("supervisor")
    url = f"/api/v1/lotteries/{lottery.pk}/"
    assert client.get(url).json()["actions"] == ["publish", "redraw", "edit_notice"]
    assert client.patch(url, {"status": "published"}, format="json").status_code in (403, 405)
    assert client.post(url, {}, format="json").status_code in (403, 405)
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN
