"""Handover (交房) from the batch to the keys.

- `batch_open`: a batch of buildings, each with its 竣工验收 (completion acceptance) node
  complete; otherwise refused, naming the building and the node.
- `slots_add`, `appointments_assign`: slots per day, half-day and desk; households given slots
  in selection order (the queue of their selection day, else signing order).
- `appointment_reschedule` (with a reason), `appointment_miss` (爽约: offered the next free
  slot), `appointment_arrive` (the desk checks the household in).
- `inspection_record`, defects (handover.lifecycle), `handover_record`, `handover_undo`.

Every step locks what it changes (the batch for its slots' capacity, the flats and household
through their lifecycles) and is atomic: refused, nothing is written.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from resettlement.accounts.models import User
from resettlement.archive.models import IssuedKind
from resettlement.archive.registry import document_void
from resettlement.handover.lifecycle import (
    appointment_arrive as _arrive,
)
from resettlement.handover.lifecycle import (
    appointment_mark_missed,
    appointment_mark_rescheduled,
    handover_mark_undone,
)
from resettlement.handover.models import (
    BATCH_LIFECYCLE,
    STANDING,
    Appointment,
    AppointmentStatus,
    BatchStatus,
    Defect,
    HandedFlat,
    Handover,
    HandoverBatch,
    HandoverStatus,
    Inspection,
    InspectionResult,
    Slot,
)
from resettlement.households.lifecycle import (
    household_hand_over,
    household_hand_over_undo,
)
from resettlement.households.models import Household, HouseholdStatus
from resettlement.housing.lifecycle import flats_move
from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.progress.models import BuildingMilestone, MilestoneRole, MilestoneType
from resettlement.projects.models import Project
from resettlement.selection.models import QueueEntry, SelectedFlat, Selection, SelectionStatus

ERROR_NO_BUILDINGS = _("Choose at least one building.")
ERROR_OTHER_PROJECT = _("Building %(building)s is not in this project.")
ERROR_NOT_ACCEPTED = _(
    "Building %(building)s cannot be handed over: its node “%(node)s” is not complete."
)
ERROR_NO_ACCEPTANCE_NODE = _(
    "Building %(building)s cannot be handed over: it has no completion acceptance node."
)
ERROR_IN_OPEN_BATCH = _("Building %(building)s is already in the open batch “%(batch)s”.")
ERROR_SLOT_FULL = _("The slot %(slot)s is full.")
ERROR_SLOT_PAST = _("The slot %(slot)s is over.")
ERROR_SLOT_OTHER_BATCH = _("The slot belongs to another batch.")
ERROR_REASON = _("Give the reason.")
ERROR_NOT_IN_BATCH = _("Household %(agreement)s has no flat in this batch's buildings.")
ERROR_NOT_NOTIFIED = _(
    "Household %(agreement)s has not been given its handover notice (status: %(status)s)."
)
ERROR_NOT_INSPECTED = _("Flat %(code)s has not been accepted at an inspection.")
ERROR_FLAT_NOT_HOUSEHOLDS = _("Flat %(code)s is not one of this household's flats.")
ERROR_NO_FLATS = _("Record the handover of at least one flat.")
ERROR_REINSPECT = _("Give the re-inspection day of a refused flat.")
ERROR_FUTURE = _("The day cannot be in the future.")
ERROR_NO_DAYS = _("Choose at least one day.")


def acceptance_node() -> MilestoneType | None:
    return MilestoneType.objects.filter(role=MilestoneRole.COMPLETION_ACCEPTANCE).first()


def buildings_refused(buildings: Iterable[Building]) -> list[str]:
    """Why each of these buildings cannot be handed over yet (its 竣工验收 node incomplete or
    missing); empty when all of them can."""
    node = acceptance_node()
    buildings = list(buildings)
    complete = set(
        BuildingMilestone.objects.filter(
            building__in=buildings, milestone_type=node, percent=100
        ).values_list("building_id", flat=True)
    )
    present = set(
        BuildingMilestone.objects.filter(building__in=buildings, milestone_type=node).values_list(
            "building_id", flat=True
        )
    )
    problems = []
    for building in buildings:
        if building.pk in complete:
            continue
        if node is None or building.pk not in present:
            problems.append(ERROR_NO_ACCEPTANCE_NODE % {"building": building.code})
        else:
            problems.append(ERROR_NOT_ACCEPTED % {"building": building.code, "node": node.name})
    return problems


def batch_open(
    *,
    project: Project,
    name: str,
    buildings: Sequence[Building],
    place: str,
    note: str = "",
    by: User | None = None,
) -> HandoverBatch:
    """Open a handover batch for these buildings, or refuse it with every reason."""
    if not buildings:
        raise ValidationError(ERROR_NO_BUILDINGS)
    problems = [
        ERROR_OTHER_PROJECT % {"building": building.code}
        for building in buildings
        if building.project_id != project.pk
    ]
    problems += buildings_refused(buildings)
    busy = HandoverBatch.objects.filter(
        status=BatchStatus.OPEN, buildings__in=buildings
    ).values_list("buildings__code", "name")
    codes = {building.code for building in buildings}
    problems += [
        ERROR_IN_OPEN_BATCH % {"building": code, "batch": batch}
        for code, batch in busy
        if code in codes
    ]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        batch = HandoverBatch(project=project, name=name, place=place, note=note, opened_by=by)
        batch._history_user = by  # type: ignore[attr-defined]
        batch.save()
        batch.buildings.set(buildings)
    return batch


def slots_add(
    *,
    batch: HandoverBatch,
    days: Iterable[datetime.date],
    half_days: Iterable[str],
    desks: int,
    capacity: int,
    by: User | None = None,
) -> list[Slot]:
    """Slots for every day, half-day and desk 1..desks (those that exist keep their
    capacity); the slots made."""
    days = sorted(set(days))
    if not days:
        raise ValidationError(ERROR_NO_DAYS)
    BATCH_LIFECYCLE.check("edit", batch.status)
    made = []
    with transaction.atomic():
        for day in days:
            for half_day in sorted(set(half_days)):
                for desk in range(1, desks + 1):
                    slot, created = Slot.objects.get_or_create(
                        batch=batch,
                        day=day,
                        half_day=half_day,
                        desk=desk,
                        defaults={"capacity": capacity},
                    )
                    if created:
                        made.append(slot)
    return made


def slots_with_use(batch: HandoverBatch) -> QuerySet[Slot]:
    """The batch's slots, each with `taken` (standing appointments) counted."""
    return batch.slots.annotate(
        taken=Count("appointments", filter=Q(appointments__status__in=STANDING))
    )


