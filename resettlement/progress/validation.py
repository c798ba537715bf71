"""The rules a building milestone's values must satisfy, wherever they are entered."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.input_values import dates_out_of_range

ERROR_PERCENT_RANGE = _("Percent complete must be between 0 and 100.")
ERROR_FINISH_NEEDS_100 = _("A node with an actual finish date must be fully complete.")
ERROR_100_NEEDS_FINISH = _("A fully complete node needs its actual finish date.")
ERROR_PROGRESS_NEEDS_START = _("A node with progress needs its actual start date.")
ERROR_FINISH_BEFORE_START = _("The finish date is before the start date.")
ERROR_IN_FUTURE = _("An actual date cannot be in the future.")
ERROR_PLANNED_ORDER = _("The planned finish is before the planned start.")


def milestone_check(
    *,
    percent: int,
    planned_start: datetime.date | None,
    planned_finish: datetime.date | None,
    actual_start: datetime.date | None,
    actual_finish: datetime.date | None,
) -> dict[str, list[str]]:
    """Field -> messages for values that break a rule; empty when the values are consistent."""
    errors = dates_out_of_range(
        planned_start=planned_start,
        planned_finish=planned_finish,
        actual_start=actual_start,
        actual_finish=actual_finish,
    )

    def add(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    today = timezone.localdate()
    if not 0 <= percent <= 100:
        add("percent", ERROR_PERCENT_RANGE)
    if actual_finish and percent != 100:
        add("percent", ERROR_FINISH_NEEDS_100)
    if percent == 100 and not actual_finish:
        add("actual_finish", ERROR_100_NEEDS_FINISH)
    if percent > 0 and not actual_start:
        add("actual_start", ERROR_PROGRESS_NEEDS_START)
    for name, value in (("actual_start", actual_start), ("actual_finish", actual_finish)):
        if value and value > today:
            add(name, ERROR_IN_FUTURE)
    if actual_start and actual_finish and actual_finish < actual_start:
        add("actual_finish", ERROR_FINISH_BEFORE_START)
    if planned_start and planned_finish and planned_finish < planned_start:
        add("planned_finish", ERROR_PLANNED_ORDER)
    return errors


ERROR_OUT_OF_ORDER = _(
    "%(node)s cannot be complete while %(earlier)s is not: complete the nodes in order, "
    "or ask a project supervisor to record an exception."
)
ERROR_LATER_COMPLETE = _("%(node)s cannot be reopened: %(later)s after it is already complete.")
ERROR_DELIVERY_BEFORE_ACCEPTANCE = _(
    "Delivery may start only after completion acceptance is complete (required by law)."
)
ERROR_DELIVERY_DATE = _("Delivery cannot start before completion acceptance finished (%(date)s).")


def sequence_check(nodes, *, changed: set[int], excepted: set[int]) -> list[str]:
    """Rules across one building's nodes (in template order, new values applied), for the
    nodes in `changed`: a node completes only after every node before it, unless it has a
    recorded exception; a node is not reopened under a completed later one; delivery begins
    only after completion acceptance (no exception: the law requires it)."""
    from resettlement.progress.models import MilestoneRole

    problems = []
    for index, node in enumerate(nodes):
        if node.pk not in changed:
            continue
        if node.percent == 100 and node.pk not in excepted:
            earlier = next((n for n in nodes[:index] if n.percent < 100), None)
            if earlier is not None:
                params = {"node": node.milestone_type.name, "earlier": earlier.milestone_type.name}
                problems.append(str(ERROR_OUT_OF_ORDER % params))
        if node.percent < 100:
            later = next(
                (n for n in nodes[index + 1 :] if n.percent == 100 and n.pk not in excepted), None
            )
            if later is not None:
                params = {"node": node.milestone_type.name, "later": later.milestone_type.name}
                problems.append(str(ERROR_LATER_COMPLETE % params))
    roles = {node.milestone_type.role: node for node in nodes if node.milestone_type.role}
    delivery = roles.get(MilestoneRole.DELIVERY)
    acceptance = roles.get(MilestoneRole.COMPLETION_ACCEPTANCE)
    if delivery is not None and acceptance is not None and {delivery.pk, acceptance.pk} & changed:
        if delivery.percent > 0 and acceptance.percent < 100:
            problems.append(str(ERROR_DELIVERY_BEFORE_ACCEPTANCE))
        elif (
            delivery.actual_start
            and acceptance.actual_finish
            and delivery.actual_start < acceptance.actual_finish
        ):
            date = acceptance.actual_finish.isoformat()
            problems.append(str(ERROR_DELIVERY_DATE % {"date": date}))
    return problems
