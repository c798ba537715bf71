"""The rules a building milestone's values must satisfy, wherever they are entered."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    errors: dict[str, list[str]] = {}

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


def raise_if_invalid(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