def room(slot: Slot) -> int:
    """Places left in a slot counted by slots_with_use."""
    return slot.capacity - getattr(slot, "taken", 0)


def _slot_started(slot: Slot, now: datetime.datetime | None = None) -> bool:
    now = timezone.localtime(now)
    return (slot.day, slot.starts_at) <= (now.date(), now.time())


def _slot_key(slot: Slot) -> tuple:
    return (slot.day, slot.half_day, slot.desk)


def batch_households(batch: HandoverBatch) -> QuerySet[Household]:
    """The households whose active selection has a flat in the batch's buildings, in
    selection order: their number in their selection day's queue, else signing order."""
    in_batch = SelectedFlat.objects.filter(
        selection__household=OuterRef("pk"),
        selection__status=SelectionStatus.ACTIVE,
        flat__building__in=batch.buildings.all(),
    )
    active_event = Selection.objects.filter(
        household=OuterRef(OuterRef("pk")), status=SelectionStatus.ACTIVE
    ).values("event")[:1]
    queue = QueueEntry.objects.filter(household=OuterRef("pk"), event=Subquery(active_event))
    return (
        Household.objects.filter(project=batch.project_id)
        .filter(Exists(in_batch))
        .annotate(
            event_day=Subquery(queue.values("event__starts_on")[:1]),
            queue_no=Subquery(queue.values("order_no")[:1]),
        )
        .order_by(
            F("event_day").asc(nulls_last=True),
            F("queue_no").asc(nulls_last=True),
            F("selection_order").asc(nulls_last=True),
            F("signed_on").asc(nulls_last=True),
            "agreement_no",
        )
    )


@dataclass(frozen=True)
class Assigned:
    given: int
    waiting: int  # households left without a slot (the slots are full)


def appointments_assign(*, batch: HandoverBatch, by: User | None = None) -> Assigned:
    """Give every household of the batch that has no appointment yet (and is not handed over)
    a slot, in selection order, filling the slots in time order to their capacity."""
    with transaction.atomic():
        batch = HandoverBatch.objects.select_for_update().get(pk=batch.pk)
        BATCH_LIFECYCLE.check("edit", batch.status)
        standing = Appointment.objects.filter(
            batch=batch, household=OuterRef("pk"), status__in=STANDING
        )
        households = list(
            batch_households(batch)
            .exclude(Exists(standing))
            .exclude(status__in=[HouseholdStatus.HANDED_OVER, HouseholdStatus.CERTIFIED])
        )
        now = timezone.now()
        places = [
            slot
            for slot in slots_with_use(batch).order_by("day", "half_day", "desk")
            if not _slot_started(slot, now)
            for _place in range(room(slot))
        ]
        order_no = _last_order_no(batch)
        made = []
        for household, slot in zip(households, places, strict=False):
            order_no += 1
            made.append(
                Appointment(
                    batch=batch,
                    household=household,
                    slot=slot,
                    order_no=order_no,
                    created_by=by,
                )
            )
        bulk_create_with_history(made, Appointment, batch_size=500, default_user=by)
    return Assigned(given=len(made), waiting=len(households) - len(made))


