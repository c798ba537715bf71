"""Who may do what, and on which projects. Every view, endpoint and command asks here.

A capability is granted to roles. Administrators and leaders hold their capabilities on every
project; the other roles only on the projects assigned to them (User.projects).
"""

import enum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from resettlement.accounts.models import Role
from resettlement.projects.models import Project


class Capability(enum.StrEnum):
    VIEW_PROJECT = "view_project"
    VIEW_HOUSEHOLDS = "view_households"
    VIEW_PERSONAL_DATA = "view_personal_data"
    MANAGE_HOUSEHOLDS = "manage_households"
    MANAGE_FLATS = "manage_flats"
    EDIT_MILESTONES = "edit_milestones"
    APPROVE_MILESTONE_EXCEPTIONS = "approve_milestone_exceptions"
    EDIT_MILESTONE_TEMPLATE = "edit_milestone_template"
    MANAGE_GEOMETRY = "manage_geometry"
    RUN_DESK = "run_desk"
    MANAGE_SELECTION = "manage_selection"
    RUN_HANDOVER = "run_handover"
    MANAGE_HANDOVER = "manage_handover"
    RECORD_DEFECT_FIXES = "record_defect_fixes"
    EXPORT = "export"
    VIEW_REPORTS = "view_reports"
    ADMINISTER = "administer"


_EVERY_ROLE = frozenset(Role)
_CONSTRUCTION = frozenset({Role.ADMIN, Role.PROJECT_TEAM, Role.PROJECT_SUPERVISOR})
GRANTS: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_PROJECT: _EVERY_ROLE,
    # Construction teams work on buildings; they have no need for household records.
    Capability.VIEW_HOUSEHOLDS: frozenset(
        {Role.ADMIN, Role.LEADER, Role.SELECTION_CLERK, Role.SELECTION_SUPERVISOR}
    ),
    # Full ID and phone numbers: only those who verify identities and correct the register.
    Capability.VIEW_PERSONAL_DATA: frozenset({Role.ADMIN, Role.SELECTION_SUPERVISOR}),
    Capability.MANAGE_HOUSEHOLDS: frozenset({Role.ADMIN, Role.SELECTION_SUPERVISOR}),
    Capability.MANAGE_FLATS: _CONSTRUCTION | {Role.SELECTION_SUPERVISOR},
    Capability.EDIT_MILESTONES: _CONSTRUCTION,
    # Completing a node out of order, and the template itself, are a supervisor's decision.
    Capability.APPROVE_MILESTONE_EXCEPTIONS: frozenset({Role.ADMIN, Role.PROJECT_SUPERVISOR}),
    Capability.EDIT_MILESTONE_TEMPLATE: frozenset({Role.ADMIN, Role.PROJECT_SUPERVISOR}),
    Capability.MANAGE_GEOMETRY: _CONSTRUCTION,
    # Selection day: clerks run desks; supervisors run lotteries, events, voids and swaps.
    Capability.RUN_DESK: frozenset({Role.ADMIN, Role.SELECTION_CLERK, Role.SELECTION_SUPERVISOR}),
    Capability.MANAGE_SELECTION: frozenset({Role.ADMIN, Role.SELECTION_SUPERVISOR}),
    # Handover: clerks run the day's desk, inspections and handovers, and print; supervisors
    # open batches, set slots, give appointments and undo a handover. Contractors' teams record
    # defects fixed (the household accepts the fix at a desk).
    Capability.RUN_HANDOVER: frozenset(
        {Role.ADMIN, Role.SELECTION_CLERK, Role.SELECTION_SUPERVISOR}
    ),
    Capability.MANAGE_HANDOVER: frozenset({Role.ADMIN, Role.SELECTION_SUPERVISOR}),
    Capability.RECORD_DEFECT_FIXES: _CONSTRUCTION
    | {Role.SELECTION_CLERK, Role.SELECTION_SUPERVISOR},
    Capability.EXPORT: frozenset({Role.ADMIN, Role.LEADER}),
    # Progress reports: leaders for every project; project teams and supervisors for their own.
    # Desk clerks serve households and have no report to give.
    Capability.VIEW_REPORTS: _CONSTRUCTION | {Role.LEADER, Role.SELECTION_SUPERVISOR},
    Capability.ADMINISTER: frozenset({Role.ADMIN}),
}
GLOBAL_ROLES = frozenset({Role.ADMIN, Role.LEADER})


def roles_of(user) -> frozenset[Role]:
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(Role(name) for name in names if name in Role.values)
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._roles_cache = cached
    return cached


def assigned_project_ids(user) -> frozenset[int]:
    cached = getattr(user, "_project_ids_cache", None)
    if cached is None:
        cached = frozenset(user.projects.values_list("pk", flat=True))
        user._project_ids_cache = cached
    return cached


def user_can(user, capability: Capability, project: Project | None = None) -> bool:
    """Whether the user holds the capability; on the given project, or on some project."""
    roles = roles_of(user) & GRANTS[capability]
    if not roles:
        return False
    if project is None or roles & GLOBAL_ROLES:
        return True
    return project.pk in assigned_project_ids(user)


def projects_where(user, capability: Capability = Capability.VIEW_PROJECT) -> QuerySet[Project]:
    roles = roles_of(user) & GRANTS[capability]
    if not roles:
        return Project.objects.none()
    if roles & GLOBAL_ROLES:
        return Project.objects.all()
    return Project.objects.filter(pk__in=assigned_project_ids(user))


def project_ids_where(user, capability: Capability) -> frozenset[int] | None:
    """Project ids the capability covers, or None when it covers every project."""
    roles = roles_of(user) & GRANTS[capability]
    if not roles:
        return frozenset()
    if roles & GLOBAL_ROLES:
        return None
    return assigned_project_ids(user)


def require(user, capability: Capability, project: Project | None = None) -> None:
    if not user_can(user, capability, project):
        raise PermissionDenied


def project_or_404(user, code: str, capability: Capability = Capability.VIEW_PROJECT) -> Project:
    """The project with this code if the user may see it (else 404), holding the capability
    on it (else 403)."""
    project = get_object_or_404(projects_where(user), code=code)
    require(user, capability, project)
    return project
