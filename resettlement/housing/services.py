"""Writes to buildings and flats."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement.accounts.models import User
from resettlement.housing.codes import flat_code, room_number
from resettlement.housing.models import Building, Flat
from resettlement.housing.validation import FlatData, flat_conflicts

ERROR_FLOOR_SPAN = _("Floors must run from 1 to %(floors)s, first floor not above the last.")
ERROR_NO_POSITIONS = _("Give at least one flat position per floor.")
ERROR_POSITION_REPEATED = _("Position %(position)s is given twice.")
ERROR_SURVEYED_AREA = _("Flat %(code)s: the surveyed area must be positive.")


def flats_create(
    *, records: Sequence[FlatData], by: User | None = None, reason: str = ""
) -> list[Flat]:
    """Store cleaned, conflict-free flat records in one transaction."""
    flats = [Flat(**record.model_fields()) for record in records]
    with transaction.atomic():
        created = bulk_create_with_history(
            flats, Flat, batch_size=500, default_user=by, default_change_reason=reason or None
        )
        Building.objects.filter(pk__in={record.building.pk for record in records}).touch()
    return created


def flats_record_surveyed_areas(
    *, areas: Mapping[Flat, Decimal], by: User | None = None, reason: str = ""
) -> None:
    """Record surveyed areas (实测面积) for many flats at once."""
    for flat, area in areas.items():
        if area <= 0:
            raise ValidationError(ERROR_SURVEYED_AREA, params={"code": flat.code})
        flat.surveyed_area = area
    with transaction.atomic():
        bulk_update_with_history(
            list(areas),
            Flat,
            ["surveyed_area"],
            batch_size=500,
            default_user=by,
            default_change_reason=reason or None,
        )


@dataclass(frozen=True)
class FlatPosition:
    """What every floor repeats: position 1 is a 户型 A of 89.5 m², position 2 ..."""

    position: int
    layout: str
    gross_area: Decimal


def flats_generate(
    *,
    building: Building,
    positions: Sequence[FlatPosition],
    first_floor: int = 1,
    last_floor: int | None = None,
    by: User | None = None,
) -> list[Flat]:
    """Every stairwell × floor × position of a building's spec, atomically, or nothing."""
    last_floor = building.floors if last_floor is None else last_floor
    if not 1 <= first_floor <= last_floor <= building.floors:
        raise ValidationError(ERROR_FLOOR_SPAN, params={"floors": building.floors})
    if not positions:
        raise ValidationError(ERROR_NO_POSITIONS)
    numbers = [spec.position for spec in positions]
    for number in numbers:
        if numbers.count(number) > 1:
            raise ValidationError(ERROR_POSITION_REPEATED, params={"position": number})
    records = [
        FlatData(
            building=building,
            stairwell=stairwell,
            floor=floor,
            position=spec.position,
            room=room_number(floor, spec.position),
            code=flat_code(building.code, stairwell, room_number(floor, spec.position)),
            layout=spec.layout,
            gross_area=spec.gross_area,
        )
        for stairwell in range(1, building.stairwells + 1)
        for floor in range(first_floor, last_floor + 1)
        for spec in positions
    ]
    conflicts = flat_conflicts(records)
    if conflicts:
        first = next(iter(conflicts.values()))
        raise ValidationError(first["room"])
    return flats_create(records=records, by=by, reason=gettext("generated from the building spec"))
