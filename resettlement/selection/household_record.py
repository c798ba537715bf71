"""A household's record on the selection side, for its page (households:detail): the lotteries
it was on the roster of, with its sequence; its places in selection days' queues; its
selections, voided ones too with their reason, each with its flats and settlement. Read in a
fixed number of queries, however many records the household has."""

from dataclasses import dataclass

from django.db.models import Prefetch

from resettlement.households.models import Household
from resettlement.lottery.models import LotteryEntry
from resettlement.selection.models import QueueEntry, SelectedFlat, Selection


@dataclass
class HouseholdRecord:
    lottery_entries: list[LotteryEntry]
    queue_entries: list[QueueEntry]
    selections: list[Selection]


def _user_names(path: str) -> tuple[str, ...]:  # what a user's str() reads
    return (f"{path}__username", f"{path}__display_name")


def household_record(household: Household) -> HouseholdRecord:
    """Four queries: roster entries (with lottery, result and any re-draw), queue entries
    (with their day), selections (with their day and lottery) and their flats."""
    # Of a lottery, only what the page shows: its many digests and texts cost more to read
    # than all the rest.
    entries = (
        LotteryEntry.objects.filter(household=household)
        .select_related("lottery", "lottery__replaced_by", "result")
        .only(
            *("group", "household_id", "lottery__name", "lottery__status"),
            *("lottery__replaced_by__id", "result__sequence"),
        )
        .order_by("-lottery__created_at")
    )
    queue = (
        QueueEntry.objects.filter(household=household)
        .select_related("event")
        .order_by("-event__starts_on", "-pk")
    )
    flats = SelectedFlat.objects.select_related("flat__building").order_by("flat__code")
    own = [field.name for field in Selection._meta.concrete_fields]
    selections = (
        Selection.objects.filter(household=household)
        .select_related("event", "lottery", "voided_by")
        .only(*own, "event__name", "lottery__name", *_user_names("voided_by"))
        .prefetch_related(Prefetch("flats", queryset=flats))
        .order_by("-confirmed_at", "-pk")
    )
    return HouseholdRecord(
        lottery_entries=list(entries), queue_entries=list(queue), selections=list(selections)
    )
