"""A household's page tells its whole story on the selection side: the lottery that ordered it
and its sequence, its queue number, each selection with its flats, areas, settlement and
选房确认书, voided ones struck through with their reason; in a fixed number of queries."""

import re
import uuid

import pytest
from django.urls import reverse

from resettlement.housing.models import Flat, FlatStatus
from resettlement.selection.confirmation import selection_confirm, selection_void
from resettlement.selection.lifecycle import desk_call_next, event_open
from resettlement.selection.models import QueueEntry
from resettlement.selection.services import flats_hold
from tests.selection_fixtures import planned_day

pytestmark = pytest.mark.django_db


def confirm_next(event, flat):
    desk = event.desks.get(number=1)
    entry = desk_call_next(desk=desk)
    flats_hold(entry=entry, desk=desk, flats=[flat])
    return selection_confirm(entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4())


def free_flats(event, layout="A"):
    return Flat.objects.filter(
        building__in=event.buildings.all(), layout=layout, status=FlatStatus.AVAILABLE
    ).order_by("code")


@pytest.fixture
def story(world, personas):
    """The first household of a selection day chose a flat, had it voided, chose another."""
    supervisor = personas["supervisor"]
    event, _people = planned_day(world, by=supervisor)
    event_open(event=event, by=supervisor)
    first = confirm_next(event, free_flats(event)[0])
    selection_void(selection=first, reason="户主要求调换楼层", by=supervisor)
    second = confirm_next(event, free_flats(event)[1])
    assert second.household_id == first.household_id
    return event, second.household, first, second


def section(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</table>', page, re.S)
    assert match, element_id
    return match.group(0)


@pytest.mark.parametrize("persona", ["clerk", "leader", "supervisor"])
def test_an_allocated_household_shows_its_flats_settlement_confirmation_queue_and_lottery(
    story, login, persona
):
    event, household, voided, active = story
    page = login(persona).get(reverse("households:detail", args=[household.pk])).content.decode()
    flat = active.flats.get().flat
    old_flat = voided.flats.get().flat
    current = re.search(rf'id="selection-{active.pk}".*?</dl>', page, re.S).group(0)
    assert f"<td>{flat.code}</td>" in current and f"<td>{flat.building.code}</td>" in current
    assert f'<td class="num">{active.flats.get().area}</td>' in current
    assert f"{active.entitled_area} m²" in current and f"¥{active.balance}" in current
    assert f"{active.excess_area} m²" in current
    assert reverse("selection:confirmation", args=[active.pk]) in current
    assert "已确认" in current

    struck = re.search(rf'id="selection-{voided.pk}".*?</dl>', page, re.S).group(0)
    assert f"<s>{old_flat.code}</s>" in struck
    assert "已作废" in struck and "户主要求调换楼层" in struck
    assert reverse("selection:confirmation", args=[voided.pk]) in struck

    queue = QueueEntry.objects.get(event=event, household=household)
    assert f'<td class="num">{queue.order_no}</td>' in section(page, "household-queue")
    assert event.get_absolute_url() in section(page, "household-queue")
    lotteries = section(page, "household-lotteries")
    result = household.lottery_entries.get().result
    assert event.lottery.get_absolute_url() in lotteries
    assert f'<td class="num">{result.sequence}</td>' in lotteries


def test_the_record_keeps_personal_data_masked_for_a_clerk(story, login):
    _event, household, _voided, _active = story
    page = login("clerk").get(reverse("households:detail", args=[household.pk])).content.decode()
    assert household.head_id_number not in page
    assert household.head_id_number[-4:] in page


def test_project_teams_and_other_projects_see_no_record(story, login):
    _event, household, _voided, _active = story
    url = reverse("households:detail", args=[household.pk])
    assert login("team").get(url).status_code in (403, 404)
    assert login("outsider").get(url).status_code in (403, 404)


def test_the_household_page_takes_as_many_queries_for_many_selections_as_for_one(
    story, login, personas, django_assert_max_num_queries
):
    event, household, _voided, active = story
    client = login("clerk")
    url = reverse("households:detail", args=[household.pk])
    with django_assert_max_num_queries(QUERIES):
        client.get(url)
    supervisor = personas["supervisor"]
    for number in range(2):
        selection_void(selection=active, reason=f"第{number + 2}次调换", by=supervisor)
        active = confirm_next(event, free_flats(event, layout="B")[number])
    assert household.selections.count() == 4
    with django_assert_max_num_queries(QUERIES):
        response = client.get(url)
    assert response.content.decode().count("<s>") >= 3 * 4


QUERIES = 14
