"""The demo is written in one go, today; its history is then dated as the works went, so that
what reads the history (a progress report of a past day, "+N this week", the S-curve, a
building's changes) tells the demo's story and not "everything happened today".

For a project just written: its buildings, flats, milestones and households were recorded when
the works began (the creation rows); each milestone's recorded values date from its actual start,
and a milestone finished since gets a second row on its actual finish (percent 100). Steps taken
later (the lottery, the selection day, handover) keep the time they were recorded: in the demo
they happen now.
"""

import datetime

from django.db.models import Min
from django.utils import timezone

from resettlement.households.models import Household
from resettlement.housing.models import Building, Flat
from resettlement.progress.models import BuildingMilestone
from resettlement.projects.models import Project

# Recorded at the end of the working day, Asia/Shanghai.
RECORDED_AT = datetime.time(18, 0)
BEFORE_WORKS = datetime.timedelta(days=30)


def moment(day: datetime.date) -> datetime.datetime:
    """The end of that working day, or now if that is still to come."""
    when = timezone.make_aware(
        datetime.datetime.combine(day, RECORDED_AT), timezone.get_default_timezone()
    )
    return min(when, timezone.now())


def history_as_lived(project: Project) -> None:
    milestones = BuildingMilestone.objects.filter(building__project=project)
    first = milestones.aggregate(first=Min("planned_start"))["first"]
    if first is None:
        return
    begun = moment(first - BEFORE_WORKS)
    for model, scope in (
        (Building, {"project_id": project.pk}),
        (Flat, {"building__project_id": project.pk}),
        (BuildingMilestone, {"building__project_id": project.pk}),
        (Household, {"project_id": project.pk}),
    ):
        history = model.history.model
        history.objects.filter(history_type="+", **scope).update(history_date=begun)
    history = BuildingMilestone.history.model
    finished = []
    for row in history.objects.filter(history_type="~", building__project_id=project.pk):
        if row.actual_start is None:  # planned only: recorded with the plan, when works began
            row.history_date = begun
        elif row.actual_finish is None:  # under way: recorded when it started
            row.history_date = moment(row.actual_start)
        else:  # finished: under way from its start, complete on its finish
            finished.append(_finish(row))
            row.history_date = moment(row.actual_start)
            row.percent = 50
            row.actual_finish = None
        row.save()
    history.objects.bulk_create(finished, batch_size=2000)


def _finish(row):
    """A copy of a finished node's row, dated on its actual finish (saved after the original,
    so the history's order is the order of the dates)."""
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.fields}
    fields.pop("history_id")
    fields["history_date"] = moment(row.actual_finish)
    return type(row)(**fields)
