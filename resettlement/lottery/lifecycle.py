"""A lottery's lifecycle (LOTTERY_LIFECYCLE): draft roster → frozen (digest and commitment
published) → drawn (witnessed public input, secret revealed, or the notary's stamped result)
→ published; cancelled before the draw; re-drawn by a successor that names it.

Every step, and every edit of the roster (lottery.services), first claims the lottery's row
(lottery_claim): it waits for any step in progress, then checks the lifecycle against the
state that step left. A roster edit racing the freeze therefore lands before the digest is
taken or is refused; a double-submitted draw draws once; a lottery replaced by a re-draw takes
no step at all. The draw itself is algorithm v1 in resettlement/lottery_verify.py, the same
file notaries run. Publishing and the re-draw reach into selections, which depend on
lotteries: they are composed on that side (resettlement/selection/lotteries.py), publishing
from lottery_claim and lottery_publication_record here.
"""

import hashlib
import secrets
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement import lottery_verify as v1
from resettlement.accounts.models import User
from resettlement.database import planner_statistics_refresh, rows_insert
from resettlement.history import history_author_set
from resettlement.lottery import notice, tasks
from resettlement.lottery.files import pools_of, roster_entries
from resettlement.lottery.models import (
    DRAWN_BY,
    ERROR_NOTICE_DETAILS,
    ERROR_REPLACED,
    LOTTERY_LIFECYCLE,
    Lottery,
    LotteryEntry,
    LotteryMode,
    LotteryResult,
    Witness,
)

ERROR_EMPTY_ROSTER = _("The roster is empty.")
ERROR_NO_POOL = _("Entries without a pool: %(agreements)s.")
ERROR_POOL_TOO_SMALL = _("Pool %(pool)s has %(flats)s flats for %(households)s households.")
ERROR_PUBLIC_INPUT = _("Enter the public input exactly as the witnesses drew it.")
ERROR_WITNESSES = _("Name at least one witness with their role.")
ERROR_METHOD = _("This lottery is drawn by %(method)s.")
ERROR_REASON = _("Give the reason and who approved it.")
ERROR_NOT_PERMUTATION = _("The stamped result is not the frozen roster: %(problem)s")
ERROR_MISSING = _("%(count)s entries of the roster are missing (e.g. %(example)s)")
ERROR_UNKNOWN = _("%(count)s entries are not on the roster (e.g. %(example)s)")
ERROR_SEQUENCE = _("sequence numbers must run 1 to %(count)s, each once")
ERROR_FLAT_POOL = _("flat %(code)s is not in pool %(pool)s of %(agreement)s")
ERROR_FLAT_TWICE = _("flat %(code)s is given twice")


def lottery_claim(lottery: Lottery, verb: str) -> Lottery:
    """Lock the lottery's row until the transaction ends (call inside transaction.atomic()),
    reload it into `lottery`, and refuse `verb` unless its lifecycle allows it now: not replaced
    by a re-draw, the status a source of the step, drawn by the method the step needs."""
    lottery.refresh_from_db(from_queryset=Lottery.objects.select_for_update())
    # A fresh statement, not a join of the locking one: a re-draw committed while this one
    # waited for the lock shows only to a statement started after it.
    successor = Lottery.objects.filter(replaces=lottery).only("name").first()
    if successor is not None:
        raise ValidationError(ERROR_REPLACED % {"name": successor.name}, code="replaced")
    LOTTERY_LIFECYCLE.check(verb, lottery.status)
    method = DRAWN_BY.get(verb)
    if method is not None and lottery.draw_method != method:
        raise ValidationError(ERROR_METHOD % {"method": lottery.get_draw_method_display()})
    return lottery


def _save(lottery: Lottery, by: User | None, fields: list[str], reason: str = "") -> None:
    history_author_set(lottery, by=by, reason=reason)
    lottery.save(update_fields=fields)


