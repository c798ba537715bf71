"""A handover under way: project A of the `world` fixture with building 5# (24 flats) whose
completion acceptance (竣工验收) is done and building 6# whose is not, four households that
chose one flat each in 5# at a selection day (queue order 1–4), and rates for the sums due at
handover. `handover_day` also opens a batch for 5# with two half-day slots of two households.
"""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from resettlement.handover.models import HalfDay
from resettlement.handover.services import appointments_assign, batch_open, slots_add
from resettlement.households.models import Household
from resettlement.housing.models import Flat
from resettlement.progress.models import BuildingMilestone, MilestoneRole
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next
from resettlement.selection.services import flats_hold
from tests.selection_fixtures import households, open_event, project_with_flats, published_lottery

D = Decimal
CHOSEN = ["5-1-101", "5-1-201", "5-2-102", "5-2-202"]


def accept_completion(building, day=None) -> None:
    """Record the building's 竣工验收 node complete."""
    day = day or timezone.localdate() - datetime.timedelta(days=30)
    BuildingMilestone.objects.filter(
        building=building, milestone_type__role=MilestoneRole.COMPLETION_ACCEPTANCE
    ).update(percent=100, actual_start=day, actual_finish=day)


def allocated_project(world, *, by=None):
    """(project, [5#, 6#], households in queue order): each household chose one flat of 5#."""
    project, buildings = project_with_flats(project=world.project_a, numbers=(5, 6))
    project.maintenance_fund_rate = D("60.00")
    project.property_fee_rate = D("1.50")
    project.property_fee_months = 12
    project.handover_phone = "029-00000000"
    project.save()
    world.household_a.delete()
    households(project, 4, entitled_area=D("80.00"))
    lottery = published_lottery(project, by=by)
    event = open_event(project, buildings, lottery, desks=1, by=by)
    desk = event.desks.get()
    for code in CHOSEN:
        entry = desk_call_next(desk=desk, by=by)
        flat = Flat.objects.get(building__project=project, code=code)
        flats_hold(entry=entry, desk=desk, flats=[flat], by=by)
        selection_confirm(entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4(), by=by)
    accept_completion(buildings[0])
    ordered = sorted(
        Household.objects.filter(project=project, selections__isnull=False).distinct(),
        key=lambda h: h.queue_entries.get().order_no,
    )
    return project, buildings, ordered


def handover_day(world, *, by=None, first_day=None):
    """A batch for 5# with slots on two mornings (one desk, two households each), the four
    households given their appointments: (batch, households in order)."""
    project, buildings, people = allocated_project(world, by=by)
    first_day = first_day or timezone.localdate() + datetime.timedelta(days=7)
    batch = batch_open(
        project=project,
        name="5#楼第一批交房",
        buildings=[buildings[0]],
        place="社区服务中心一楼",
        by=by,
    )
    slots_add(
        batch=batch,
        days=[first_day, first_day + datetime.timedelta(days=1)],
        half_days=[HalfDay.MORNING],
        desks=1,
        capacity=2,
        by=by,
    )
    appointments_assign(batch=batch, by=by)
    return batch, people
