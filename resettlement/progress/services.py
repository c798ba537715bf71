"""Milestone templates and the progress derived from a building's nodes."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement.housing.models import Building
from resettlement.progress.models import BuildingMilestone, MilestoneType, ProjectMilestone
from resettlement.progress.validation import milestone_check
from resettlement.projects.models import Project


def milestone_template_apply_defaults(*, project: Project) -> list[ProjectMilestone]:
    """Give a project the default node sequence and weights (DOMAIN.md's sequence)."""
    nodes = [
        ProjectMilestone(
            project=project,
            milestone_type=milestone_type,
            sequence=index,
            weight=milestone_type.default_weight,
        )
        for index, milestone_type in enumerate(
            MilestoneType.objects.order_by("default_sequence"), 1
        )
    ]
    return bulk_create_with_history(nodes, ProjectMilestone)


def building_milestones_create(
    *, buildings: Iterable[Building], by=None
) -> list[BuildingMilestone]:
    """One node per template entry for each building that lacks it."""
    buildings = list(buildings)
    if not buildings:
        return []
    project_ids = {building.project_id for building in buildings}
    template: dict[int, list[int]] = {project_id: [] for project_id in project_ids}
    for project_id, type_id in ProjectMilestone.objects.filter(
        project_id__in=project_ids
    ).values_list("project_id", "milestone_type_id"):
        template[project_id].append(type_id)
    existing = set(
        BuildingMilestone.objects.filter(building__in=buildings).values_list(
            "building_id", "milestone_type_id"
        )
    )
    nodes = [
        BuildingMilestone(building=building, milestone_type_id=type_id, updated_by=by)
        for building in buildings
        for type_id in template[building.project_id]
        if (building.pk, type_id) not in existing
    ]
    return bulk_create_with_history(nodes, BuildingMilestone, batch_size=500, default_user=by)


def buildings_progress_refresh(*, buildings: Iterable[Building]) -> None:
    """Recompute each building's progress % and current stage from its nodes.

    Progress is the template-weighted mean of the nodes' percentages; the current stage is the
    first node, in template order, that is not complete (none when all are).
    """
    buildings = list(buildings)
    if not buildings:
        return
    project_ids = {building.project_id for building in buildings}
    template: dict[int, list[ProjectMilestone]] = {project_id: [] for project_id in project_ids}
    for node in ProjectMilestone.objects.filter(project_id__in=project_ids).order_by("sequence"):
        template[node.project_id].append(node)
    percents: dict[int, dict[int, int]] = {building.pk: {} for building in buildings}
    for building_id, type_id, percent in BuildingMilestone.objects.filter(
        building__in=buildings
    ).values_list("building_id", "milestone_type_id", "percent"):
        percents[building_id][type_id] = percent
    changed = []
    for building in buildings:
        nodes = template[building.project_id]
        progress, current = _progress(nodes, percents[building.pk])
        if progress != building.progress or current != building.current_milestone_id:
            building.progress = progress
            building.current_milestone_id = current
            changed.append(building)
    if changed:
        with transaction.atomic():
            bulk_update_with_history(
                changed, Building, ["progress", "current_milestone"], batch_size=500
            )


def _progress(
    nodes: list[ProjectMilestone], percents: dict[int, int]
) -> tuple[Decimal, int | None]:
    total_weight = sum((node.weight for node in nodes), Decimal(0))
    if not total_weight:
        return Decimal("0.00"), None
    done = sum(
        (node.weight * percents.get(node.milestone_type_id, 0) for node in nodes), Decimal(0)
    )
    current = next(
        (node.milestone_type_id for node in nodes if percents.get(node.milestone_type_id, 0) < 100),
        None,
    )
    return (done / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), current


MILESTONE_FIELDS = (
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "percent",
    "note",
)


def building_milestones_record(
    *,
    changes: Sequence[tuple[BuildingMilestone, Mapping[str, object]]],
    by=None,
    reason: str = "",
) -> list[BuildingMilestone]:
    """Apply new values to many nodes at once: all pass the rules and are saved, or none.

    Each node's building then gets its progress and current stage recomputed.
    """
    errors: list[str] = []
    now = timezone.now()
    for milestone, values in changes:
        unknown = set(values) - set(MILESTONE_FIELDS)
        if unknown:
            raise ValueError(f"not milestone fields: {sorted(unknown)}")
        for name, value in values.items():
            setattr(milestone, name, value)
        problems = milestone_check(
            **{name: getattr(milestone, name) for name in MILESTONE_FIELDS[:5]}
        )
        for messages in problems.values():
            errors += [
                f"{milestone.building} {milestone.milestone_type}: {message}"
                for message in messages
            ]
        milestone.updated_by = by
        milestone.updated_at = now
    if errors:
        raise ValidationError(errors)
    milestones = [milestone for milestone, _values in changes]
    with transaction.atomic():
        bulk_update_with_history(
            milestones,
            BuildingMilestone,
            [*MILESTONE_FIELDS, "updated_by", "updated_at"],
            batch_size=500,
            default_user=by,
            default_change_reason=reason or None,
        )
        buildings = {milestone.building_id: milestone.building for milestone in milestones}
        buildings_progress_refresh(buildings=buildings.values())
    return milestones