def _last_order_no(batch: HandoverBatch) -> int:
    last = batch.appointments.order_by("-order_no").values_list("order_no", flat=True).first()
    return last or 0


def _free_slot(batch: HandoverBatch, slot: Slot) -> None:
    """Refuse a slot that is full, over, or of another batch (the batch row is locked)."""
    if slot.batch_id != batch.pk:
        raise ValidationError(ERROR_SLOT_OTHER_BATCH)
    if _slot_started(slot):
        raise ValidationError(ERROR_SLOT_PAST, params={"slot": str(slot)})
    taken = slot.appointments.filter(status__in=STANDING).count()
    if taken >= slot.capacity:
        raise ValidationError(ERROR_SLOT_FULL, params={"slot": str(slot)})


def appointment_reschedule(
    *, appointment: Appointment, slot: Slot, reason: str, by: User | None = None
) -> Appointment:
    """Give the household another slot (改约) for this reason; its new appointment."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(ERROR_REASON)
    with transaction.atomic():
        batch = HandoverBatch.objects.select_for_update().get(pk=appointment.batch_id)
        BATCH_LIFECYCLE.check("edit", batch.status)
        appointment_mark_rescheduled(appointment, by=by, reason=reason)
        _free_slot(batch, slot)
        new = Appointment(
            batch=batch,
            household=appointment.household,
            slot=slot,
            order_no=appointment.order_no,
            replaces=appointment,
            reason=reason,
            created_by=by,
        )
        new._history_user = by  # type: ignore[attr-defined]
        new.save()
    return new


def next_free_slot(batch: HandoverBatch, *, after: Slot | None = None) -> Slot | None:
    """The first slot not yet begun with room left (after `after`, when given)."""
    now = timezone.now()
    for slot in slots_with_use(batch).order_by("day", "half_day", "desk"):
        if after is not None and _slot_key(slot)[:2] <= _slot_key(after)[:2]:
            continue
        if room(slot) > 0 and not _slot_started(slot, now):
            return slot
    return None


def appointment_miss(*, appointment: Appointment, by: User | None = None) -> Appointment | None:
    """The household did not come (爽约): recorded, and offered the next free slot; its new
    appointment, or None when no slot is free (staff add slots and assign again)."""
    with transaction.atomic():
        batch = HandoverBatch.objects.select_for_update().get(pk=appointment.batch_id)
        appointment_mark_missed(appointment, by=by)
        slot = next_free_slot(batch, after=appointment.slot)
        if slot is None:
            return None
        new = Appointment(
            batch=batch,
            household=appointment.household,
            slot=slot,
            order_no=appointment.order_no,
            replaces=appointment,
            reason=gettext("Offered after a missed appointment"),
            created_by=by,
        )
        new._history_user = by  # type: ignore[attr-defined]
        new.save()
    return new


def appointment_arrive(*, appointment: Appointment, by: User | None = None) -> None:
    _arrive(appointment, by=by)


@dataclass(frozen=True)
class DayRow:
    appointment: Appointment
    late: bool


def day_sheet(batch: HandoverBatch, day: datetime.date, *, desk: int | None = None):
    """Who is expected on this day, who came, who is late (expected, their half-day begun)."""
    appointments = (
        Appointment.objects.filter(batch=batch, slot__day=day)
        .exclude(status=AppointmentStatus.RESCHEDULED)
        .select_related("household", "slot")
        .order_by("slot__half_day", "slot__desk", "order_no")
    )
    if desk is not None:
        appointments = appointments.filter(slot__desk=desk)
    now = timezone.now()
    return [
        DayRow(
            appointment=appointment,
            late=appointment.status == AppointmentStatus.SCHEDULED
            and _slot_started(appointment.slot, now),
        )
        for appointment in appointments
    ]


# Flats of a household in a batch


def household_flats(household: Household, batch: HandoverBatch | None = None) -> list[Flat]:
    """The flats of the household's active selection (in the batch's buildings, if given)."""
    flats = Flat.objects.filter(
        selections__selection__household=household,
        selections__selection__status=SelectionStatus.ACTIVE,
        selections__active=True,
    ).select_related("building")
    if batch is not None:
        flats = flats.filter(building__in=batch.buildings.all())
    return list(flats.order_by("code"))


def active_selection(household: Household) -> Selection | None:
    return household.selections.filter(status=SelectionStatus.ACTIVE).first()


# Inspection


def inspection_record(
    *,
    household: Household,
    flat: Flat,
    inspected_on: datetime.date,
    result: str,
    reinspect_on: datetime.date | None = None,
    note: str = "",
    defects: Sequence[dict[str, Any]] = (),
    by: User | None = None,
) -> Inspection:
    """An inspection of one of the household's flats, with the defects found (each: room,
    category, description, and an optional prepared photo: progress.photos.photo_prepare)."""
    if flat.pk not in {f.pk for f in household_flats(household)}:
        raise ValidationError(ERROR_FLAT_NOT_HOUSEHOLDS, params={"code": flat.code})
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": ERROR_FUTURE})
    if result == InspectionResult.REFUSED and reinspect_on is None:
        raise ValidationError({"reinspect_on": ERROR_REINSPECT})
    with transaction.atomic():
        inspection = Inspection(
            household=household,
            flat=flat,
            inspected_on=inspected_on,
            result=result,
            reinspect_on=reinspect_on,
            note=note,
            inspected_by=by,
        )
        inspection._history_user = by  # type: ignore[attr-defined]
        inspection.full_clean()
        inspection.save()
        for values in defects:
            defect_add(inspection=inspection, by=by, **values)
    return inspection


def defect_add(
    *,
    inspection: Inspection,
    room: str,
    category: str,
    description: str,
    photo=None,
    by: User | None = None,
) -> Defect:
    """A defect of the inspected flat; `photo` is a PreparedPhoto (progress.photos) or None."""
    defect = Defect(
        inspection=inspection,
        flat_id=inspection.flat_id,
        room=room,
        category=category,
        description=description,
    )
    defect.full_clean(exclude=["photo", "thumbnail"])
    if photo is not None:
        name = get_random_string(16)
        defect.photo.save(f"{name}.jpg", ContentFile(photo.image), save=False)
        defect.thumbnail.save(f"{name}.jpg", ContentFile(photo.thumbnail), save=False)
    defect._history_user = by  # type: ignore[attr-defined]
    defect.save()
    return defect


def latest_inspections(flats: Iterable[Flat]) -> dict[int, Inspection]:
    """Each flat's latest inspection (by day, then recording), by flat id."""
    latest: dict[int, Inspection] = {}
    for inspection in Inspection.objects.filter(flat__in=list(flats)).order_by(
        "flat", "-inspected_on", "-pk"
    ):
        latest.setdefault(inspection.flat_id, inspection)
    return latest


