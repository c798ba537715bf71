"""漳浒's first handover batch (交房), under way, made through the handover services so a new
user sees every state: households handed their keys (meter readings, keys, booklets, their
papers registered), one that accepted its flat with open defects noted, one that refused it
and waits for a re-inspection, households that missed their appointment (爽约) and were offered
another slot, and households given a slot that have not come yet.

Its buildings are the project's buildings whose completion acceptance (竣工验收) is complete.
Papers are registered (numbered, with a verification code) without rendering PDFs: the PDF is
rendered the first time someone prints it, so loading the demo stays fast.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model

from resettlement.archive.models import IssuedKind
from resettlement.handover.documents import paper_register
from resettlement.handover.lifecycle import defect_fix
from resettlement.handover.models import HalfDay, HandoverBatch, InspectionResult
from resettlement.handover.services import (
    FlatHandover,
    appointment_arrive,
    appointment_miss,
    appointments_assign,
    batch_open,
    buildings_refused,
    handover_record,
    household_flats,
    inspection_record,
    slots_add,
)
from resettlement.projects.models import Project

# Households in appointment order: the first are handed over, then one accepts with open
# defects, one refuses, two miss their slot; of the rest, the first few are notified.
HANDED_OVER = 5
WITH_DEFECTS = 1
REFUSED = 1
MISSED = 2
NOTIFIED_WAITING = 6  # notified, not come yet (the others have a slot, no notice yet)
DAYS = 4  # slot days from today
DESKS = 2
CAPACITY = 5  # households per desk and half-day
REINSPECT_IN_DAYS = 7

SUMS_DUE = {  # synthetic rates for the sums printed on the notices
    "maintenance_fund_rate": Decimal("90.00"),
    "property_fee_rate": Decimal("1.80"),
    "property_fee_months": 12,
    "handover_phone": "029-0000 0000",
}
DEFECTS = (
    ("卫生间", "bathroom", "地漏排水不畅，有积水"),
    ("主卧", "walls", "墙面一处开裂，约 30 厘米"),
    ("客厅", "doors_windows", "推拉窗关闭不严"),
    ("厨房", "water_power", "插座面板松动"),
    ("次卧", "floors", "地面一处空鼓"),
)


@dataclass(frozen=True)
class DemoHandover:
    batch: HandoverBatch
    handed_over: int
    with_defects: int
    refused: int
    missed: int
    notified: int


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def demo_handover(project: Project, *, today: datetime.date, seed: int) -> DemoHandover | None:
    """A batch for the project's accepted buildings with slots from today; None when no
    building is accepted or no household has chosen a flat in one."""
    rng = random.Random(seed)
    supervisor, clerk = _user("supervisor"), _user("clerk")
    accepted = [b for b in project.buildings.order_by("sort_key") if not buildings_refused([b])]
    if not accepted:
        return None
    _set_sums_due(project, by=supervisor)
    batch = batch_open(
        project=project,
        name="漳浒片区第一批交房",
        buildings=accepted,
        place="二府庄社区服务中心一楼大厅",
        note="演示数据：交房进行中",
        by=supervisor,
    )
    slots_add(
        batch=batch,
        days=[today + datetime.timedelta(days=n) for n in range(DAYS)],
        half_days=[HalfDay.MORNING, HalfDay.AFTERNOON],
        desks=DESKS,
        capacity=CAPACITY,
        by=supervisor,
    )
    appointments_assign(batch=batch, by=supervisor)
    appointments = list(batch.appointments.select_related("household", "slot").order_by("order_no"))
    if not appointments:
        return None
    counts = {"handed_over": 0, "with_defects": 0, "refused": 0, "missed": 0, "notified": 0}
    steps = (
        [_hand_over] * HANDED_OVER
        + [_accept_with_defects] * WITH_DEFECTS
        + [_refuse] * REFUSED
        + [_miss] * MISSED
        + [None] * NOTIFIED_WAITING
    )
    for appointment, step in zip(appointments, steps, strict=False):
        paper_register(IssuedKind.HANDOVER_NOTICE, appointment, by=clerk)
        counts["notified"] += 1
        if step is not None:
            counts[step(batch, appointment, today=today, rng=rng, by=clerk)] += 1
    return DemoHandover(batch=batch, **counts)


def _set_sums_due(project: Project, *, by) -> None:
    for name, value in SUMS_DUE.items():
        setattr(project, name, value)
    project.full_clean()
    project._history_user = by  # type: ignore[attr-defined]
    project.save(update_fields=[*SUMS_DUE, "updated_at"])


def _hand_over(batch, appointment, *, today, rng, by) -> str:
    household = appointment.household
    appointment_arrive(appointment=appointment, by=by)
    flats = household_flats(household, batch)
    for number, flat in enumerate(flats):
        # The second household noted a defect and took its keys all the same.
        noted = appointment.order_no == 2 and number == 0
        inspection_record(
            household=household,
            flat=flat,
            inspected_on=today,
            result=InspectionResult.ACCEPTED_WITH_DEFECTS if noted else InspectionResult.ACCEPTED,
            defects=[_defect(rng)] if noted else [],
            by=by,
        )
    handover = handover_record(
        batch=batch,
        household=household,
        flats=[_readings(flat, rng) for flat in flats],
        handed_on=today,
        note="",
        by=by,
    )
    for kind in (IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT):
        paper_register(kind, handover, by=by)
    return "handed_over"


def _accept_with_defects(batch, appointment, *, today, rng, by) -> str:
    """Accepted with open defects noted; one defect already fixed by the contractor, waiting
    for the household to accept the fix. The keys wait for the next visit."""
    appointment_arrive(appointment=appointment, by=by)
    flat = household_flats(appointment.household, batch)[0]
    inspection = inspection_record(
        household=appointment.household,
        flat=flat,
        inspected_on=today,
        result=InspectionResult.ACCEPTED_WITH_DEFECTS,
        defects=[_defect(rng), _defect(rng)],
        note="户主同意收房，缺陷待整改",
        by=by,
    )
    defect_fix(inspection.defects.order_by("pk")[0], by=_user("zhz_team"))
    return "with_defects"


def _refuse(batch, appointment, *, today, rng, by) -> str:
    appointment_arrive(appointment=appointment, by=by)
    flat = household_flats(appointment.household, batch)[0]
    inspection_record(
        household=appointment.household,
        flat=flat,
        inspected_on=today,
        result=InspectionResult.REFUSED,
        reinspect_on=today + datetime.timedelta(days=REINSPECT_IN_DAYS),
        defects=[_defect(rng), _defect(rng)],
        note="户主拒绝收房，整改后复验",
        by=by,
    )
    return "refused"


def _miss(batch, appointment, *, today, rng, by) -> str:
    appointment_miss(appointment=appointment, by=by)
    return "missed"


def _defect(rng: random.Random) -> dict:
    room, category, description = rng.choice(DEFECTS)
    return {"room": room, "category": category, "description": description}


def _readings(flat, rng: random.Random) -> FlatHandover:
    return FlatHandover(
        flat=flat,
        water_reading=Decimal(rng.randint(0, 300)) / 100,
        electricity_reading=Decimal(rng.randint(100, 2500)) / 100,
        gas_reading=Decimal(rng.randint(0, 150)) / 100,
        door_keys=3,
        access_cards=2,
        mailbox_keys=1,
        quality_guarantee=True,
        usage_manual=True,
    )
