"""Milestone templates, node updates under the project rules, and the progress derived from them."""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.housing.models import Building
from resettlement.progress.models import (
    BuildingMilestone,
    MilestoneException,
    MilestoneRole,
    MilestoneType,
    ProjectMilestone,
)
from resettlement.progress.photos import milestone_photos_add, photo_prepare
from resettlement.progress.validation import milestone_check, sequence_check
from resettlement.projects.models import Project

ERROR_REASON_REQUIRED = _("Give the reason for the exception.")
ERROR_ALREADY_COMPLETE = _("%(node)s is already complete; an exception is not needed.")
ERROR_NO_BUILDINGS = _("Choose at least one building.")
ERROR_TEMPLATE_EMPTY = _("A template needs at least one node.")
ERROR_TEMPLATE_DUPLICATE = _("%(node)s appears twice in the template.")
ERROR_TEMPLATE_IN_USE = _(
    "%(node)s cannot leave the template: buildings have recorded progress on it (%(buildings)s)."
)
ERROR_TEMPLATE_LEGAL_ORDER = _("Delivery must come after completion acceptance.")
ERROR_NODE_NAME_TAKEN = _("A node named %(name)s already exists.")

MILESTONE_FIELDS = (
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "percent",
    "note",
)
_CHECKED_FIELDS = MILESTONE_FIELDS[:5]


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
    *, buildings: Iterable[Building], by: User | None = None
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
    now = timezone.now()
    for building in buildings:
        progress, current = weighted_progress(template[building.project_id], percents[building.pk])
        if progress != building.progress or current != building.current_milestone_id:
            building.progress = progress
            building.current_milestone_id = current
            building.updated_at = now
            changed.append(building)
    if changed:
        with transaction.atomic():
            bulk_update_with_history(
                changed,
                Building,
                ["progress", "current_milestone", "updated_at"],
                batch_size=500,
            )


def weighted_progress(
    nodes: list[ProjectMilestone], percents: dict[int, int]
) -> tuple[Decimal, int | None]:
    """(progress %, the first node not complete) of a building whose nodes stand at `percents`
    (milestone type id → percent), weighted by its project's template `nodes`."""
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


