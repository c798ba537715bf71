"""The rules a flat record must satisfy, shared by the register import, generation and the API."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resettlement.column_ranges import column_range
from resettlement.housing.codes import flat_code, normalize_building_code, parse_room
from resettlement.housing.models import Building, Flat
from resettlement.input_values import parse_decimal, parse_int, parse_text
from resettlement.projects.models import Project

ERROR_UNKNOWN_BUILDING = _("Building %(code)s is not registered in this project.")
ERROR_STAIRWELL_RANGE = _("Building %(building)s has stairwells 1 to %(count)s.")
ERROR_FLOOR_RANGE = _("Building %(building)s has floors 1 to %(count)s.")
ERROR_DUPLICATE_FLAT = _("Flat %(code)s appears more than once (%(other)s).")
ERROR_FLAT_EXISTS = _("Flat %(code)s is already registered.")

Errors = dict[str, list[str]]

# The columns the numbers are stored in: no input may exceed them.
RANGES = {
    name: column_range(Flat, name) for name in ("stairwell", "floor", "gross_area", "surveyed_area")
}


@dataclass(frozen=True)
class FlatData:
    building: Building
    stairwell: int
    floor: int
    position: int
    room: str
    code: str
    layout: str
    gross_area: Decimal
    surveyed_area: Decimal | None = None
    note: str = ""

    def model_fields(self) -> dict[str, object]:
        return {
            "building": self.building,
            "stairwell": self.stairwell,
            "floor": self.floor,
            "position": self.position,
            "room": self.room,
            "code": self.code,
            "layout": self.layout,
            "gross_area": self.gross_area,
            "surveyed_area": self.surveyed_area,
            "note": self.note,
        }


def building_lookup(project: Project) -> dict[str, Building]:
    return {building.code: building for building in Building.objects.filter(project=project)}


def _building(value: object, buildings: Mapping[str, Building]) -> Building:
    if isinstance(value, Building):
        return value
    code = normalize_building_code(parse_text(value, max_length=20))
    if code not in buildings:
        raise ValidationError(
            ERROR_UNKNOWN_BUILDING, code="unknown_building", params={"code": code}
        )
    return buildings[code]


def flat_clean(
    raw: Mapping[str, object], *, buildings: Mapping[str, Building]
) -> tuple[FlatData | None, Errors]:
    errors: Errors = {}

    def take(name, parse):
        try:
            return parse(raw.get(name))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
            return None

    building = take("building", lambda v: _building(v, buildings))
    stairwell = take(
        "stairwell", lambda v: parse_int(v, minimum=1, maximum=99, bounds=RANGES["stairwell"])
    )
    floor = take("floor", lambda v: parse_int(v, minimum=1, maximum=200, bounds=RANGES["floor"]))
    layout = take("layout", lambda v: parse_text(v, max_length=30))
    gross_area = take("gross_area", lambda v: parse_decimal(v, bounds=RANGES["gross_area"]))
    surveyed_area = take(
        "surveyed_area",
        lambda v: parse_decimal(v, bounds=RANGES["surveyed_area"], required=False),
    )
    note = take("note", lambda v: parse_text(v, required=False, max_length=200))
    room = position = None
    if building is not None:
        if stairwell is not None and stairwell > building.stairwells:
            errors.setdefault("stairwell", []).append(
                str(
                    ERROR_STAIRWELL_RANGE
                    % {"building": building.code, "count": building.stairwells}
                )
            )
        if floor is not None and floor > building.floors:
            errors.setdefault("floor", []).append(
                str(ERROR_FLOOR_RANGE % {"building": building.code, "count": building.floors})
            )
    if floor is not None:
        parsed = take("room", lambda v: parse_room(parse_text(v, max_length=10), floor))
        if parsed:
            room, position = parsed
    if errors:
        return None, errors
    assert room is not None and position is not None, "a floor without errors reads its room"
    return (
        FlatData(
            building=building,
            stairwell=stairwell,
            floor=floor,
            position=position,
            room=room,
            code=flat_code(building.code, stairwell, room),
            layout=layout,
            gross_area=gross_area,
            surveyed_area=surveyed_area,
            note=note,
        ),
        {},
    )


def flat_conflicts(
    records: Sequence[FlatData], *, labels: Sequence[str] | None = None
) -> dict[int, Errors]:
    """Flats already stored, or given twice in the batch, by record index."""
    labels = labels or [str(index + 1) for index in range(len(records))]
    building_ids = {record.building.pk for record in records}
    stored = set(
        Flat.objects.filter(building_id__in=building_ids).values_list("building_id", "code")
    )
    seen: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        seen[(record.building.pk, record.code)].append(index)
    conflicts: dict[int, Errors] = {}
    for key, indexes in seen.items():
        code = key[1]
        for index in indexes:
            if key in stored:
                message = ERROR_FLAT_EXISTS % {"code": code}
            elif len(indexes) > 1:
                other = "、".join(labels[i] for i in indexes if i != index)
                message = ERROR_DUPLICATE_FLAT % {"code": code, "other": other}
            else:
                continue
            conflicts.setdefault(index, {}).setdefault("room", []).append(str(message))
    return conflicts
