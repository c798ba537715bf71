"""The household's page shows its handover: its appointments (a rescheduled one with its reason)
and its handovers (an undone one struck through, with the reason), in a fixed number of
queries."""

import datetime

import pytest
from django.urls import reverse

from resettlement.handover.services import appointment_reschedule, handover_undo
from tests.handover_fixtures import handover_day
from tests.test_handover_documents import handed

pytestmark = pytest.mark.django_db


def test_the_household_page_shows_appointments_and_handovers(world, login, personas):
    batch, people = handover_day(world)
    first, second = people[0], people[1]
    handover = handed(batch, first)
    handover_undo(handover=handover, reason="钥匙数量登记错误", by=personas["supervisor"])
    appointment = batch.appointments.get(household=second)
    later = batch.slots.create(
        day=appointment.slot.day + datetime.timedelta(days=5), half_day="pm", desk=1, capacity=1
    )
    appointment_reschedule(appointment=appointment, slot=later, reason="户主出差")
    clerk = login("clerk")

    page = clerk.get(reverse("households:detail", args=[first.pk])).content.decode()
    section = page[page.index('id="handover-record"') :]
    assert batch.name in section and "已撤销" in section
    assert "钥匙数量登记错误" in section
    (flat,) = [item.flat for item in handover.flats.all()]
    assert f"<s>{flat.code}</s>" in section

    page = clerk.get(reverse("households:detail", args=[second.pk])).content.decode()
    section = page[page.index('id="handover-record"') :]
    assert "户主出差" in section and "尚未交房。" in section
    standing = batch.appointments.get(household=second, replaces=appointment)
    assert reverse("handover:appointment", args=[standing.pk]) in section
    assert later.day.strftime("%Y-%m-%d") in section
