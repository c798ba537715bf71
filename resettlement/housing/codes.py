"""Building and flat codes as staff write them: buildings "3#", flats "3-2-1502".

A flat code is building number, stairwell (单元) and room number; the room number is the floor
followed by the two-digit position on that floor (15th floor, position 2 -> "1502").
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ERROR_BUILDING_CODE = _(
    'Building code must be letters and digits, optionally followed by "#" or "号楼" (e.g. 3#).'
)
ERROR_ROOM = _("Room number must be digits: the floor followed by a two-digit position (1502).")
ERROR_ROOM_FLOOR = _("Room number %(room)s does not start with floor %(floor)s.")

_BUILDING_SUFFIX = re.compile(r"(#|号楼|号|栋|幢)$")
_BUILDING_BODY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")
_DIGITS = re.compile(r"(\d+)")


def normalize_building_code(value: str | None) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))
    body = _BUILDING_SUFFIX.sub("", text).upper()
    if not _BUILDING_BODY.match(body):
        raise ValidationError(ERROR_BUILDING_CODE, code="building_code")
    return f"{body}#"


def building_number(code: str) -> str:
    return code.rstrip("#")


def natural_sort_key(code: str) -> str:
    """ "2#" sorts before "10#": digit runs are zero-padded."""
    return _DIGITS.sub(lambda match: match.group(1).zfill(6), code)


def room_number(floor: int, position: int) -> str:
    return f"{floor}{position:02d}"


def parse_room(value: str, floor: int) -> tuple[str, int]:
    """(room number, position) from what a register says: "1502", or just the position "2"."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).removesuffix("室")
    if not text.isdigit():
        raise ValidationError(ERROR_ROOM, code="room")
    if len(text) <= 2:
        position = int(text)
    else:
        if text[:-2] != str(floor):
            raise ValidationError(
                ERROR_ROOM_FLOOR, code="room_floor", params={"room": text, "floor": floor}
            )
        position = int(text[-2:])
    if position < 1:
        raise ValidationError(ERROR_ROOM, code="room")
    return room_number(floor, position), position


def flat_code(building_code: str, stairwell: int, room: str) -> str:
    return f"{building_number(building_code)}-{stairwell}-{room}"
