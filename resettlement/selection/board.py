"""The live board (选房大屏): who is being served, who is next, every flat's status, flats left
by layout. No personal data: order numbers only. Opened by staff through a signed link that
works without login and is revoked by renewing the event's board key."""

import hashlib
import json

from django.core import signing
from django.db.models import Count, Max
from django.utils import timezone

from resettlement.housing.models import STATUS_MARKS, Flat, FlatStatus
from resettlement.selection.models import QueueEntry, QueueStatus, SelectionEvent

SALT = "selection-board"
NEXT_SHOWN = 8
STATUS_CODES = {
    FlatStatus.AVAILABLE: "a",
    FlatStatus.RESERVED: "r",
    FlatStatus.SELECTED: "s",
    FlatStatus.HANDED_OVER: "h",
}


def board_token(event: SelectionEvent) -> str:
    return signing.dumps([event.pk, event.board_key_version], salt=SALT, compress=True)


def board_event(token: str) -> SelectionEvent | None:
    """The event a board token opens, or None when forged or revoked."""
    try:
        event_id, version = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    event = SelectionEvent.objects.filter(pk=event_id).first()
    if event is None or event.board_key_version != version:
        return None
    return event


def _flats(event: SelectionEvent):
    return Flat.objects.filter(building__in=event.buildings.all())


def board_etag(event: SelectionEvent) -> str:
    """Changes when a flat changes status (locks included) or the queue moves. Every change of
    a flat marks its building (Building.updated_at), so the event's few buildings stand for its
    thousands of flats: an unchanged poll reads a few dozen rows, not every flat."""
    buildings = sorted(event.buildings.values_list("pk", "updated_at"))
    queue = QueueEntry.objects.filter(event=event).aggregate(
        n=Count("pk"), latest=Max("updated_at")
    )
    parts = (
        event.pk,
        event.status,
        buildings,
        queue["n"],
        queue["latest"],
        timezone.localdate(),
    )
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def board_payload(event: SelectionEvent) -> bytes:
    serving = (
        QueueEntry.objects.filter(event=event, status__in=[QueueStatus.CALLED, QueueStatus.PRESENT])
        .select_related("desk")
        .order_by("desk__number")
    )
    upcoming = QueueEntry.objects.filter(event=event, status=QueueStatus.WAITING).order_by(
        "position"
    )
    rows = (
        _flats(event)
        .order_by("building__sort_key", "stairwell", "-floor", "position")
        .values_list(
            "building_id",
            "building__code",
            "stairwell",
            "floor",
            "position",
            "room",
            "layout",
            "status",
        )
    )
    buildings: dict[int, dict] = {}
    remaining: dict[str, int] = {}
    counts = dict.fromkeys(STATUS_CODES.values(), 0)
    for building_id, code, stairwell, floor, position, room, layout, status in rows:
        building = buildings.setdefault(building_id, {"code": code, "flats": []})
        mark = STATUS_CODES[status]
        building["flats"].append([stairwell, floor, position, room, layout, mark])
        counts[mark] += 1
        if status == FlatStatus.AVAILABLE:
            remaining[layout] = remaining.get(layout, 0) + 1
    payload = {
        "event": event.name,
        "status": event.status,
        "serving": [{"desk": entry.desk.number, "number": entry.order_no} for entry in serving],
        "next": list(upcoming.values_list("order_no", flat=True)[:NEXT_SHOWN]),
        "waiting": upcoming.count(),
        "buildings": list(buildings.values()),
        "remaining": [
            {"layout": layout, "count": count} for layout, count in sorted(remaining.items())
        ],
        "counts": counts,
        "marks": {code: str(STATUS_MARKS[status]) for status, code in STATUS_CODES.items()},
        "at": timezone.localtime().strftime("%H:%M:%S"),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