# Handover


@dataclass(frozen=True)
class FlatHandover:
    """What is recorded for one flat at handover."""

    flat: Flat
    water_reading: Decimal
    electricity_reading: Decimal
    door_keys: int
    gas_reading: Decimal | None = None
    access_cards: int = 0
    mailbox_keys: int = 0
    quality_guarantee: bool = False
    usage_manual: bool = False


ERROR_BOOKLETS = _(
    "Flat %(code)s: hand both booklets (住宅质量保证书 and 住宅使用说明书) before the keys."
)


def handover_record(
    *,
    batch: HandoverBatch,
    household: Household,
    flats: Sequence[FlatHandover],
    handed_on: datetime.date,
    note: str = "",
    by: User | None = None,
) -> Handover:
    """Hand the household the keys of these flats: each accepted at its latest inspection,
    both booklets handed. The flats become handed over; the household too once none of its
    flats is left to hand over. Its documents are registered and printed by
    handover.documents."""
    if not flats:
        raise ValidationError(ERROR_NO_FLATS)
    if handed_on > timezone.localdate():
        raise ValidationError({"handed_on": ERROR_FUTURE})
    own = {flat.pk: flat for flat in household_flats(household, batch)}
    if not own:
        raise ValidationError(ERROR_NOT_IN_BATCH, params={"agreement": household.agreement_no})
    problems: list[str] = []
    for item in flats:
        if item.flat.pk not in own:
            problems.append(ERROR_FLAT_NOT_HOUSEHOLDS % {"code": item.flat.code})
        elif not (item.quality_guarantee and item.usage_manual):
            problems.append(ERROR_BOOKLETS % {"code": item.flat.code})
    inspections = latest_inspections(item.flat for item in flats)
    problems += [
        ERROR_NOT_INSPECTED % {"code": item.flat.code}
        for item in flats
        if item.flat.pk in own
        and (item.flat.pk not in inspections or not inspections[item.flat.pk].accepted)
    ]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        if locked.status != HouseholdStatus.NOTIFIED:
            raise ValidationError(
                ERROR_NOT_NOTIFIED,
                params={
                    "agreement": locked.agreement_no,
                    "status": locked.get_status_display(),
                },
            )
        flats_move([item.flat for item in flats], "hand_over", by=by, reason="交房")
        appointment = (
            Appointment.objects.filter(batch=batch, household=household, status__in=STANDING)
            .order_by("-pk")
            .first()
        )
        handover = Handover(
            batch=batch,
            household=household,
            appointment=appointment,
            handed_on=handed_on,
            handed_by=by,
            note=note,
        )
        handover._history_user = by  # type: ignore[attr-defined]
        handover.save()
        for item in flats:
            handed = HandedFlat(
                handover=handover,
                flat=item.flat,
                water_reading=item.water_reading,
                electricity_reading=item.electricity_reading,
                gas_reading=item.gas_reading,
                door_keys=item.door_keys,
                access_cards=item.access_cards,
                mailbox_keys=item.mailbox_keys,
                quality_guarantee=item.quality_guarantee,
                usage_manual=item.usage_manual,
            )
            handed._history_user = by  # type: ignore[attr-defined]
            handed.full_clean(exclude=["handover", "flat"])
            handed.save()
        if appointment is not None and appointment.status == AppointmentStatus.SCHEDULED:
            _arrive(appointment, by=by)
        left = [
            flat
            for flat in household_flats(household)
            if flat.status != FlatStatus.HANDED_OVER and flat.pk not in {f.flat.pk for f in flats}
        ]
        if not left:
            household_hand_over(household=household, by=by, reason="交房")
        Building.objects.filter(flats__in=[item.flat for item in flats]).touch()
    return handover


