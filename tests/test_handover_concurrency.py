"""A slot never takes more households than its capacity, and a household is never handed over
twice: proven on PostgreSQL with real threads released together (SQLite serialises writers)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from resettlement.handover.models import Appointment, AppointmentStatus, Handover
from resettlement.handover.services import (
    FlatHandover,
    appointment_reschedule,
    handover_record,
    household_flats,
    inspection_record,
)
from resettlement.households.lifecycle import household_notify
from tests.handover_fixtures import handover_day
from tests.test_selection_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency: PostgreSQL"
    ),
]


def test_four_reschedulings_into_a_one_place_slot_give_it_to_one(world):
    batch, _people = handover_day(world)
    appointments = list(batch.appointments.order_by("order_no"))
    last = max(a.slot.day for a in appointments)
    slot = batch.slots.create(
        day=last + datetime.timedelta(days=3), half_day="pm", desk=1, capacity=1
    )

    outcomes = race(
        4,
        lambda i: appointment_reschedule(appointment=appointments[i], slot=slot, reason="改约"),
    )
    moved = [o for o in outcomes if isinstance(o, Appointment)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(moved) == 1 and len(refused) == 3, outcomes
    assert slot.appointments.filter(status=AppointmentStatus.SCHEDULED).count() == 1
    # the refused ones keep their appointments
    assert batch.appointments.filter(status=AppointmentStatus.SCHEDULED).count() == 4


def test_a_double_submitted_handover_hands_over_once(world):
    import django.utils.timezone as tz

    batch, people = handover_day(world)
    household = people[0]
    (flat,) = household_flats(household, batch)
    household_notify(household=household)
    inspection_record(
        household=household, flat=flat, inspected_on=tz.localdate(), result="accepted"
    )
    item = FlatHandover(
        flat=flat,
        water_reading=Decimal(3),
        electricity_reading=Decimal(40),
        door_keys=3,
        quality_guarantee=True,
        usage_manual=True,
    )
    outcomes = race(
        3,
        lambda i: handover_record(
            batch=batch, household=household, flats=[item], handed_on=tz.localdate()
        ),
    )
    assert sum(isinstance(o, Handover) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, Handover | ValidationError) for o in outcomes), outcomes
    assert Handover.objects.filter(household=household).count() == 1
