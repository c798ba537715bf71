"""The selection day through its services: queue, locks, confirmation, voids, the log."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import Flat, FlatStatus
from resettlement.selection.confirmation import selection_confirm, selection_void
from resettlement.selection.lifecycle import desk_call_next, queue_absent, queue_present
from resettlement.selection.models import (
    FlatHold,
    LogAction,
    QueueStatus,
    SelectedFlat,
    Selection,
    SelectionLog,
)
from resettlement.selection.services import flats_hold, holds_expire, holds_extend
from tests.selection_fixtures import households, open_event, project_with_flats, published_lottery

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def day(personas):
    project, buildings = project_with_flats()
    people = households(project, 6)
    people[0].elderly = True
    people[0].save()
    lottery = published_lottery(project)
    event = open_event(project, buildings, lottery, max_flats=2)
    desk1, desk2 = event.desks.order_by("number")
    return event, desk1, desk2, people


def flat(code) -> Flat:
    return Flat.objects.get(code=code)


def test_the_queue_follows_the_lottery_with_priority_households_first(day):
    event, _desk1, _desk2, people = day
    queue = list(event.queue.order_by("position").select_related("household"))
    assert [entry.order_no for entry in queue] == [1, 2, 3, 4, 5, 6]
    assert queue[0].household == people[0], "the elderly household is in group 1"
    assert all(entry.household.selection_order == entry.order_no for entry in queue)


def test_desks_call_in_turn_and_a_busy_desk_cannot_call_again(day, personas):
    _event, desk1, desk2, _people = day
    first = desk_call_next(desk=desk1, by=personas["clerk"])
    second = desk_call_next(desk=desk2, by=personas["clerk"])
    assert (first.order_no, second.order_no) == (1, 2)
    with pytest.raises(ValidationError, match="正在接待 1 号"):
        desk_call_next(desk=desk1)
    assert SelectionLog.objects.filter(action=LogAction.CALL).count() == 2


def test_confirmation_selects_the_held_flats_and_settles(day, personas):
    _event, desk1, _desk2, _people = day
    entry = desk_call_next(desk=desk1)
    queue_present(entry=entry, desk=desk1, by=personas["clerk"])
    flats_hold(entry=entry, desk=desk1, flats=[flat("1-1-101")], by=personas["clerk"])
    with pytest.raises(ValidationError, match="多于允许的"):  # 80.50 + 80.50 vs 100 + 30
        flats_hold(entry=entry, desk=desk1, flats=[flat("1-1-201")], by=personas["clerk"])
    assert flat("1-1-201").status == FlatStatus.AVAILABLE, "a refused lock locks nothing"
    key = uuid.uuid4()
    household = entry.household
    household.entitled_area = D("40.00")  # corrected in the register while it decides
    household.save()
    with pytest.raises(ValidationError, match="多于允许的"):
        selection_confirm(entry=entry, desk=desk1, flats=[flat("1-1-101")], idempotency_key=key)
    household.entitled_area = D("100.00")
    household.save()
    assert flat("1-1-101").status == FlatStatus.RESERVED, "a refused confirmation changes nothing"
    selection = selection_confirm(
        entry=entry, desk=desk1, flats=[flat("1-1-101")], idempotency_key=key, by=personas["clerk"]
    )
    assert (selection.total_area, selection.shortfall_area, selection.refund_amount) == (
        D("80.50"),
        D("19.50"),
        D("78000.00"),
    )
    assert selection.balance == D("-78000.00")
    assert flat("1-1-101").status == FlatStatus.SELECTED
    assert not FlatHold.objects.filter(flat=flat("1-1-101")).exists()
    entry.refresh_from_db()
    entry.household.refresh_from_db()
    assert entry.status == QueueStatus.DONE and entry.household.status == HouseholdStatus.ALLOCATED
    assert SelectionLog.objects.filter(
        action=LogAction.CONFIRM, desk=desk1, user=personas["clerk"]
    ).exists()


def test_a_repeated_confirmation_returns_the_same_selection(day):
    _event, desk1, _desk2, _people = day
    entry = desk_call_next(desk=desk1)
    flats_hold(entry=entry, desk=desk1, flats=[flat("1-1-102")])
    key = uuid.uuid4()
    first = selection_confirm(entry=entry, desk=desk1, flats=[flat("1-1-102")], idempotency_key=key)
    again = selection_confirm(entry=entry, desk=desk1, flats=[flat("1-1-102")], idempotency_key=key)
    assert first.pk == again.pk and Selection.objects.count() == 1


def test_a_flat_locked_at_one_desk_cannot_be_locked_or_confirmed_at_another(day):
    _event, desk1, desk2, _people = day
    entry1, entry2 = desk_call_next(desk=desk1), desk_call_next(desk=desk2)
    flats_hold(entry=entry1, desk=desk1, flats=[flat("2-1-301")])
    with pytest.raises(ValidationError, match=r"已被其他选房台锁定|不再可选"):
        flats_hold(entry=entry2, desk=desk2, flats=[flat("2-1-301")])
    with pytest.raises(ValidationError, match="没有为本户在本台锁定"):
        selection_confirm(
            entry=entry2, desk=desk2, flats=[flat("2-1-301")], idempotency_key=uuid.uuid4()
        )


def test_more_flats_than_allowed_are_refused(day):
    _event, desk1, _desk2, _people = day
    entry = desk_call_next(desk=desk1)
    with pytest.raises(ValidationError, match="每户最多 2 套"):
        flats_hold(
            entry=entry, desk=desk1, flats=[flat("1-1-101"), flat("1-1-201"), flat("1-1-301")]
        )


def test_a_lock_expires_with_the_countdown_and_can_be_extended(day):
    event, desk1, _desk2, _people = day
    start = datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        entry = desk_call_next(desk=desk1)
        flats_hold(entry=entry, desk=desk1, flats=[flat("1-2-101")])
    with time_machine.travel(start + datetime.timedelta(seconds=500), tick=False):
        holds_extend(entry=entry, desk=desk1)  # 600 s countdown + 180 s
    with time_machine.travel(start + datetime.timedelta(seconds=700), tick=False):
        assert holds_expire(event=event) == 0
    with time_machine.travel(start + datetime.timedelta(seconds=781), tick=False):
        assert holds_expire(event=event) == 1
        assert flat("1-2-101").status == FlatStatus.AVAILABLE
        with pytest.raises(ValidationError, match="没有为本户在本台锁定"):
            selection_confirm(
                entry=entry, desk=desk1, flats=[flat("1-2-101")], idempotency_key=uuid.uuid4()
            )
    assert SelectionLog.objects.filter(action=LogAction.EXPIRE).count() == 1


def test_an_absent_household_moves_to_the_end_of_the_day(day):
    _event, desk1, _desk2, _people = day
    entry = desk_call_next(desk=desk1)
    flats_hold(entry=entry, desk=desk1, flats=[flat("1-1-401")])
    queue_absent(entry=entry, desk=desk1)
    entry.refresh_from_db()
    assert entry.status == QueueStatus.WAITING and entry.position == 7 and entry.absences == 1
    assert flat("1-1-401").status == FlatStatus.AVAILABLE, "its locks are released"
    assert desk_call_next(desk=desk1).order_no == 2


def test_an_absent_household_loses_its_turn_when_the_rule_says_so(personas):
    project, buildings = project_with_flats("SEL2")
    households(project, 3)
    event = open_event(project, buildings, published_lottery(project), absent_rule="lose_turn")
    desk = event.desks.first()
    entry = desk_call_next(desk=desk)
    queue_absent(entry=entry, desk=desk)
    entry.refresh_from_db()
    assert entry.status == QueueStatus.SKIPPED


def test_a_void_returns_the_flat_keeps_both_records_and_lets_the_household_choose_again(
    day, personas
):
    _event, desk1, _desk2, _people = day
    entry = desk_call_next(desk=desk1)
    flats_hold(entry=entry, desk=desk1, flats=[flat("2-2-101")])
    first = selection_confirm(
        entry=entry, desk=desk1, flats=[flat("2-2-101")], idempotency_key=uuid.uuid4()
    )
    with pytest.raises(ValidationError):
        selection_void(selection=first, reason=" ", by=personas["supervisor"])
    selection_void(selection=first, reason="户主要求换房，主管同意", by=personas["supervisor"])
    first.refresh_from_db()
    entry.refresh_from_db()
    assert first.status == "voided" and first.voided_by == personas["supervisor"]
    assert flat("2-2-101").status == FlatStatus.AVAILABLE
    assert entry.status == QueueStatus.WAITING and entry.position < 1
    again = desk_call_next(desk=desk1)
    assert again == entry
    flats_hold(entry=again, desk=desk1, flats=[flat("2-2-101")])
    second = selection_confirm(
        entry=again, desk=desk1, flats=[flat("2-2-101")], idempotency_key=uuid.uuid4()
    )
    assert Selection.objects.filter(household=entry.household).count() == 2
    assert SelectedFlat.objects.filter(flat=flat("2-2-101")).count() == 2
    assert second.status == "active"


def test_the_database_refuses_a_second_active_selection_of_a_flat(day):
    event, desk1, _desk2, people = day
    entry = desk_call_next(desk=desk1)
    flats_hold(entry=entry, desk=desk1, flats=[flat("1-2-601")])
    selection = selection_confirm(
        entry=entry, desk=desk1, flats=[flat("1-2-601")], idempotency_key=uuid.uuid4()
    )
    rogue = Selection.objects.create(
        event=event, household=people[5], entitled_area=100, total_area=80, excess_area=0, shortfall_area=20,
        excess_amount=0, refund_amount=0, floor_amount=0, balance=0,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        SelectedFlat.objects.create(selection=rogue, flat=flat("1-2-601"), area=80)
    assert selection.flats.get().active