def handover_undo(*, handover: Handover, reason: str, by: User | None = None) -> None:
    """Undo a handover (a selection supervisor's step, with a reason): its flats back to
    selected, the household back to notified, its handover papers voided. The record stays."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(ERROR_REASON)
    with transaction.atomic():
        handover_mark_undone(handover, by=by, reason=reason)
        handed = list(handover.flats.select_related("flat"))
        HandedFlat.objects.filter(handover=handover).update(active=False)
        flats_move([item.flat for item in handed], "undo_hand_over", by=by, reason=reason)
        household = Household.objects.select_for_update().get(pk=handover.household_id)
        if household.status == HouseholdStatus.HANDED_OVER:
            household_hand_over_undo(household=household, by=by, reason=reason)
        for kind in (IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT):
            document_void(subject=handover, kind=kind, reason=reason)
        Building.objects.filter(flats__in=[item.flat for item in handed]).touch()


def handovers_done(household: Household) -> QuerySet[Handover]:
    return household.handovers.filter(status=HandoverStatus.DONE)


# Reads for the handover pages


@dataclass(frozen=True)
class BatchCounts:
    households: int
    with_appointment: int
    notified: int
    handed_over: int


def batch_counts(batch: HandoverBatch) -> BatchCounts:
    """How far the batch's households are: given a slot, notified, handed over."""
    households = batch_households(batch).order_by()
    standing = Appointment.objects.filter(
        batch=batch, household=OuterRef("pk"), status__in=STANDING
    )
    handed = Handover.objects.filter(
        batch=batch, household=OuterRef("pk"), status=HandoverStatus.DONE
    )
    notified = (HouseholdStatus.NOTIFIED, HouseholdStatus.HANDED_OVER, HouseholdStatus.CERTIFIED)
    return BatchCounts(
        households=households.count(),
        with_appointment=households.filter(Exists(standing)).count(),
        notified=households.filter(status__in=notified).count(),
        handed_over=households.filter(Exists(handed)).count(),
    )


def free_slots(batch: HandoverBatch) -> QuerySet[Slot]:
    """The batch's slots not yet begun with room left, in time order."""
    now = timezone.now()
    free = [
        slot.pk for slot in slots_with_use(batch) if room(slot) > 0 and not _slot_started(slot, now)
    ]
    return Slot.objects.filter(pk__in=free).order_by("day", "half_day", "desk")


def batch_days(batch: HandoverBatch) -> list[datetime.date]:
    return list(batch.slots.order_by("day").values_list("day", flat=True).distinct())
