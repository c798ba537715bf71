"""A lottery's creation and its roster: the households eligible, their priority groups and, in
mode assign, the pools of flats they draw from. Every roster edit claims the lottery's row
first (lottery.lifecycle.lottery_claim), so that it lands before the roster is frozen or is
refused; the steps from the freeze on are in lottery.lifecycle."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement import lottery_verify as v1
from resettlement.accounts.models import User
from resettlement.database import planner_statistics_refresh
from resettlement.history import history_author_set
from resettlement.households.models import CompensationMode, Household, HouseholdStatus
from resettlement.households.validation import agreement_key
from resettlement.housing.models import Flat, FlatStatus
from resettlement.input_values import dates_out_of_range
from resettlement.lottery.lifecycle import lottery_claim
from resettlement.lottery.models import (
    NOTICE_DETAIL_FIELDS,
    DrawMethod,
    GroupRule,
    Lottery,
    LotteryEntry,
    LotteryMode,
    LotteryPoolFlat,
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

ERROR_FLAT_NOT_AVAILABLE = _("Flat %(code)s is not available.")
ERROR_FLAT_OTHER_PROJECT = _("Flat %(code)s is not in this project.")
ERROR_GROUP = _("A priority group is a whole number from 1.")
ERROR_LIST_UNKNOWN = _("Line %(line)s: %(agreement)s is not on the roster.")
ERROR_LIST_GROUP = _("Line %(line)s: the group must be a whole number from 1.")
ERROR_LIST_TWICE = _("Line %(line)s: %(agreement)s is listed twice.")
ERROR_LIST_EMPTY = _("The list is empty.")


@dataclass
class RosterReport:
    added: int
    refused: list[tuple[Household, str]]


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
    by: User | None = None,
    **notice_details,
) -> Lottery:
    """A draft lottery; `notice_details` are the notice's publicity period and where
    objections go (NOTICE_DETAIL_FIELDS), which may also be set later (lottery_notice_set)."""
    unknown = set(notice_details) - set(NOTICE_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"lottery_create() got unexpected arguments {sorted(unknown)}")
    if errors := dates_out_of_range(scheduled_on=scheduled_on, **_dates(notice_details)):
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
        **notice_details,
    )
    lottery.full_clean()
    history_author_set(lottery, by=by)
    lottery.save()
    return lottery


def _dates(values: dict) -> dict:
    return {name: value for name, value in values.items() if name.endswith(("_on", "_until"))}


def lottery_notice_set(*, lottery: Lottery, by: User | None = None, **notice_details) -> Lottery:
    """Set the notice's publicity period and where objections go, until the lottery is
    published (the stored notice never changes) or cancelled."""
    unknown = set(notice_details) - set(NOTICE_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"lottery_notice_set() got unexpected arguments {sorted(unknown)}")
    if errors := dates_out_of_range(**_dates(notice_details)):
        raise ValidationError(errors)
    with transaction.atomic():
        lottery_claim(lottery, "edit_notice")
        changed = []
        for name, value in notice_details.items():
            value = value.strip() if isinstance(value, str) else value
            if getattr(lottery, name) != value:
                setattr(lottery, name, value)
                changed.append(name)
        if not changed:  # nothing typed differs: no write, no history
            return lottery
        lottery.full_clean()
        history_author_set(lottery, by=by)
        lottery.save(update_fields=changed)
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
        reason: str | Promise
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
    *, lottery: Lottery, households: QuerySet[Household] | None = None, by: User | None = None
) -> RosterReport:
    """Add the eligible households (by default every household of the project) to a draft
    roster, each in its priority group; report the others with the reason."""
    with transaction.atomic():
        lottery_claim(lottery, "edit_roster")
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
        bulk_create_with_history(entries, LotteryEntry, batch_size=2000, default_user=by)
        planner_statistics_refresh(LotteryEntry)
    return RosterReport(
        added=len(entries), refused=[(by_id[pk], reason) for pk, reason in refused.items()]
    )


def entry_update(
    *,
    entry: LotteryEntry,
    group: int | None = None,
    pool: str | None = None,
    by: User | None = None,
) -> LotteryEntry:
    if group is not None and (not isinstance(group, int) or group < 1):
        raise ValidationError(ERROR_GROUP)
    with transaction.atomic():
        lottery_claim(entry.lottery, "edit_roster")
        changes = {
            name: value
            for name, value in (("group", group), ("pool", None if pool is None else pool.strip()))
            if value is not None and getattr(entry, name) != value
        }
        if changes:  # the same values again write nothing, not even an audit row
            for name, value in changes.items():
                setattr(entry, name, value)
            history_author_set(entry, by=by)
            entry.save(update_fields=list(changes))
    return entry


def groups_apply(*, lottery: Lottery, text: str, by: User | None = None) -> int:
    """Set groups (and pools) from an explicit list, one entry per line as staff paste it
    from a spreadsheet: agreement number, group, optional pool (tab, comma or spaces).
    Every line is checked first; any error means nothing changes."""
    with transaction.atomic():
        lottery_claim(lottery, "edit_roster")
        return _groups_apply(lottery, text, by)


def _groups_apply(lottery: Lottery, text: str, by: User | None) -> int:
    # Matched as agreements are (case does not matter): staff paste numbers as they typed them,
    # and entries made before capitals were the rule hold them as they were imported.
    entries = {agreement_key(entry.agreement_no): entry for entry in lottery.entries.all()}
    errors, changes = [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in re.split(r"[\t,，\s]+", line.strip()) if cell.strip()]
        if not cells:
            continue
        agreement = agreement_key(v1.normalize_agreement_no(cells[0]))
        if agreement not in entries:
            errors.append(ERROR_LIST_UNKNOWN % {"line": number, "agreement": cells[0]})
            continue
        if len(cells) < 2 or not cells[1].isdigit() or int(cells[1]) < 1:
            errors.append(ERROR_LIST_GROUP % {"line": number})
            continue
        if agreement in changes:
            errors.append(ERROR_LIST_TWICE % {"line": number, "agreement": cells[0]})
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
    bulk_update_with_history(
        changed, LotteryEntry, ["group", "pool"], batch_size=1000, default_user=by
    )
    if lottery.group_rule != GroupRule.EXPLICIT:
        lottery.group_rule = GroupRule.EXPLICIT
        history_author_set(lottery, by=by)
        lottery.save(update_fields=["group_rule"])
    return len(changed)


def entry_remove(*, entry: LotteryEntry, by: User | None = None) -> None:
    with transaction.atomic():
        lottery_claim(entry.lottery, "edit_roster")
        history_author_set(entry, by=by)
        entry.delete()


def pool_flats_set(
    *, lottery: Lottery, pool: str, flats: Iterable[Flat], by: User | None = None
) -> int:
    """The flats of one pool of a mode-assign lottery (replacing the pool's previous flats)."""
    flats = list(flats)
    for flat in flats:
        if flat.building.project_id != lottery.project_id:
            raise ValidationError(ERROR_FLAT_OTHER_PROJECT % {"code": flat.code})
        if flat.status != FlatStatus.AVAILABLE:
            raise ValidationError(ERROR_FLAT_NOT_AVAILABLE % {"code": flat.code})
    with transaction.atomic():
        lottery_claim(lottery, "edit_roster")
        for stale in lottery.pool_flats.filter(pool=pool):
            history_author_set(stale, by=by)
            stale.delete()
        bulk_create_with_history(
            [LotteryPoolFlat(lottery=lottery, pool=pool, flat=flat) for flat in flats],
            LotteryPoolFlat,
            default_user=by,
        )
    return len(flats)
