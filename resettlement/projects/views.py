import functools
import hashlib
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from resettlement.accounts.access import Capability, project_or_404, projects_where, user_can
from resettlement.households.models import Household, HouseholdStatus
from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.progress.models import BuildingMilestone, MilestoneType, ProjectMilestone
from resettlement.progress.timeline import building_delays
from resettlement.projects.models import Project, StreetOffice, Village


@login_required
def home(request):
    projects = (
        _with_summary(projects_where(request.user), timezone.localdate())
        .select_related("street_office")
        .prefetch_related("villages")
    )
    return render(request, "projects/home.html", {"projects": projects, "nav": "projects"})


def _with_summary(projects, today):
    """Counts, mean progress and delayed buildings (an open node past its planned finish
    on `today`) per project, as subqueries (joins would multiply rows)."""

    def count(queryset, project_path: str):
        rows = (
            queryset.filter(**{project_path: models.OuterRef("pk")})
            .order_by()
            .values(project_path)
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return Coalesce(models.Subquery(rows), 0)

    mean_progress = (
        Building.objects.filter(project=models.OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(mean=models.Avg("progress"))
        .values("mean")
    )
    delayed = (
        BuildingMilestone.objects.filter(
            building__project=models.OuterRef("pk"),
            percent__lt=100,
            planned_finish__lt=today,
        )
        .order_by()
        .values("building__project")
        .annotate(n=models.Count("building", distinct=True))
        .values("n")
    )
    return projects.annotate(
        building_count=count(Building.objects.all(), "project"),
        flat_count=count(Flat.objects.all(), "building__project"),
        household_count=count(Household.objects.all(), "project"),
        mean_progress=models.Subquery(mean_progress),
        delayed_count=Coalesce(models.Subquery(delayed), 0),
    )


@login_required
def project_dashboard(request, code: str):
    project = project_or_404(request.user, code)
    today = timezone.localdate()
    can_view_households = user_can(request.user, Capability.VIEW_HOUSEHOLDS, project)
    # The figures and tables below the header, and the header's line of places: rendered once
    # per change of the data behind them (and per day, language and whether households are
    # shown), then read from the cache.
    state = (project.pk, today, get_language(), can_view_households, *_figures_version(project))
    key = "dashboard:" + hashlib.sha256(repr(state).encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        context = _figures(project, today, can_view_households)
        figures = render_to_string("projects/_dashboard_figures.html", context, request=request)
        villages = "、".join(village.name for village in project.villages.only("name"))
        kept = (f"{project.code} · {project.street_office} · {villages}", figures)
        cache.set(key, kept, FIGURES_KEEP_SECONDS)
    subtitle, figures = kept
    can_manage = user_can(request.user, Capability.MANAGE_HOUSEHOLDS, project) or user_can(
        request.user, Capability.MANAGE_FLATS, project
    )
    context = {
        "project": project,
        "nav": "projects",
        "subtitle": subtitle,
        "figures": mark_safe(figures),  # noqa: S308 (our own template's output, escaped there)
        "can_edit_milestones": user_can(request.user, Capability.EDIT_MILESTONES, project),
        "can_edit_template": user_can(request.user, Capability.EDIT_MILESTONE_TEMPLATE, project),
        "can_manage_geometry": user_can(request.user, Capability.MANAGE_GEOMETRY, project),
        "can_view_reports": user_can(request.user, Capability.VIEW_REPORTS, project),
        "can_view_households": can_view_households,
        "can_manage": can_manage,
    }
    return render(request, "projects/dashboard.html", context)


FIGURES_KEEP_SECONDS = 600

# Every change of what the dashboard shows writes a history row in one of these tables (the
# services and lifecycles do), or touches a building (flats added or removed) or a flat's
# status_changed_at (a selection, a handover).
_HISTORIES = (
    Household,
    Building,
    BuildingMilestone,
    Flat,
    ProjectMilestone,
    MilestoneType,
    Project,
    Village,
    StreetOffice,
)


def _figures_version(project) -> tuple:
    """What changes whenever the dashboard's figures could: the latest history row of each
    model shown, the project's latest building change and the latest flat status change. One
    statement of index lookups (a few tenths of a millisecond)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_statement(), [project.pk])
        return cursor.fetchone()


@functools.cache
def _version_statement() -> str:
    quote = connection.ops.quote_name
    histories = [quote(model.history.model._meta.db_table) for model in _HISTORIES]
    parts = [f"(SELECT MAX(history_id) FROM {table})" for table in histories]  # noqa: S608
    buildings, flats = quote(Building._meta.db_table), quote(Flat._meta.db_table)
    parts.append(f"(SELECT MAX(updated_at) FROM {buildings} WHERE project_id = %s)")  # noqa: S608
    parts.append(f"(SELECT MAX(status_changed_at) FROM {flats})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def _figures(project, today, can_view_households: bool) -> dict:
    buildings = list(
        Building.objects.for_project(project)
        .with_flat_counts()
        .with_phase()
        .select_related("village", "current_milestone")
        .defer("footprint", "village__boundary")
    )
    delays = building_delays(buildings, today)
    for building in buildings:
        building.delays = delays.get(building.pk, [])
        building.days_late = building.delays[0].days if building.delays else 0
    buildings.sort(key=lambda building: -building.days_late)  # delayed first, worst first
    flats = Flat.objects.for_project(project)
    flat_counts = dict(flats.values_list("status").annotate(n=Count("pk")).order_by())
    context = {
        "project": project,
        "buildings": buildings,
        "delayed": [building for building in buildings if building.days_late],
        "today": today,
        "stages": _stages(project, buildings),
        "flat_statuses": [(status, flat_counts.get(status.value, 0)) for status in FlatStatus],
        "flat_total": sum(flat_counts.values()),
        "flats_handed_over": flat_counts.get(FlatStatus.HANDED_OVER, 0),
        "flats_to_hand_over": flat_counts.get(FlatStatus.SELECTED, 0),
        "flat_area": flats.aggregate(total=Sum("gross_area"))["total"],
        "layouts": _layout_table(flats),
        "can_view_households": can_view_households,
    }
    if can_view_households:
        households = Household.objects.for_project(project)
        counts = dict(households.values_list("status").annotate(n=Count("pk")).order_by())
        context.update(
            household_total=sum(counts.values()),
            household_statuses=[
                (status, counts.get(status.value, 0)) for status in HouseholdStatus
            ],
            entitled_area=households.aggregate(total=Sum("entitled_area"))["total"],
        )
    return context


def _stages(project, buildings: list[Building]) -> list[tuple[str | None, list[Building]]]:
    """Buildings grouped by current stage, in template order; finished buildings last (each
    group keeps the buildings in code order)."""
    sequence = dict(
        ProjectMilestone.objects.filter(project=project).values_list(
            "milestone_type_id", "sequence"
        )
    )
    groups: dict[object, list[Building]] = {}
    for building in sorted(buildings, key=lambda building: building.sort_key):
        groups.setdefault(building.current_milestone, []).append(building)
    ordered = sorted(
        groups.items(),
        key=lambda item: (item[0] is None, sequence.get(item[0].pk, 0) if item[0] else 0),
    )
    return [(stage.name if stage else None, members) for stage, members in ordered]


def _layout_table(flats) -> list[dict]:
    rows: dict[str, Counter] = {}
    for layout, status, count in (
        flats.values_list("layout", "status").annotate(n=Count("pk")).order_by("layout")
    ):
        rows.setdefault(layout, Counter())[status] += count
    return [
        {
            "layout": layout,
            "total": sum(counter.values()),
            "available": counter[FlatStatus.AVAILABLE],
            "taken": counter[FlatStatus.SELECTED] + counter[FlatStatus.HANDED_OVER],
        }
        for layout, counter in rows.items()
    ]
