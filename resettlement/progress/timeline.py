"""A building's milestones as a timeline: state, lateness and planned-vs-actual bars."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from resettlement.history import concrete_field
from resettlement.housing.models import Building
from resettlement.progress.models import BuildingMilestone, MilestoneType, ProjectMilestone


class MilestoneState(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_STARTED = "not_started", _("Not started")


@dataclass
class Bar:
    left: float  # percent of the timeline width
    width: float


@dataclass
class MilestoneRow:
    milestone: BuildingMilestone
    sequence: int
    weight: object
    state: str
    days_late: int  # planned finish passed and not complete (or finished after the plan)
    days_early: int  # finished before the planned finish
    plan: Bar | None
    actual: Bar | None
    excepted: bool = False

    # The choices, for templates: {% if row.state == row.State.COMPLETE %}.
    State = MilestoneState

    @property
    def state_label(self) -> str:
        return str(MilestoneState(self.state).label)

    @property
    def anchor(self) -> str:
        return node_anchor(self.milestone)

    @property
    def overdue(self) -> bool:
        return self.state != MilestoneState.COMPLETE and self.days_late > 0


@dataclass
class Timeline:
    rows: list[MilestoneRow]
    start: datetime.date | None
    end: datetime.date | None
    today_left: float | None


def node_anchor(milestone: BuildingMilestone) -> str:
    """The id of a node's row on its building page: where a save lands, and the tag of the
    message that tells it was saved (shown beside the node, not at the top of the page)."""
    return f"node-{milestone.milestone_type.code}"


def milestone_state(milestone: BuildingMilestone) -> MilestoneState:
    if milestone.percent == 100:
        return MilestoneState.COMPLETE
    return MilestoneState.IN_PROGRESS if milestone.percent > 0 else MilestoneState.NOT_STARTED


def days_early(milestone: BuildingMilestone) -> int:
    if milestone.percent < 100 or not (milestone.planned_finish and milestone.actual_finish):
        return 0
    return max((milestone.planned_finish - milestone.actual_finish).days, 0)


def days_late(milestone: BuildingMilestone, today: datetime.date) -> int:
    """Days past the planned finish: until today for an open node, until its actual finish
    for a completed one; 0 when on time or without a plan."""
    if milestone.planned_finish is None:
        return 0
    reference = milestone.actual_finish if milestone.percent == 100 else today
    if reference is None:
        return 0
    return max((reference - milestone.planned_finish).days, 0)


def building_timeline(building: Building, today: datetime.date) -> Timeline:
    template = {
        node.milestone_type_id: node
        for node in ProjectMilestone.objects.filter(project_id=building.project_id)
    }
    milestones = [
        milestone
        for milestone in building.milestones.select_related(
            "milestone_type", "updated_by"
        ).prefetch_related("photos")
        if milestone.milestone_type_id in template
    ]
    milestones.sort(key=lambda milestone: template[milestone.milestone_type_id].sequence)
    dates = [
        value
        for milestone in milestones
        for value in (
            milestone.planned_start,
            milestone.planned_finish,
            milestone.actual_start,
            milestone.actual_finish,
        )
        if value
    ]
    start = min(dates, default=None)
    end = max([*dates, today], default=None) if dates else None
    span = max((end - start).days, 1) if start and end else None

    def bar(first, last) -> Bar | None:
        if span is None or first is None or last is None:
            return None
        left = (first - start).days / span * 100
        return Bar(left=round(left, 2), width=round(max((last - first).days / span * 100, 0.6), 2))

    rows = []
    for milestone in milestones:
        node = template[milestone.milestone_type_id]
        actual_end = milestone.actual_finish or (today if milestone.actual_start else None)
        rows.append(
            MilestoneRow(
                milestone=milestone,
                sequence=node.sequence,
                weight=node.weight,
                state=milestone_state(milestone),
                days_late=days_late(milestone, today),
                days_early=days_early(milestone),
                excepted=bool(milestone.exceptions.all()),
                plan=bar(milestone.planned_start, milestone.planned_finish),
                actual=bar(milestone.actual_start, actual_end),
            )
        )
    today_left = round((today - start).days / span * 100, 2) if span and start else None
    return Timeline(rows=rows, start=start, end=end, today_left=today_left)


@dataclass
class Delay:
    node: MilestoneType
    days: int


def building_delays(buildings, today: datetime.date) -> dict[int, list[Delay]]:
    """Open nodes past their planned finish, per building id, the latest first."""
    overdue = BuildingMilestone.objects.filter(
        building__in=buildings, percent__lt=100, planned_finish__lt=today
    ).select_related("milestone_type")
    delays: dict[int, list[Delay]] = {}
    for milestone in overdue:
        delays.setdefault(milestone.building_id, []).append(
            Delay(node=milestone.milestone_type, days=(today - milestone.planned_finish).days)
        )
    for found in delays.values():
        found.sort(key=lambda delay: -delay.days)
    return delays


@dataclass
class Change:
    order: int
    when: datetime.datetime
    who: object
    node: MilestoneType
    created: bool
    reason: str
    fields: list[tuple[str, object, object]]  # label, before, after


def milestone_changes(building: Building, limit: int = 30) -> list[Change]:
    """Who changed which node of a building, when, and what changed, the latest first."""
    from resettlement.progress.services import MILESTONE_FIELDS

    labels = {
        name: concrete_field(BuildingMilestone, name).verbose_name for name in MILESTONE_FIELDS
    }
    records = (
        BuildingMilestone.history.filter(building_id=building.pk)
        .select_related("history_user", "milestone_type")
        .order_by("id", "history_id")
    )
    changes = []
    previous: dict[int, Any] = {}
    for record in records:  # history ids grow with every change, whatever the clock says
        before = previous.get(record.id)
        fields = [
            (str(labels[name]), getattr(before, name), getattr(record, name))
            for name in MILESTONE_FIELDS
            if before is not None and getattr(before, name) != getattr(record, name)
        ]
        previous[record.id] = record
        if before is not None and not fields:
            continue
        changes.append(
            Change(
                order=record.history_id,
                when=record.history_date,
                who=record.history_user,
                node=record.milestone_type,
                created=before is None,
                reason=record.history_change_reason or "",
                fields=fields,
            )
        )
    changes.sort(key=lambda change: change.order, reverse=True)
    return changes[:limit]
