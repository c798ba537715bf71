"""Handover services end to end: a batch refused for a building without 竣工验收, slots given
in selection order, a missed appointment offered the next slot, a rescheduling with a reason,
an inspection with a defect, the handover, and its undoing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettlement.handover.models import AppointmentStatus, HandoverStatus, InspectionResult
from resettlement.handover.services import (
    FlatHandover,
    appointment_miss,
    appointment_reschedule,
    batch_open,
    handover_record,
    handover_undo,
    household_flats,
    inspection_record,
)
from resettlement.households.lifecycle import household_notify
from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import FlatStatus
from tests.handover_fixtures import allocated_project, handover_day

pytestmark = pytest.mark.django_db


def test_a_building_without_completion_acceptance_is_refused_by_name(world):
    project, buildings, _people = allocated_project(world)
    with pytest.raises(ValidationError) as refused:
        batch_open(project=project, name="第二批", buildings=buildings, place="一楼")
    assert refused.value.messages == ["楼栋 6# 不能交房：其“竣工验收”节点尚未完成。"]


def test_households_get_slots_in_selection_order_and_a_miss_offers_the_next(world):
    batch, people = handover_day(world)
    appointments = list(batch.appointments.order_by("order_no"))
    assert [a.household for a in appointments] == people
    days = [a.slot.day for a in appointments]
    assert days[0] == days[1] < days[2] == days[3]

    batch.slots.create(day=days[3] + datetime.timedelta(days=1), half_day="am", desk=1, capacity=1)
    new = appointment_miss(appointment=appointments[0])
    assert appointments[0].status == AppointmentStatus.MISSED
    assert new.slot.day == days[3] + datetime.timedelta(days=1) and new.replaces == appointments[0]

    with pytest.raises(ValidationError):
        appointment_reschedule(appointment=appointments[1], slot=new.slot, reason="")
    with pytest.raises(ValidationError):  # that slot is full now
        appointment_reschedule(appointment=appointments[1], slot=new.slot, reason="户主住院")


def test_inspection_handover_and_undo(world, personas):
    batch, people = handover_day(world)
    household = people[0]
    (flat,) = household_flats(household, batch)
    today = timezone.localdate()
    reading = FlatHandover(
        flat=flat,
        water_reading=Decimal("1.5"),
        electricity_reading=Decimal("12"),
        door_keys=3,
        quality_guarantee=True,
        usage_manual=True,
    )
    household_notify(household=household)
    with pytest.raises(ValidationError):  # not inspected yet
        handover_record(batch=batch, household=household, flats=[reading], handed_on=today)
    inspection_record(
        household=household,
        flat=flat,
        inspected_on=today,
        result=InspectionResult.ACCEPTED_WITH_DEFECTS,
        defects=[{"room": "卫生间", "category": "bathroom", "description": "地漏反水"}],
    )
    handover = handover_record(
        batch=batch,
        household=household,
        flats=[reading],
        handed_on=today,
        by=personas["clerk"],
    )
    flat.refresh_from_db()
    household.refresh_from_db()
    assert flat.status == FlatStatus.HANDED_OVER and household.status == HouseholdStatus.HANDED_OVER

    handover_undo(handover=handover, reason="钥匙错发", by=personas["supervisor"])
    flat.refresh_from_db()
    household.refresh_from_db()
    assert handover.status == HandoverStatus.UNDONE
    assert flat.status == FlatStatus.SELECTED and household.status == HouseholdStatus.NOTIFIED


def test_a_notice_is_numbered_once_and_notifies_the_household(world):
    from resettlement.archive.models import IssuedKind
    from resettlement.handover.documents import paper_issue
    from tests.documents import pdf_text

    batch, people = handover_day(world)
    appointment = batch.appointments.get(household=people[0])
    document = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
    again = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
    assert again.pk == document.pk and again.sha256 == document.sha256
    assert again.stored_id == document.stored_id
    assert document.number == f"{batch.project.code}-JF-{document.year}-000001"
    people[0].refresh_from_db()
    assert people[0].status == HouseholdStatus.NOTIFIED
    with document.stored.file.open("rb") as file:
        text = pdf_text(file.read())
    assert "5-1-101" in text and document.code in text.replace("\n", "")


def test_refusals_name_what_is_wrong_and_write_nothing(world):
    from resettlement.handover.models import HandoverBatch

    batch, people = handover_day(world)
    project = batch.project
    five = project.buildings.get(code="5#")
    other = world.building_b
    with pytest.raises(ValidationError) as refused:
        batch_open(project=project, name="重复", buildings=[five, other], place="一楼")
    text = " ".join(refused.value.messages)
    assert "楼栋 5# 已在进行中的交房批次“5#楼第一批交房”中。" in text
    assert "楼栋 1# 不属于本项目。" in text
    assert HandoverBatch.objects.count() == 1

    appointment = batch.appointments.get(household=people[0])
    household = people[0]
    (flat,) = household_flats(household, batch)
    today = timezone.localdate()
    with pytest.raises(ValidationError):  # a refusal needs its re-inspection day
        inspection_record(household=household, flat=flat, inspected_on=today, result="refused")
    with pytest.raises(ValidationError):  # not yet
        inspection_record(
            household=household,
            flat=flat,
            inspected_on=today + datetime.timedelta(days=1),
            result="accepted",
        )
    stranger = household_flats(people[1], batch)[0]
    with pytest.raises(ValidationError):
        inspection_record(household=household, flat=stranger, inspected_on=today, result="accepted")
    inspection_record(household=household, flat=flat, inspected_on=today, result="accepted")
    no_booklets = FlatHandover(
        flat=flat, water_reading=Decimal(1), electricity_reading=Decimal(1), door_keys=2
    )
    with pytest.raises(ValidationError) as refused:  # notice not given yet, no booklets
        handover_record(batch=batch, household=household, flats=[no_booklets], handed_on=today)
    assert "住宅质量保证书" in " ".join(refused.value.messages)
    assert appointment.household.handovers.count() == 0
    flat.refresh_from_db()
    assert flat.status == FlatStatus.SELECTED


def test_assignment_fills_slots_to_capacity_and_reports_who_waits(world):
    from resettlement.handover.services import appointments_assign

    batch, _people = handover_day(world)
    batch.appointments.all().delete()
    batch.slots.exclude(pk=batch.slots.order_by("day").first().pk).delete()
    assigned = appointments_assign(batch=batch)
    assert (assigned.given, assigned.waiting) == (2, 2)
    assert appointments_assign(batch=batch).given == 0  # nobody given twice


def test_a_missed_appointment_with_no_free_slot_leaves_the_household_to_staff(world):
    batch, people = handover_day(world)
    appointment = batch.appointments.get(household=people[3])
    assert appointment_miss(appointment=appointment) is None
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.MISSED
    with pytest.raises(ValidationError):  # missed once: not expected any more
        appointment_miss(appointment=appointment)


def test_a_rescheduled_households_new_notice_supersedes_the_old(world):
    from resettlement.archive.models import IssuedKind, IssuedStatus
    from resettlement.handover.documents import paper_register

    batch, people = handover_day(world)
    first = batch.appointments.get(household=people[0])
    old = paper_register(IssuedKind.HANDOVER_NOTICE, first)
    later = batch.slots.create(
        day=first.slot.day + datetime.timedelta(days=5), half_day="pm", desk=1, capacity=1
    )
    moved = appointment_reschedule(appointment=first, slot=later, reason="户主出差")
    assert moved.replaces == first and moved.reason == "户主出差"
    new = paper_register(IssuedKind.HANDOVER_NOTICE, moved)
    old.refresh_from_db()
    assert old.status == IssuedStatus.SUPERSEDED and old.superseded_by == new
    assert new.sequence == old.sequence + 1


def test_a_defect_is_fixed_then_accepted_in_that_order(world):
    from resettlement.handover.lifecycle import defect_accept, defect_fix
    from resettlement.handover.models import DefectStatus

    batch, people = handover_day(world)
    (flat,) = household_flats(people[0], batch)
    inspection = inspection_record(
        household=people[0],
        flat=flat,
        inspected_on=timezone.localdate(),
        result=InspectionResult.ACCEPTED_WITH_DEFECTS,
        defects=[{"room": "客厅", "category": "walls", "description": "墙面空鼓"}],
    )
    defect = inspection.defects.get()
    with pytest.raises(ValidationError):
        defect_accept(defect)
    defect_fix(defect)
    defect_accept(defect)
    defect.refresh_from_db()
    assert defect.status == DefectStatus.ACCEPTED and defect.fixed_at and defect.accepted_at
    assert defect.history.count() == 3
