"""The figures a leader quotes, as they stood at the end of a day (Asia/Shanghai), for the
projects a reader may see: households and flats by status, each building's stage, progress,
next node and lateness, the milestones late, with the change since the week before.

"As they stood" is read from the history tables every change already writes (simple-history):
for each object, its last historical row dated before the end of the day, unless that row is a
deletion. A report for last Monday therefore gives last Monday's numbers, whatever changed
since. The queries are a fixed number (two report dates × one per subject), however many
buildings, flats and households there are: counting is done by the database, and only the
milestones (a few thousand rows for hundreds of buildings) are read into Python.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Model, QuerySet, Sum
from django.utils import timezone

from resettlement.households.models import Household, HouseholdStatus
from resettlement.housing.models import Building, Flat, FlatStatus, Phase
from resettlement.progress.models import (
    BuildingMilestone,
    MilestoneRole,
    MilestoneType,
    ProjectMilestone,
)
from resettlement.progress.services import weighted_progress
from resettlement.projects.models import Project, Village
from resettlement.selection.models import EventStatus, QueueEntry, QueueStatus, SelectionEvent

# The change is reported against the same day a week before (the weekly report's rhythm).
COMPARED_DAYS = 7


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the project's time zone (Asia/Shanghai)."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight, timezone.get_default_timezone())


def standing(model: type[Model], cutoff: datetime.datetime, **filters) -> QuerySet:
    """The historical rows of `model` that stood at `cutoff`: each object's last row dated
    before it, deleted objects left out. `filters` narrow the objects (on the historical
    model's fields, e.g. project_id__in=…)."""
    history = model.history.model  # type: ignore[attr-defined]
    latest = (
        history.objects.filter(history_date__lt=cutoff, **filters)
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    return history.objects.filter(history_id__in=latest).exclude(history_type="-")


@dataclass
class BuildingFigures:
    id: int
    project: str
    code: str
    village: str
    phase: str
    phase_label: str
    progress: Decimal
    next_node: str  # the first node not complete ("" when every node is)
    next_planned: datetime.date | None
    days_late: int  # the worst open node past its planned finish
    topped_out: bool
    accepted: bool  # 竣工验收 complete
    flats: int
    flats_selected: int  # chosen, handed over or not
    flats_handed_over: int
    flats_handed_over_change: int  # since the day compared with


@dataclass
class LateMilestone:
    project: str
    building: str
    node: str
    planned_finish: datetime.date
    days_late: int


@dataclass
class Tally:
    """Counts on one day and on the day compared with."""

    now: int = 0
    before: int = 0

    @property
    def change(self) -> int:
        return self.now - self.before

    def add(self, attribute: str, number: int) -> None:
        """Count `number` more on the report's day ("now") or the day compared with."""
        setattr(self, attribute, getattr(self, attribute) + number)


@dataclass
class VillageFigures:
    name: str
    households: dict[str, Tally] = field(default_factory=dict)  # by HouseholdStatus
    buildings: int = 0
    topped_out: int = 0
    accepted: int = 0
    in_progress: list[str] = field(default_factory=list)  # nodes under way, template order

    @property
    def household_total(self) -> int:
        return sum(tally.now for tally in self.households.values())

    @property
    def selected(self) -> Tally:
        return _sum(self.households, SELECTED_OR_LATER)

    @property
    def handed_over(self) -> Tally:
        return _sum(self.households, HANDED_OVER_OR_LATER)


@dataclass
class SelectionFigures:
    """Selection days opened by then, households served (flats chosen at a desk), absences."""

    days_held: Tally = field(default_factory=Tally)
    served: Tally = field(default_factory=Tally)
    skipped: Tally = field(default_factory=Tally)  # lost their turn
    absences: Tally = field(default_factory=Tally)  # times called and absent


@dataclass
class CurvePoint:
    """Progress at a month's end, weighted as the buildings' progress is: planned (nodes
    planned to finish by then) and actual (nodes finished by then, up to the report's day)."""

    month: datetime.date  # the month's last day
    planned: Decimal
    actual: Decimal | None  # None after the report's day


@dataclass
class MonthCount:
    month: datetime.date  # the month's first day
    selected: int  # households that chose their flats that month
    handed_over: int  # households handed their keys that month


@dataclass
class ProjectFigures:
    code: str
    name: str
    households: dict[str, Tally] = field(default_factory=dict)  # by HouseholdStatus
    flats: dict[str, Tally] = field(default_factory=dict)  # by FlatStatus
    buildings: list[BuildingFigures] = field(default_factory=list)
    late: list[LateMilestone] = field(default_factory=list)
    topped_out: Tally = field(default_factory=Tally)
    accepted: Tally = field(default_factory=Tally)
    stages: dict[str, Tally] = field(default_factory=dict)  # buildings by Phase
    villages: list[VillageFigures] = field(default_factory=list)
    selection: SelectionFigures = field(default_factory=SelectionFigures)
    curve: list[CurvePoint] = field(default_factory=list)
    months: list[MonthCount] = field(default_factory=list)

    @property
    def household_total(self) -> int:
        return sum(tally.now for tally in self.households.values())

    @property
    def selected(self) -> Tally:
        """Households with their flats chosen (allocated and every later step)."""
        return _sum(self.households, SELECTED_OR_LATER)

    @property
    def handed_over(self) -> Tally:
        return _sum(self.households, HANDED_OVER_OR_LATER)


HANDED_OVER_OR_LATER = (HouseholdStatus.HANDED_OVER, HouseholdStatus.CERTIFIED)
SELECTED_OR_LATER = (
    HouseholdStatus.ALLOCATED,
    HouseholdStatus.NOTIFIED,
    HouseholdStatus.HANDED_OVER,
    HouseholdStatus.CERTIFIED,
)


def _sum(tallies: dict[str, Tally], keys) -> Tally:
    return Tally(
        now=sum(tallies[key].now for key in keys if key in tallies),
        before=sum(tallies[key].before for key in keys if key in tallies),
    )


@dataclass
class ProgressFigures:
    as_of: datetime.date
    compared_with: datetime.date
    projects: list[ProjectFigures]


def progress_figures(projects: QuerySet[Project], as_of: datetime.date) -> ProgressFigures:
    """The figures of `projects` at the end of `as_of`, beside those a week before."""
    projects_list = list(projects.order_by("code"))
    by_id = {
        project.pk: ProjectFigures(code=project.code, name=project.name)
        for project in projects_list
    }
    before = as_of - datetime.timedelta(days=COMPARED_DAYS)
    ids = list(by_id)
    villages: dict[tuple[int, int | None], VillageFigures] = {}
    names = dict(Village.objects.filter(projects__in=ids).values_list("pk", "name"))
    for attribute, day in (("now", as_of), ("before", before)):
        rows = standing(Household, day_end(day), project_id__in=ids)
        for project_id, village_id, status, number in (
            rows.values_list("project_id", "village_id", "status")
            .annotate(n=Count("history_id"))
            .order_by()
        ):
            for tallies in (
                by_id[project_id].households,
                _village(villages, names, project_id, village_id).households,
            ):
                tallies.setdefault(status, Tally()).add(attribute, number)
        _selection(by_id, day_end(day), attribute)
    buildings = _buildings(ids, day_end(as_of))
    flat_counts = {}
    for attribute, day in (("now", as_of), ("before", before)):
        counts = _flat_counts(list(buildings), day_end(day))
        flat_counts[attribute] = counts
        for building_id, statuses in counts.items():
            figures = by_id[buildings[building_id].project_id]
            for status, number in statuses.items():
                figures.flats.setdefault(status, Tally()).add(attribute, number)
    for figures in by_id.values():
        for status in FlatStatus.values:
            figures.flats.setdefault(status, Tally())
    template = _template(ids)
    types = {milestone_type.pk: milestone_type for milestone_type in MilestoneType.objects.all()}
    nodes_now = _milestones(list(buildings), day_end(as_of))
    nodes_before = _milestones(list(buildings), day_end(before))
    for building in buildings.values():
        figures = by_id[building.project_id]
        row, late = _building_figures(
            building,
            template[building.project_id],
            types,
            nodes_now.get(building.pk, {}),
            flat_counts["now"].get(building.pk, Counter()),
            as_of,
            handed_before=flat_counts["before"].get(building.pk, Counter())[FlatStatus.HANDED_OVER],
        )
        figures.buildings.append(row)
        figures.late.extend(late)
        earlier = nodes_before.get(building.pk, {})
        figures.topped_out.now += row.topped_out
        figures.accepted.now += row.accepted
        figures.topped_out.before += _complete(earlier, types, MilestoneRole.TOPPING_OUT)
        figures.stages.setdefault(row.phase, Tally()).now += 1
        phase_before, _progress, _current = building_phase(
            template[building.project_id], types, earlier
        )
        figures.stages.setdefault(phase_before.value, Tally()).before += 1
        figures.accepted.before += _complete(earlier, types, MilestoneRole.COMPLETION_ACCEPTANCE)
        village = _village(villages, names, building.project_id, building.village_id)
        village.buildings += 1
        village.topped_out += row.topped_out
        village.accepted += row.accepted
        for type_id in _under_way(template[building.project_id], nodes_now.get(building.pk, {})):
            if types[type_id].name not in village.in_progress:
                village.in_progress.append(types[type_id].name)
    for project_id, figures in by_id.items():
        project_buildings = [b for b in buildings.values() if b.project_id == project_id]
        figures.curve = _curve(template[project_id], project_buildings, nodes_now, as_of)
    _months(by_id, day_end(as_of))
    for (project_id, _village_id), village in sorted(
        villages.items(), key=lambda item: (item[0][0], item[1].name)
    ):
        order = {types[node.milestone_type_id].name: node.sequence for node in template[project_id]}
        village.in_progress.sort(key=lambda name: order.get(name, 0))
        for status in HouseholdStatus.values:
            village.households.setdefault(status, Tally())
        by_id[project_id].villages.append(village)
    for figures in by_id.values():
        for status in HouseholdStatus.values:
            figures.households.setdefault(status, Tally())
        figures.late.sort(key=lambda late: (-late.days_late, late.building, late.node))
    return ProgressFigures(
        as_of=as_of, compared_with=before, projects=[by_id[project.pk] for project in projects_list]
    )


def _village(
    villages: dict, names: dict[int, str], project_id: int, village_id: int | None
) -> VillageFigures:
    key = (project_id, village_id)
    if key not in villages:
        villages[key] = VillageFigures(name=names.get(village_id, "") if village_id else "")
    return villages[key]


def _selection(by_id: dict[int, ProjectFigures], cutoff: datetime.datetime, attribute: str):
    """Selection days opened by `cutoff`, and their queues as they stood: two queries."""
    opened = standing(SelectionEvent, cutoff, project_id__in=list(by_id)).filter(
        status__in=(EventStatus.OPEN, EventStatus.CLOSED)
    )
    events = dict(opened.values_list("id", "project_id"))
    for project_id in events.values():
        by_id[project_id].selection.days_held.add(attribute, 1)
    queue = (
        standing(QueueEntry, cutoff, event_id__in=opened.values("id"))
        .values_list("event_id", "status")
        .annotate(n=Count("history_id"), absent=Sum("absences"))
        .order_by()
    )
    for event_id, status, number, absent in queue:
        figures = by_id[events[event_id]].selection
        for tally, value in (
            (figures.served, number if status == QueueStatus.DONE else 0),
            (figures.skipped, number if status == QueueStatus.SKIPPED else 0),
            (figures.absences, absent or 0),
        ):
            tally.add(attribute, value)


MAX_CURVE_MONTHS = 120


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _curve(
    template: list[ProjectMilestone], buildings: list[Building], nodes: dict, as_of: datetime.date
) -> list[CurvePoint]:
    """Planned and actual progress at each month's end (the S-curve), from the nodes as they
    stood on the report's day."""
    weights = {node.milestone_type_id: node.weight for node in template}
    total = sum(weights.values(), Decimal(0)) * len(buildings)
    planned: list[tuple[datetime.date, Decimal]] = []
    actual: list[tuple[datetime.date, Decimal]] = []
    for building in buildings:
        for type_id, row in nodes.get(building.pk, {}).items():
            weight = weights.get(type_id)
            if weight is None:
                continue
            if row.planned_finish:
                planned.append((row.planned_finish, weight))
            if row.percent == 100 and row.actual_finish:
                actual.append((row.actual_finish, weight))
    dates = [day for day, _weight in planned + actual]
    if not total or not dates:
        return []
    month = _month_end(min(dates))
    last = _month_end(max([*dates, as_of]))
    points: list[CurvePoint] = []
    while month <= last and len(points) < MAX_CURVE_MONTHS:
        done_by = min(month, as_of)
        points.append(
            CurvePoint(
                month=month,
                planned=_share(planned, month, total),
                actual=_share(actual, done_by, total) if month <= _month_end(as_of) else None,
            )
        )
        month = _month_end(month + datetime.timedelta(days=1))
    return points


def _share(dated: list[tuple[datetime.date, Decimal]], day: datetime.date, total) -> Decimal:
    part = sum((weight for when, weight in dated if when <= day), Decimal(0))
    return (part / total * 100).quantize(Decimal("0.1"))


def _months(by_id: dict[int, ProjectFigures], cutoff: datetime.datetime) -> None:
    """Households that reached 'flats chosen' and 'handed over' in each month, by the first
    historical row showing them there: two queries."""
    history = Household.history.model
    counts: dict[int, dict[datetime.date, list[int]]] = defaultdict(dict)
    zone = timezone.get_default_timezone()
    for index, statuses in enumerate((SELECTED_OR_LATER, HANDED_OVER_OR_LATER)):
        firsts = (
            history.objects.filter(
                project_id__in=list(by_id), status__in=statuses, history_date__lt=cutoff
            )
            .values("project_id", "id")
            .annotate(first=Min("history_date"))
            .values_list("project_id", "first")
        )
        for project_id, first in firsts:
            month = timezone.localtime(first, zone).date().replace(day=1)
            counts[project_id].setdefault(month, [0, 0])[index] += 1
    for project_id, by_month in counts.items():
        by_id[project_id].months = [
            MonthCount(month=month, selected=numbers[0], handed_over=numbers[1])
            for month, numbers in sorted(by_month.items())
        ]


def _under_way(template: list[ProjectMilestone], nodes: dict) -> list[int]:
    """The milestone types begun and not complete, in template order."""
    return [
        node.milestone_type_id
        for node in template
        if node.milestone_type_id in nodes and 0 < nodes[node.milestone_type_id].percent < 100
    ]


def _buildings(project_ids: list[int], cutoff: datetime.datetime) -> dict[int, Building]:
    """The buildings that stood at `cutoff` (as they are named now)."""
    existing = standing(Building, cutoff, project_id__in=project_ids).values("id")
    buildings = Building.objects.filter(pk__in=existing).select_related("project", "village")
    return {building.pk: building for building in buildings.order_by("project__code", "sort_key")}


def _flat_counts(building_ids: list[int], cutoff: datetime.datetime) -> dict[int, Counter]:
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = standing(Flat, cutoff, building_id__in=building_ids)
    for building_id, status, number in (
        rows.values_list("building_id", "status").annotate(n=Count("history_id")).order_by()
    ):
        counts[building_id][status] = number
    return counts


def _template(project_ids: list[int]) -> dict[int, list[ProjectMilestone]]:
    template: dict[int, list[ProjectMilestone]] = {pk: [] for pk in project_ids}
    for node in ProjectMilestone.objects.filter(project_id__in=project_ids).order_by("sequence"):
        template[node.project_id].append(node)
    return template


def _milestones(building_ids: list[int], cutoff: datetime.datetime) -> dict[int, dict]:
    """Per building, its nodes as they stood: milestone type id → historical row."""
    nodes: dict[int, dict] = defaultdict(dict)
    rows = standing(BuildingMilestone, cutoff, building_id__in=building_ids)
    for row in rows:
        nodes[row.building_id][row.milestone_type_id] = row
    return nodes


def _complete(nodes: dict, types: dict, role: str) -> bool:
    return any(types[type_id].role == role and row.percent == 100 for type_id, row in nodes.items())


def building_phase(
    template: list[ProjectMilestone], types: dict[int, MilestoneType], nodes: dict
) -> tuple[Phase, Decimal, int | None]:
    """(phase, progress %, first node not complete) of a building whose nodes stand as in
    `nodes`, as Building.with_phase and the progress service give them for today."""
    percents = {type_id: row.percent for type_id, row in nodes.items()}
    progress, current = weighted_progress(template, percents)
    if current is None and template:
        phase = Phase.DELIVERED
    elif progress == 0 or current is None:
        phase = Phase.NOT_STARTED
    else:
        phase = Phase(types[current].phase)
    return phase, progress, current


def _building_figures(
    building: Building,
    template: list[ProjectMilestone],
    types: dict[int, MilestoneType],
    nodes: dict,
    flats: Counter,
    as_of: datetime.date,
    *,
    handed_before: int,
) -> tuple[BuildingFigures, list[LateMilestone]]:
    phase, progress, current = building_phase(template, types, nodes)
    late = [
        LateMilestone(
            project=building.project.code,
            building=building.code,
            node=types[type_id].name,
            planned_finish=row.planned_finish,
            days_late=(as_of - row.planned_finish).days,
        )
        for type_id, row in nodes.items()
        if row.percent < 100 and row.planned_finish is not None and row.planned_finish < as_of
    ]
    next_row = nodes.get(current) if current else None
    row = BuildingFigures(
        id=building.pk,
        project=building.project.code,
        code=building.code,
        village=building.village.name if building.village else "",
        phase=phase.value,
        phase_label=str(phase.label),
        progress=progress,
        next_node=types[current].name if current else "",
        next_planned=next_row.planned_finish if next_row else None,
        days_late=max((item.days_late for item in late), default=0),
        topped_out=_complete(nodes, types, MilestoneRole.TOPPING_OUT),
        accepted=_complete(nodes, types, MilestoneRole.COMPLETION_ACCEPTANCE),
        flats=sum(flats.values()),
        flats_selected=flats[FlatStatus.SELECTED] + flats[FlatStatus.HANDED_OVER],
        flats_handed_over=flats[FlatStatus.HANDED_OVER],
        flats_handed_over_change=flats[FlatStatus.HANDED_OVER] - handed_before,
    )
    return row, late
