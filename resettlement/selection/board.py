"""The live board (选房大屏): who is being served, who is next, every flat's status, flats left
by layout. No personal data: order numbers only. Staff open it through a link of its own (a
BoardLink) that works without login until it expires (BOARD_LINK_HOURS) or is revoked."""

import datetime
import functools
import hashlib
import json

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import TokenState, User
from resettlement.accounts.tokens import key_digest, key_touch, keys_revoke, new_key
from resettlement.housing.models import STATUS_MARKS, Building, Flat, FlatStatus
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


@functools.cache
def _state_sql(by_token: bool) -> str:
    """The board's state in one statement, by its link's token digest or by its event.
    Written as SQL, not composed by the ORM: a projector polls it every few seconds and
    composing the ORM's form of it cost more than the database's answer."""
    tables = {
        "link": BoardLink._meta.db_table,
        "event": SelectionEvent._meta.db_table,
        "desk": Desk._meta.db_table,
        "hold": FlatHold._meta.db_table,
        "chosen": SelectionEvent.buildings.through._meta.db_table,
        "building": Building._meta.db_table,
    }
    state = """
        e.id, e.status, e.version,
        (SELECT SUM(d.version) FROM {desk} d WHERE d.event_id = e.id),
        (SELECT COUNT(*) FROM {hold} h WHERE h.event_id = e.id AND h.expires_at > %s),
        (SELECT MAX(b.updated_at) FROM {chosen} c JOIN {building} b ON b.id = c.building_id
          WHERE c.selectionevent_id = e.id)"""
    if by_token:
        sql = """SELECT l.revoked_at IS NOT NULL, l.expires_at <= %s, {state}
            FROM {link} l JOIN {event} e ON e.id = l.event_id WHERE l.key_hash = %s"""
    else:
        sql = "SELECT {state} FROM {event} e WHERE e.id = %s"
    return sql.format(state=state.format(**tables), **tables)


def _etag(state) -> str:
    """`state`: the event's id, status and counters of changes (SelectionEvent.version for
    those made away from the desks, the sum of the desks' own Desk.version: every step of the
    lifecycles counts there), the number of its locks still running (a lock that expires
    changes the board without anything being written) and the latest change of its buildings
    (flats added or removed); the date is added."""
    parts = (*state, timezone.localdate())
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def board_etag(event: SelectionEvent) -> str:
    """Changes whenever the board would, in one query."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(False), [now, event.pk])
        return _etag(cursor.fetchone())


def board_poll(token: str) -> tuple[int | None, bool, str]:
    """What a board's data poll needs, in one query: the event of the link with this token
    (None when there is none), whether the link still opens the board (not revoked, not
    expired: board_link_for says why not) and the board's ETag (board_etag's)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(True), [now, now, key_digest(token)])
        row = cursor.fetchone()
    if row is None:
        return None, False, ""
    revoked, expired, *state = row
    return state[0], not (revoked or expired), _etag(state)


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
