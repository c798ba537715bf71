"""The life of a lottery: draft roster → frozen (digest and commitment published) → drawn
(witnessed public input, secret revealed) → published; re-draws and cancellations.

The draw itself is algorithm v1 in resettlement/lottery_verify.py, the same file notaries run.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement import lottery_verify as v1
from resettlement.database import planner_statistics_refresh, rows_insert
from resettlement.households.models import CompensationMode, Household, HouseholdStatus
from resettlement.housing.models import Flat, FlatStatus
from resettlement.input_values import dates_out_of_range
from resettlement.lottery import notice, tasks
from resettlement.lottery.files import pools_of, roster_entries
from resettlement.lottery.models import (
    DrawMethod,
    GroupRule,
    Lottery,
    LotteryEntry,
    LotteryMode,
    LotteryPoolFlat,
    LotteryResult,
    LotteryStatus,
    Witness,
)
from resettlement.projects.models import Project

PRIORITY_FLAGS = ("elderly", "disabled", "hardship")

REASON_NOT_SIGNED = _("agreement not signed")
REASON_CASH = _("cash compensation, no flat")
REASON_NO_ENTITLEMENT = _("no entitled area")
REASON_ALREADY_SELECTED = _("flats already selected")
REASON_IN_LOTTERY = _("already on the roster of lottery “%(name)s”")
REASON_ON_ROSTER = _("already on this roster")
REASON_OTHER_PROJECT = _("belongs to another project")

ERROR_STATUS = _("The lottery is “%(status)s”; this step needs “%(needed)s”.")
ERROR_EMPTY_ROSTER = _("The roster is empty.")
ERROR_NO_POOL = _("Entries without a pool: %(agreements)s.")
ERROR_POOL_TOO_SMALL = _("Pool %(pool)s has %(flats)s flats for %(households)s households.")
ERROR_FLAT_NOT_AVAILABLE = _("Flat %(code)s is not available.")
ERROR_FLAT_OTHER_PROJECT = _("Flat %(code)s is not in this project.")
ERROR_PUBLIC_INPUT = _("Enter the public input exactly as the witnesses drew it.")
ERROR_WITNESSES = _("Name at least one witness with their role.")
ERROR_METHOD = _("This lottery is drawn by %(method)s.")
ERROR_REASON = _("Give the reason and who approved it.")
ERROR_REDRAW_USED = _("A selection event already uses this lottery's order; it cannot be re-drawn.")
ERROR_REDRAW_ASSIGNED = _("Flats assigned by this lottery are already selections; void them first.")
ERROR_GROUP = _("A priority group is a whole number from 1.")
ERROR_NOT_PERMUTATION = _("The stamped result is not the frozen roster: %(problem)s")
ERROR_MISSING = _("%(count)s entries of the roster are missing (e.g. %(example)s)")
ERROR_UNKNOWN = _("%(count)s entries are not on the roster (e.g. %(example)s)")
ERROR_SEQUENCE = _("sequence numbers must run 1 to %(count)s, each once")
ERROR_FLAT_POOL = _("flat %(code)s is not in pool %(pool)s of %(agreement)s")
ERROR_FLAT_TWICE = _("flat %(code)s is given twice")
ERROR_LIST_UNKNOWN = _("Line %(line)s: %(agreement)s is not on the roster.")
ERROR_LIST_GROUP = _("Line %(line)s: the group must be a whole number from 1.")
ERROR_LIST_TWICE = _("Line %(line)s: %(agreement)s is listed twice.")
ERROR_LIST_EMPTY = _("The list is empty.")


@dataclass
class RosterReport:
    added: int
    refused: list[tuple[Household, str]]


def _require(lottery: Lottery, *statuses: str) -> None:
    if lottery.status not in statuses:
        raise ValidationError(
            ERROR_STATUS
            % {
                "status": lottery.get_status_display(),
                "needed": "、".join(str(LotteryStatus(s).label) for s in statuses),
            }
        )


def _save(lottery: Lottery, by, fields: list[str]) -> None:
    lottery._history_user = by
    lottery.save(update_fields=fields)


def lottery_create(
    *,
    project: Project,
    name: str,
    mode: str = LotteryMode.ORDER,
    group_rule: str = GroupRule.FLAGS,
    priority_flags: Sequence[str] = ("elderly", "disabled"),
    draw_method: str = DrawMethod.SYSTEM,
    scheduled_on=None,
    venue: str = "",
    by=None,
) -> Lottery:
    if errors := dates_out_of_range(scheduled_on=scheduled_on):
        raise ValidationError(errors)
    lottery = Lottery(
        project=project,
        name=name,
        mode=mode,
        group_rule=group_rule,
        priority_flags=[flag for flag in priority_flags if flag in PRIORITY_FLAGS],
        draw_method=draw_method,
        scheduled_on=scheduled_on,
        venue=venue,
        created_by=by,
    )
    lottery.full_clean()
    lottery._history_user = by
    lottery.save()
    return lottery


def ineligibility(
    project: Project, households: QuerySet[Household], *, lottery: Lottery | None = None
) -> dict[int, str]:
    """Why each of these households may not join a lottery of the project (id -> reason)."""
    live = Lottery.objects.live()
    if lottery is not None:
        live = live.exclude(pk=lottery.pk)
    busy = dict(
        LotteryEntry.objects.filter(lottery__in=live, household__in=households).values_list(
            "household_id", "lottery__name"
        )
    )
    on_roster = set(lottery.entries.values_list("household_id", flat=True)) if lottery else set()
    reasons = {}
    for household in households:
        if household.project_id != project.pk:
            reason = REASON_OTHER_PROJECT
        elif household.pk in on_roster:
            reason = REASON_ON_ROSTER
        elif household.status == HouseholdStatus.REGISTERED:
            reason = REASON_NOT_SIGNED
        elif household.compensation_mode == CompensationMode.CASH:
            reason = REASON_CASH
        elif household.entitled_area <= 0:
            reason = REASON_NO_ENTITLEMENT
        elif household.status not in (HouseholdStatus.SIGNED, HouseholdStatus.ORDERED):
            reason = REASON_ALREADY_SELECTED
        elif household.pk in busy:
            reason = REASON_IN_LOTTERY % {"name": busy[household.pk]}
        else:
            continue
        reasons[household.pk] = str(reason)
    return reasons


def _group_for(lottery: Lottery, household: Household) -> int:
    if lottery.group_rule == GroupRule.FLAGS and any(
        getattr(household, flag) for flag in lottery.priority_flags
    ):
        return 1
    return 2 if lottery.group_rule == GroupRule.FLAGS else 1


def roster_build(
    *, lottery: Lottery, households: QuerySet[Household] | None = None, by=None
) -> RosterReport:
    """Add the eligible households (by default every household of the project) to a draft
    roster, each in its priority group; report the others with the reason."""
    _require(lottery, LotteryStatus.DRAFT)
    candidates = households if households is not None else lottery.project.households.all()
    refused = ineligibility(lottery.project, candidates, lottery=lottery)
    by_id = {household.pk: household for household in candidates}
    entries = [
        LotteryEntry(
            lottery=lottery,
            household=household,
            agreement_no=v1.normalize_agreement_no(household.agreement_no),
            group=_group_for(lottery, household),
        )
        for household in by_id.values()
        if household.pk not in refused
    ]
    with transaction.atomic():
        bulk_create_with_history(entries, LotteryEntry, batch_size=2000, default_user=by)
        planner_statistics_refresh(LotteryEntry)
    return RosterReport(
        added=len(entries), refused=[(by_id[pk], reason) for pk, reason in refused.items()]
    )


def entry_update(
    *, entry: LotteryEntry, group: int | None = None, pool: str | None = None, by=None
) -> LotteryEntry:
    _require(entry.lottery, LotteryStatus.DRAFT)
    if group is not None and (not isinstance(group, int) or group < 1):
        raise ValidationError(ERROR_GROUP)
    changes = {
        name: value
        for name, value in (("group", group), ("pool", None if pool is None else pool.strip()))
        if value is not None and getattr(entry, name) != value
    }
    if changes:  # the same values again write nothing, not even an audit row
        for name, value in changes.items():
            setattr(entry, name, value)
        entry._history_user = by
        entry.save(update_fields=list(changes))
    return entry


def groups_apply(*, lottery: Lottery, text: str, by=None) -> int:
    """Set groups (and pools) from an explicit list, one entry per line as staff paste it
    from a spreadsheet: agreement number, group, optional pool (tab, comma or spaces).
    Every line is checked first; any error means nothing changes."""
    _require(lottery, LotteryStatus.DRAFT)
    entries = {entry.agreement_no: entry for entry in lottery.entries.all()}
    errors, changes = [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in re.split(r"[\t,，\s]+", line.strip()) if cell.strip()]
        if not cells:
            continue
        agreement = v1.normalize_agreement_no(cells[0])
        if agreement not in entries:
            errors.append(ERROR_LIST_UNKNOWN % {"line": number, "agreement": cells[0]})
            continue
        if len(cells) < 2 or not cells[1].isdigit() or int(cells[1]) < 1:
            errors.append(ERROR_LIST_GROUP % {"line": number})
            continue
        if agreement in changes:
            errors.append(ERROR_LIST_TWICE % {"line": number, "agreement": agreement})
            continue
        changes[agreement] = (int(cells[1]), cells[2] if len(cells) > 2 else None)
    if errors:
        raise ValidationError([str(error) for error in errors])
    if not changes:
        raise ValidationError(ERROR_LIST_EMPTY)
    changed = []
    for agreement, (group, pool) in changes.items():
        entry = entries[agreement]
        entry.group = group
        if pool is not None:
            entry.pool = pool
        changed.append(entry)
    with transaction.atomic():
        bulk_update_with_history(
            changed, LotteryEntry, ["group", "pool"], batch_size=1000, default_user=by
        )
        if lottery.group_rule != GroupRule.EXPLICIT:
            lottery.group_rule = GroupRule.EXPLICIT
            _save(lottery, by, ["group_rule"])
    return len(changed)


def entry_remove(*, entry: LotteryEntry, by=None) -> None:
    _require(entry.lottery, LotteryStatus.DRAFT)
    entry._history_user = by
    entry.delete()


def pool_flats_set(*, lottery: Lottery, pool: str, flats: Iterable[Flat], by=None) -> int:
    """The flats of one pool of a mode-assign lottery (replacing the pool's previous flats)."""
    _require(lottery, LotteryStatus.DRAFT)
    flats = list(flats)
    for flat in flats:
        if flat.building.project_id != lottery.project_id:
            raise ValidationError(ERROR_FLAT_OTHER_PROJECT % {"code": flat.code})
        if flat.status != FlatStatus.AVAILABLE:
            raise ValidationError(ERROR_FLAT_NOT_AVAILABLE % {"code": flat.code})
    with transaction.atomic():
        for stale in lottery.pool_flats.filter(pool=pool):
            stale._history_user = by
            stale.delete()
        bulk_create_with_history(
            [LotteryPoolFlat(lottery=lottery, pool=pool, flat=flat) for flat in flats],
            LotteryPoolFlat,
            default_user=by,
        )
    return len(flats)


def lottery_freeze(*, lottery: Lottery, by=None) -> Lottery:
    """Fix the roster: publish its digest and the commitment to a fresh secret."""
    _require(lottery, LotteryStatus.DRAFT)
    entries = roster_entries(lottery)
    if not entries:
        raise ValidationError(ERROR_EMPTY_ROSTER)
    if lottery.mode == LotteryMode.ASSIGN:
        _check_pools(lottery, entries)
    secret = secrets.token_hex(32)
    lottery.roster_digest = v1.roster_digest(entries, lottery.mode)
    lottery.secret = secret
    lottery.commitment = v1.commitment(secret)
    lottery.status = LotteryStatus.FROZEN
    lottery.frozen_at = timezone.now()
    with transaction.atomic():
        _save(lottery, by, ["roster_digest", "secret", "commitment", "status", "frozen_at"])
        notice.files_store(lottery, by=by)  # roster.csv (and pools.csv), as published from now
    return lottery


def _check_pools(lottery: Lottery, entries: Sequence[v1.Entry]) -> None:
    missing = [entry.agreement_no for entry in entries if not entry.pool]
    if missing:
        raise ValidationError(ERROR_NO_POOL % {"agreements": "、".join(missing[:5])})
    pools = pools_of(lottery)
    wanted: dict[str, int] = {}
    for entry in entries:
        wanted[entry.pool] = wanted.get(entry.pool, 0) + 1
    for pool, count in sorted(wanted.items()):
        if len(pools.get(pool, ())) < count:
            raise ValidationError(
                ERROR_POOL_TOO_SMALL
                % {"pool": pool, "flats": len(pools.get(pool, ())), "households": count}
            )


def lottery_draw(
    *, lottery: Lottery, public_input: str, witnesses: Sequence[tuple[str, str, str]], by=None
) -> Lottery:
    """Draw with the witnesses' public input: the secret is revealed and every entry gets its
    sequence (and flat, in mode assign). `witnesses` are (name, role, organisation)."""
    _require(lottery, LotteryStatus.FROZEN)
    if lottery.draw_method != DrawMethod.SYSTEM:
        raise ValidationError(ERROR_METHOD % {"method": lottery.get_draw_method_display()})
    if not public_input.strip():
        raise ValidationError({"public_input": [str(ERROR_PUBLIC_INPUT)]})
    witnesses = [
        (n.strip(), r.strip(), o.strip()) for n, r, o in witnesses if n.strip() and r.strip()
    ]
    if not witnesses:
        raise ValidationError({"witnesses": [str(ERROR_WITNESSES)]})
    entry_ids = {}
    entries = []
    for pk, group, agreement_no, pool in lottery.entries.values_list(
        "pk", "group", "agreement_no", "pool"
    ):
        entry_ids[agreement_no] = pk
        entries.append(v1.Entry(group, agreement_no, pool))
    outcome = v1.draw(
        entries,
        secret_hex=lottery.secret,
        public_input=public_input,
        mode=lottery.mode,
        pools=pools_of(lottery) if lottery.mode == LotteryMode.ASSIGN else None,
    )
    flat_ids = dict(lottery.pool_flats.values_list("flat__code", "flat_id"))
    results = (
        (
            lottery.pk,
            entry_ids[drawn.agreement_no],
            position + 1,
            outcome.keys[position],
            flat_ids[outcome.flats[position]] if outcome.flats else None,
        )
        for position, drawn in enumerate(outcome.order)
    )
    with transaction.atomic():
        rows_insert(
            LotteryResult, ("lottery_id", "entry_id", "sequence", "draw_key", "flat_id"), results
        )
        planner_statistics_refresh(LotteryResult)
        Witness.objects.bulk_create(
            [Witness(lottery=lottery, name=n, role=r, organisation=o) for n, r, o in witnesses]
        )
        lottery.public_input = public_input
        lottery.result_digest = outcome.result_digest
        lottery.status = LotteryStatus.DRAWN
        lottery.drawn_at = timezone.now()
        _save(lottery, by, ["public_input", "result_digest", "status", "drawn_at"])
        notice.files_store(lottery, by=by)  # result.csv
    return lottery


def notary_import(*, lottery: Lottery, content: bytes, filename: str, by=None) -> Lottery:
    """Take the result of a draw made on the notary's own software (result.csv as stamped):
    accepted only if it is a permutation of exactly the frozen roster."""
    _require(lottery, LotteryStatus.FROZEN)
    if lottery.draw_method != DrawMethod.NOTARY:
        raise ValidationError(ERROR_METHOD % {"method": lottery.get_draw_method_display()})
    try:
        rows = v1.read_result(content.decode("utf-8"), lottery.mode)
    except (v1.LotteryError, UnicodeDecodeError) as error:
        raise ValidationError(ERROR_NOT_PERMUTATION % {"problem": error}) from None
    entries = {entry.agreement_no: entry for entry in lottery.entries.all()}
    flats = {
        code: (pool, flat_id)
        for pool, code, flat_id in lottery.pool_flats.values_list("pool", "flat__code", "flat_id")
    }
    _check_permutation(rows, entries, flats, lottery.mode)
    order = sorted(rows, key=lambda row: int(row[0]))
    ordered_entries = [
        v1.Entry(entries[row[1]].group, row[1], entries[row[1]].pool) for row in order
    ]
    flat_codes = [row[2] for row in order] if lottery.mode == LotteryMode.ASSIGN else []
    text = v1.result_text(ordered_entries, flat_codes)
    results = [
        LotteryResult(
            lottery=lottery,
            entry=entries[row[1]],
            sequence=int(row[0]),
            flat_id=flats[row[2]][1] if lottery.mode == LotteryMode.ASSIGN else None,
        )
        for row in order
    ]
    with transaction.atomic():
        LotteryResult.objects.bulk_create(results, batch_size=5000)
        planner_statistics_refresh(LotteryResult)
        lottery.notary_file.save(filename[-100:], ContentFile(content), save=False)
        lottery.notary_file_digest = hashlib.sha256(content).hexdigest()
        lottery.result_digest = v1.sha256_hex(text)
        lottery.status = LotteryStatus.DRAWN
        lottery.drawn_at = timezone.now()
        _save(
            lottery,
            by,
            ["notary_file", "notary_file_digest", "result_digest", "status", "drawn_at"],
        )
        notice.files_store(lottery, by=by)  # result.csv
    return lottery


def _check_permutation(rows, entries, flats, mode) -> None:
    def refuse(problem) -> None:
        raise ValidationError(ERROR_NOT_PERMUTATION % {"problem": problem})

    names = [row[1] for row in rows]
    missing = sorted(set(entries) - set(names))
    unknown = sorted(set(names) - set(entries))
    if missing:
        refuse(ERROR_MISSING % {"count": len(missing), "example": missing[0]})
    if unknown or len(names) != len(set(names)):
        extra = unknown or [name for name in names if names.count(name) > 1]
        refuse(ERROR_UNKNOWN % {"count": len(extra), "example": extra[0]})
    try:
        sequences = sorted(int(row[0]) for row in rows)
    except ValueError:
        sequences = []
    if sequences != list(range(1, len(entries) + 1)):
        refuse(ERROR_SEQUENCE % {"count": len(entries)})
    if mode == LotteryMode.ASSIGN:
        seen = set()
        for _sequence, agreement, code in rows:
            if code in seen:
                refuse(ERROR_FLAT_TWICE % {"code": code})
            seen.add(code)
            if code not in flats or flats[code][0] != entries[agreement].pool:
                refuse(
                    ERROR_FLAT_POOL
                    % {"code": code, "pool": entries[agreement].pool, "agreement": agreement}
                )


def lottery_publish(*, lottery: Lottery, by=None) -> Lottery:
    """Make the result official: in mode order, households take their sequence as selection
    order; in mode assign, each household's flat becomes its selection. The notice's result
    table is stored with it; its PDF is rendered once committed, in the background."""
    _require(lottery, LotteryStatus.DRAWN)
    with transaction.atomic():
        if lottery.mode == LotteryMode.ORDER:
            _apply_order(lottery, by)
        else:
            from resettlement.selection.confirmation import selections_from_lottery

            selections_from_lottery(lottery=lottery, by=by)
        lottery.status = LotteryStatus.PUBLISHED
        lottery.published_at = timezone.now()
        _save(lottery, by, ["status", "published_at"])
        notice.files_store(lottery, by=by)
        notice.notice_rows_store(lottery, by=by)
        tasks.notice_render_when_committed(lottery)
    return lottery


def _apply_order(lottery: Lottery, by) -> None:
    """Every household on the roster takes its sequence as selection order: one UPDATE, then
    one history row each (bulk), instead of an UPDATE per household."""
    households = Household.objects.filter(lottery_entries__lottery=lottery)
    # One result per entry and one entry per household in a lottery: a plain lookup by the
    # household (no ORDER BY/LIMIT, which would make PostgreSQL walk every result per row).
    sequence = LotteryResult.objects.filter(
        lottery=lottery, entry__household=OuterRef("pk")
    ).order_by()
    households.update(
        selection_order=Subquery(sequence.values("sequence")),
        status=HouseholdStatus.ORDERED,
        updated_at=timezone.now(),
    )
    Household.history.bulk_history_create(
        list(households),  # as now stored
        update=True,
        batch_size=2000,
        default_user=by,
        default_change_reason=gettext("selection order from lottery “%(name)s”")
        % {"name": lottery.name},
    )


def lottery_cancel(*, lottery: Lottery, reason: str, by=None) -> Lottery:
    _require(lottery, LotteryStatus.DRAFT, LotteryStatus.FROZEN)
    if not reason.strip():
        raise ValidationError(ERROR_REASON)
    lottery.status = LotteryStatus.CANCELLED
    lottery._change_reason = reason.strip()
    _save(lottery, by, ["status"])
    return lottery


def lottery_redraw(*, lottery: Lottery, reason: str, approved_by: str, by=None) -> Lottery:
    """A new draft lottery with the same roster that names the one it replaces and why; the
    replaced draw stays visible. It must be frozen (a new secret) and drawn again. A replaced
    published notice gets a new PDF that names the re-draw (the page shows it at once)."""
    _require(lottery, LotteryStatus.FROZEN, LotteryStatus.DRAWN, LotteryStatus.PUBLISHED)
    if not reason.strip() or not approved_by.strip():
        raise ValidationError(ERROR_REASON)
    from resettlement.selection.models import Selection, SelectionEvent

    if SelectionEvent.objects.filter(lottery=lottery).exists():
        raise ValidationError(ERROR_REDRAW_USED)
    if Selection.objects.filter(lottery=lottery, status="active").exists():
        raise ValidationError(ERROR_REDRAW_ASSIGNED)
    with transaction.atomic():
        # The replaced lottery's row: a notice PDF rendered meanwhile is stored under it.
        Lottery.objects.select_for_update().only("pk").get(pk=lottery.pk)
        successor = Lottery(
            project=lottery.project,
            name=gettext("%(name)s (re-draw)") % {"name": lottery.name},
            mode=lottery.mode,
            group_rule=lottery.group_rule,
            priority_flags=lottery.priority_flags,
            draw_method=lottery.draw_method,
            scheduled_on=lottery.scheduled_on,
            venue=lottery.venue,
            replaces=lottery,
            replace_reason=reason.strip(),
            replace_approved_by=approved_by.strip(),
            created_by=by,
        )
        successor._history_user = by
        successor.save()
        bulk_create_with_history(
            [
                LotteryEntry(
                    lottery=successor,
                    household_id=e.household_id,
                    agreement_no=e.agreement_no,
                    group=e.group,
                    pool=e.pool,
                )
                for e in lottery.entries.all()
            ],
            LotteryEntry,
            batch_size=2000,
            default_user=by,
        )
        bulk_create_with_history(
            [
                LotteryPoolFlat(lottery=successor, pool=p.pool, flat_id=p.flat_id)
                for p in lottery.pool_flats.all()
            ],
            LotteryPoolFlat,
            default_user=by,
        )
        if lottery.status == LotteryStatus.PUBLISHED:
            tasks.notice_render_when_committed(lottery)
    return successor