def building_milestones_record(
    *,
    changes: Sequence[tuple[BuildingMilestone, Mapping[str, object]]],
    by: User | None = None,
    reason: str = "",
) -> list[BuildingMilestone]:
    """Apply new values to many nodes at once: all pass the rules and are saved, or none.

    The rules: each node's own values (milestone_check), and across each building's nodes
    (sequence_check: in order unless excepted; delivery only after completion acceptance).
    Each building then gets its progress and current stage recomputed. A node whose stored
    values are already these is left alone: a save that changes nothing writes nothing (no
    audit row, no new updated_at).
    """
    errors: list[str] = []
    now = timezone.now()
    stored = {
        row["pk"]: row
        for row in BuildingMilestone.objects.filter(
            pk__in=[milestone.pk for milestone, _values in changes]
        ).values("pk", *MILESTONE_FIELDS)
    }
    milestones = []
    for milestone, values in changes:
        unknown = set(values) - set(MILESTONE_FIELDS)
        if unknown:
            raise ValueError(f"not milestone fields: {sorted(unknown)}")
        if all(stored[milestone.pk][name] == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(milestone, name, value)
        problems = milestone_check(**{name: getattr(milestone, name) for name in _CHECKED_FIELDS})
        errors += _labelled(milestone, itertools.chain.from_iterable(problems.values()))
        milestone.updated_by = by
        milestone.updated_at = now
        milestones.append(milestone)
    if not milestones:
        return [milestone for milestone, _values in changes]
    errors += _sequence_errors(milestones)
    if errors:
        raise ValidationError(errors)
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
        # Planned dates change lateness without changing progress.
        Building.objects.filter(pk__in=buildings).touch()
    return [milestone for milestone, _values in changes]


def _labelled(milestone: BuildingMilestone, messages: Iterable[str]) -> list[str]:
    return [f"{milestone.building} {milestone.milestone_type}：{message}" for message in messages]


def _sequence_errors(changed: list[BuildingMilestone]) -> list[str]:
    """sequence_check for every building touched, with the pending values in place."""
    pending = {milestone.pk: milestone for milestone in changed}
    building_ids = {milestone.building_id for milestone in changed}
    # Each project has its own template order.
    order = {
        (project_id, type_id): sequence
        for project_id, type_id, sequence in ProjectMilestone.objects.filter(
            project__buildings__in=building_ids
        ).values_list("project_id", "milestone_type_id", "sequence")
    }
    excepted = set(
        MilestoneException.objects.filter(milestone__building__in=building_ids).values_list(
            "milestone_id", flat=True
        )
    )
    by_building: dict[int, list[BuildingMilestone]] = defaultdict(list)
    stored = BuildingMilestone.objects.filter(building__in=building_ids).select_related(
        "milestone_type", "building"
    )
    for node in stored:
        if (node.building.project_id, node.milestone_type_id) in order:
            by_building[node.building_id].append(pending.get(node.pk, node))
    errors = []
    for nodes in by_building.values():
        nodes.sort(key=lambda node: order[(node.building.project_id, node.milestone_type_id)])
        changed_here = {node.pk for node in nodes if node.pk in pending}
        building = nodes[0].building
        errors += [
            f"{building}：{problem}"
            for problem in sequence_check(nodes, changed=changed_here, excepted=excepted)
        ]
    return errors


def milestone_exception_record(
    *, milestone: BuildingMilestone, reason: str, by: User | None
) -> MilestoneException:
    """Allow a node to be completed before the nodes ahead of it (a supervisor's decision)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [str(ERROR_REASON_REQUIRED)]})
    if milestone.percent == 100:
        raise ValidationError(ERROR_ALREADY_COMPLETE % {"node": milestone.milestone_type.name})
    exception = MilestoneException(milestone=milestone, reason=reason, approved_by=by)
    history_author_set(exception, by=by)
    exception.save()
    return exception


def milestone_bulk_set(
    *,
    project: Project,
    milestone_type: MilestoneType,
    buildings: Iterable[Building],
    values: Mapping[str, object],
    by: User | None = None,
) -> list[BuildingMilestone]:
    """Set one node to the same values on many buildings, in one atomic step.

    An `actual_start` is written only where a building's node has none yet, so a bulk
    "topped out on 5 May" keeps each building's own start date.
    """
    milestones = list(
        BuildingMilestone.objects.filter(
            building__in=buildings,  # a queryset stays a subquery, however many buildings
            building__project=project,
            milestone_type=milestone_type,
        ).select_related("building", "milestone_type")
    )
    if not milestones:
        raise ValidationError(ERROR_NO_BUILDINGS)
    changes = []
    for milestone in milestones:
        own = dict(values)
        if own.get("actual_start") and milestone.actual_start:
            own.pop("actual_start")
        changes.append((milestone, own))
    return building_milestones_record(
        changes=changes, by=by, reason=str(_("bulk update of %(node)s")) % {"node": milestone_type}
    )


@dataclass(frozen=True)
class TemplateNode:
    milestone_type: MilestoneType
    weight: Decimal


def milestone_type_create(
    *, name: str, phase: str, weight: Decimal, by: User | None = None
) -> MilestoneType:
    """A node a project needs beyond the default sequence (e.g. 人防专项验收)."""
    name = name.strip()
    if MilestoneType.objects.filter(name=name).exists():
        raise ValidationError(ERROR_NODE_NAME_TAKEN % {"name": name})
    base = slugify(name, allow_unicode=False) or "node"
    code = f"custom-{base}-{MilestoneType.objects.count() + 1}"
    last = MilestoneType.objects.order_by("-default_sequence").first()
    milestone_type = MilestoneType(
        code=code,
        name=name,
        phase=phase,
        default_weight=weight,
        default_sequence=(last.default_sequence + 1) if last else 1,
    )
    milestone_type.full_clean()
    history_author_set(milestone_type, by=by)
    milestone_type.save()
    return milestone_type


def milestone_template_update(
    *, project: Project, nodes: Sequence[TemplateNode], by: User | None = None
) -> list[ProjectMilestone]:
    """Replace a project's ordered template. Buildings gain nodes that were added, lose nodes
    that were removed (refused while any building has progress on them), and every building's
    progress is recomputed with the new order and weights. The same nodes in the same order
    with the same weights change nothing, and write nothing."""
    if not nodes:
        raise ValidationError(ERROR_TEMPLATE_EMPTY)
    current = ProjectMilestone.objects.filter(project=project).order_by("sequence")
    if list(current.values_list("milestone_type_id", "weight")) == [
        (node.milestone_type.pk, node.weight) for node in nodes
    ]:
        return list(current)
    seen = set()
    for node in nodes:
        if node.milestone_type.pk in seen:
            raise ValidationError(ERROR_TEMPLATE_DUPLICATE % {"node": node.milestone_type.name})
        seen.add(node.milestone_type.pk)
    roles = [node.milestone_type.role for node in nodes]
    if (
        MilestoneRole.DELIVERY in roles
        and MilestoneRole.COMPLETION_ACCEPTANCE in roles
        and roles.index(MilestoneRole.DELIVERY) < roles.index(MilestoneRole.COMPLETION_ACCEPTANCE)
    ):
        raise ValidationError(ERROR_TEMPLATE_LEGAL_ORDER)
    removed = ProjectMilestone.objects.filter(project=project).exclude(milestone_type__in=seen)
    removed_types = [node.milestone_type for node in removed.select_related("milestone_type")]
    for milestone_type in removed_types:
        used = BuildingMilestone.objects.filter(
            building__project=project, milestone_type=milestone_type
        ).exclude(percent=0, actual_start=None, actual_finish=None)
        codes = list(used.values_list("building__code", flat=True)[:5])
        if codes:
            params = {"node": milestone_type.name, "buildings": "、".join(codes)}
            raise ValidationError(ERROR_TEMPLATE_IN_USE % params)
    buildings = list(Building.objects.filter(project=project))
    with transaction.atomic():
        for stale in ProjectMilestone.objects.filter(project=project):
            history_author_set(stale, by=by)
            stale.delete()
        BuildingMilestone.objects.filter(
            building__project=project, milestone_type__in=removed_types
        ).delete()
        created = bulk_create_with_history(
            [
                ProjectMilestone(
                    project=project,
                    milestone_type=node.milestone_type,
                    sequence=sequence,
                    weight=node.weight,
                )
                for sequence, node in enumerate(nodes, start=1)
            ],
            ProjectMilestone,
            default_user=by,
        )
        building_milestones_create(buildings=buildings, by=by)
        buildings_progress_refresh(buildings=buildings)
        Building.objects.filter(project=project).touch()
    return created


def milestone_update(
    *,
    milestone: BuildingMilestone,
    values: Mapping[str, object],
    uploads: Sequence = (),
    caption: str = "",
    by: User | None = None,
) -> BuildingMilestone:
    """One node's new values and evidence photos, from the phone page or the API: the photos
    are checked first, then values and photos are stored together or not at all."""
    prepared = [photo_prepare(upload) for upload in uploads]
    with transaction.atomic():
        building_milestones_record(changes=[(milestone, values)], by=by)
        milestone_photos_add(milestone=milestone, photos=prepared, caption=caption, by=by)
    return milestone
