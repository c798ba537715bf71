"""The two steps of a lottery's lifecycle (lottery.lifecycle) that reach into selections,
kept on this side as selection depends on lottery: publishing, which in mode assign makes each
drawn flat its household's selection, and the re-draw, refused once a selection event uses the
lottery's order or its assigned flats are selections."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.households.lifecycle import households_order_by_expression
from resettlement.households.models import Household
from resettlement.lottery import tasks
from resettlement.lottery.lifecycle import ERROR_REASON, lottery_claim, lottery_publication_record
from resettlement.lottery.models import (
    Lottery,
    LotteryEntry,
    LotteryMode,
    LotteryPoolFlat,
    LotteryResult,
    LotteryStatus,
)
from resettlement.selection.confirmation import selections_from_lottery
from resettlement.selection.models import Selection, SelectionEvent, SelectionStatus

ERROR_REDRAW_USED = _("A selection event already uses this lottery's order; it cannot be re-drawn.")
ERROR_REDRAW_ASSIGNED = _("Flats assigned by this lottery are already selections; void them first.")


def lottery_publish(*, lottery: Lottery, by: User | None = None) -> Lottery:
    """Make the result official: in mode order, the households still waiting for their turn
    take their sequence as selection order (one that selected its flats meanwhile keeps them);
    in mode assign, each household's flat becomes its selection. The notice's result table is
    stored with it; its PDF is rendered once committed, in the background."""
    with transaction.atomic():
        lottery_claim(lottery, "publish")
        if lottery.mode == LotteryMode.ORDER:
            _apply_order(lottery, by)
        else:
            selections_from_lottery(lottery=lottery, by=by)
        lottery_publication_record(lottery, by=by)
    return lottery


def _apply_order(lottery: Lottery, by: User | None) -> int:
    """Every household of the roster still waiting takes its sequence as selection order: one
    UPDATE with its history rows (households.lifecycle)."""
    # One result per entry and one entry per household in a lottery: a plain lookup by the
    # household (no ORDER BY/LIMIT, which would make PostgreSQL walk every result per row).
    sequence = LotteryResult.objects.filter(
        lottery=lottery, entry__household=OuterRef("pk")
    ).order_by()
    return households_order_by_expression(
        Household.objects.filter(lottery_entries__lottery=lottery),
        Subquery(sequence.values("sequence")),
        by=by,
        reason=gettext("selection order from lottery “%(name)s”") % {"name": lottery.name},
    )


def lottery_redraw(
    *, lottery: Lottery, reason: str, approved_by: str, by: User | None = None
) -> Lottery:
    """A new draft lottery with the same roster that names the one it replaces and why; the
    replaced draw stays visible. It must be frozen (a new secret) and drawn again. A replaced
    published notice gets a new PDF that names the re-draw (the page shows it at once)."""
    if not reason.strip() or not approved_by.strip():
        raise ValidationError(ERROR_REASON)
    with transaction.atomic():
        # Also the replaced lottery's row lock: a notice PDF rendered meanwhile is stored
        # under it, and a second re-draw waits here, then finds this one.
        lottery_claim(lottery, "redraw")
        if SelectionEvent.objects.filter(lottery=lottery).exists():
            raise ValidationError(ERROR_REDRAW_USED)
        if Selection.objects.filter(lottery=lottery, status=SelectionStatus.ACTIVE).exists():
            raise ValidationError(ERROR_REDRAW_ASSIGNED)
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
        history_author_set(successor, by=by)
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
