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
    assert refused.value.messages == [
        "Building 6# cannot be handed over: its node “Completion acceptance” is not complete."
    ] or "6#" in " ".join(refused.value.messages)
    assert "5#" not in " ".join(refused.value.messages)


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
    assert document.number == f"{batch.project.code}-JF-{document.year}-000001"
    people[0].refresh_from_db()
    assert people[0].status == HouseholdStatus.NOTIFIED
    with document.stored.file.open("rb") as file:
        text = pdf_text(file.read())
    assert "5-1-101" in text and document.code in text.replace("\n", "")
