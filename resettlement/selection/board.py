"""The live board (选房大屏): who is being served, who is next, every flat's status, flats left
by layout. No personal data: order numbers only. Staff open it through a link of its own (a
BoardLink) that works without login until it expires (BOARD_LINK_HOURS) or is revoked."""

import datetime
import hashlib
import json

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import TokenState, User
from resettlement.accounts.tokens import key_digest, key_touch, keys_revoke, new_key
from resettlement.housing.models import STATUS_MARKS, Flat, FlatStatus
from resettlement.selection.lifecycle import log_action
from resettlement.selection.models import (
    BoardLink,
    Desk,
    FlatHold,
    LogAction,
    QueueEntry,
    QueueStatus,
    SelectionEvent,
)

NEXT_SHOWN = 8
ERROR_LINK_UNKNOWN = _("This board link is not valid. Open the board again from the event page.")
ERROR_LINK_EXPIRED = _(
    "This board link expired at %(time)s. Open the board again from the event page."
)
ERROR_LINK_REVOKED = _("This board link was revoked. Open the board again from the event page.")
STATUS_CODES = {
    FlatStatus.AVAILABLE: "a",
    FlatStatus.RESERVED: "r",
    FlatStatus.SELECTED: "s",
    FlatStatus.HANDED_OVER: "h",
}


def board_link_create(*, event: SelectionEvent, by: User | None = None) -> tuple[BoardLink, str]:
    """A new link to the event's board, valid for BOARD_LINK_HOURS; returns it with its token
    (the last part of the board's address, kept only as a hash)."""
    token, digest = new_key()
    link = BoardLink.objects.create(
        event=event,
        key_hash=digest,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.BOARD_LINK_HOURS),
        created_by=by,
    )
    return link, token


def board_link_for(token: str) -> tuple[BoardLink | None, str]:
    """The link with this token, its event loaded, and why it does not open the board ("" when
    it does): the link is unknown (None), expired or revoked."""
    link = BoardLink.objects.select_related("event").filter(key_hash=key_digest(token)).first()
    if link is None:
        return None, str(ERROR_LINK_UNKNOWN)
    state = link.state
    if state == TokenState.REVOKED:
        return link, str(ERROR_LINK_REVOKED)
    if state == TokenState.EXPIRED:
        time = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
        return link, ERROR_LINK_EXPIRED % {"time": time}
    return link, ""


def board_link_opened(*, link: BoardLink) -> None:
    """When a board page loads with the link (never on its data polls)."""
    key_touch(link, "last_opened_at")


def board_links_revoke(*, event: SelectionEvent, links=None, by: User | None = None) -> int:
    """Revoke these links of the event (default: all of them); the boards showing them stop."""
    chosen = event.board_links.all() if links is None else links.filter(event=event)
    count = keys_revoke(keys=chosen, by=by)
    if count:
        log_action(event, LogAction.BOARD, by=by, detail=str(count))
    return count


def _flats(event: SelectionEvent):
    return Flat.objects.filter(building__in=event.buildings.all())


def board_etag(event: SelectionEvent) -> str:
    """Changes whenever the board would, in one query: the event's status and its counters of
    changes (SelectionEvent.version for those made away from the desks, the sum of the desks'
    own Desk.version: every step of the lifecycles counts there), the latest change of its
    buildings (flats added or removed), the number of its locks still running (a lock that
    expires changes the board without anything being written), and the date."""
    now = timezone.now()
    desks = (
        Desk.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(total=Sum("version"))
        .values("total")
    )
    running = (
        FlatHold.objects.filter(event=OuterRef("pk"), expires_at__gt=now)
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    buildings = (
        SelectionEvent.buildings.through.objects.filter(selectionevent=OuterRef("pk"))
        .order_by("-building__updated_at")
        .values("building__updated_at")[:1]
    )
    state = (
        SelectionEvent.objects.filter(pk=event.pk)
        .annotate(
            desks_version=Subquery(desks),
            running=Subquery(running),
            buildings_changed=Subquery(buildings),
        )
        .values_list("status", "version", "desks_version", "running", "buildings_changed")
        .get()
    )
    parts = (event.pk, *state, timezone.localdate())
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
            "hold__expires_at",
        )
    )
    now = timezone.now()
    buildings: dict[int, dict] = {}
    remaining: dict[str, int] = {}
    counts = dict.fromkeys(STATUS_CODES.values(), 0)
    for building_id, code, stairwell, floor, position, room, layout, status, until in rows:
        if status == FlatStatus.RESERVED and until is not None and until <= now:
            status = FlatStatus.AVAILABLE  # its lock has expired; the sweep will say so too
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