def lottery_freeze(*, lottery: Lottery, by: User | None = None) -> Lottery:
    """Fix the roster: publish its digest and the commitment to a fresh secret."""
    with transaction.atomic():
        lottery_claim(lottery, "freeze")
        entries = roster_entries(lottery)
        if not entries:
            raise ValidationError(ERROR_EMPTY_ROSTER)
        if lottery.mode == LotteryMode.ASSIGN:
            _check_pools(lottery, entries)
        secret = secrets.token_hex(32)
        lottery.roster_digest = v1.roster_digest(entries, lottery.mode)
        lottery.secret = secret
        lottery.commitment = v1.commitment(secret)
        lottery.status = LOTTERY_LIFECYCLE.target("freeze")
        lottery.frozen_at = timezone.now()
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
    *,
    lottery: Lottery,
    public_input: str,
    witnesses: Sequence[tuple[str, str, str]],
    by: User | None = None,
) -> Lottery:
    """Draw with the witnesses' public input: the secret is revealed and every entry gets its
    sequence (and flat, in mode assign). `witnesses` are (name, role, organisation)."""
    if not public_input.strip():
        raise ValidationError({"public_input": [str(ERROR_PUBLIC_INPUT)]})
    witnesses = [
        (n.strip(), r.strip(), o.strip()) for n, r, o in witnesses if n.strip() and r.strip()
    ]
    if not witnesses:
        raise ValidationError({"witnesses": [str(ERROR_WITNESSES)]})
    with transaction.atomic():
        lottery_claim(lottery, "draw")
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
        rows_insert(
            LotteryResult, ("lottery_id", "entry_id", "sequence", "draw_key", "flat_id"), results
        )
        planner_statistics_refresh(LotteryResult)
        Witness.objects.bulk_create(
            [Witness(lottery=lottery, name=n, role=r, organisation=o) for n, r, o in witnesses]
        )
        lottery.public_input = public_input
        lottery.result_digest = outcome.result_digest
        lottery.status = LOTTERY_LIFECYCLE.target("draw")
        lottery.drawn_at = timezone.now()
        _save(lottery, by, ["public_input", "result_digest", "status", "drawn_at"])
        notice.files_store(lottery, by=by)  # result.csv
    return lottery


def notary_import(
    *, lottery: Lottery, content: bytes, filename: str, by: User | None = None
) -> Lottery:
    """Take the result of a draw made on the notary's own software (result.csv as stamped):
    accepted only if it is a permutation of exactly the frozen roster."""
    with transaction.atomic():
        lottery_claim(lottery, "import_result")
        try:
            rows = v1.read_result(content.decode("utf-8"), lottery.mode)
        except (v1.LotteryError, UnicodeDecodeError) as error:
            raise ValidationError(ERROR_NOT_PERMUTATION % {"problem": error}) from None
        entries = {entry.agreement_no: entry for entry in lottery.entries.all()}
        flats = {
            code: (pool, flat_id)
            for pool, code, flat_id in lottery.pool_flats.values_list(
                "pool", "flat__code", "flat_id"
            )
        }
        _check_permutation(rows, entries, flats, lottery.mode)
        order = sorted(rows, key=lambda row: int(row[0]))
        ordered_entries = [
            v1.Entry(entries[row[1]].group, row[1], entries[row[1]].pool) for row in order
        ]
        flat_codes = [row[2] for row in order] if lottery.mode == LotteryMode.ASSIGN else []
        text = v1.result_text(ordered_entries, flat_codes)
        LotteryResult.objects.bulk_create(
            [
                LotteryResult(
                    lottery=lottery,
                    entry=entries[row[1]],
                    sequence=int(row[0]),
                    flat_id=flats[row[2]][1] if lottery.mode == LotteryMode.ASSIGN else None,
                )
                for row in order
            ],
            batch_size=5000,
        )
        planner_statistics_refresh(LotteryResult)
        lottery.notary_file.save(filename[-100:], ContentFile(content), save=False)
        lottery.notary_file_digest = hashlib.sha256(content).hexdigest()
        lottery.result_digest = v1.sha256_hex(text)
        lottery.status = LOTTERY_LIFECYCLE.target("import_result")
        lottery.drawn_at = timezone.now()
        _save(
            lottery,
            by,
            ["notary_file", "notary_file_digest", "result_digest", "status", "drawn_at"],
        )
        notice.files_store(lottery, by=by)  # result.csv
    return lottery


def _check_permutation(
    rows: Sequence[Sequence[str]],
    entries: Mapping[str, LotteryEntry],
    flats: Mapping[str, tuple[str, int]],
    mode: str,
) -> None:
    def refuse(problem: str) -> None:
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


def lottery_publication_record(lottery: Lottery, by: User | None = None) -> None:
    """The publication's own writes, once the caller has claimed the lottery for "publish" and
    applied its result (selection.lotteries.lottery_publish): status and date, the notice's
    files and result table; its PDF is rendered once committed, in the background. Refused
    (the caller's transaction rolled back) while the notice lacks its publicity period or
    where objections go."""
    if missing := lottery.notice_details_missing:
        raise ValidationError(ERROR_NOTICE_DETAILS % {"missing": "、".join(missing)})
    lottery.status = LOTTERY_LIFECYCLE.target("publish")
    lottery.published_at = timezone.now()
    _save(lottery, by, ["status", "published_at"])
    notice.files_store(lottery, by=by)
    notice.notice_rows_store(lottery, by=by)
    tasks.notice_render_when_committed(lottery)


def lottery_cancel(*, lottery: Lottery, reason: str, by: User | None = None) -> Lottery:
    if not reason.strip():
        raise ValidationError(ERROR_REASON)
    with transaction.atomic():
        lottery_claim(lottery, "cancel")
        lottery.status = LOTTERY_LIFECYCLE.target("cancel")
        _save(lottery, by, ["status"], reason=reason.strip())
    return lottery
