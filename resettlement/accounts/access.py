"""Who may do what, and on which projects. Every view, endpoint and command asks here.

A capability is granted to roles. Administrators and leaders hold their capabilities on every
project; the other roles only on the projects assigned to them (User.projects).
"""

import enum
import functools
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from resettlement.accounts.models import Role, User
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


def _roles_named(names, is_superuser: bool) -> frozenset[Role]:
    roles = frozenset(Role(name) for name in names if name in Role.values)
    return roles | {Role.ADMIN} if is_superuser else roles


def roles_of(user) -> frozenset[Role]:
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = user._roles_cache = _roles_named(names, user.is_superuser)
    return cached


def assigned_project_ids(user) -> frozenset[int]:
    cached = getattr(user, "_project_ids_cache", None)
    if cached is None:
        cached = frozenset(user.projects.values_list("pk", flat=True))
        user._project_ids_cache = cached
    return cached


_USER_SQL = """SELECT {columns},
    {listed_names} AS access_role_names, {listed_ids} AS access_project_ids
    FROM {users} u WHERE u.id = %s"""
_ROLE_NAMES = """SELECT g.name AS v FROM {groups} g
    JOIN {user_groups} t ON t.{group_id} = g.id WHERE t.{groups_user_id} = u.id"""
_PROJECT_IDS = "SELECT t.{project_id} AS v FROM {user_projects} t WHERE t.{projects_user_id} = u.id"
_LISTED = {"postgresql": "ARRAY({})", "sqlite": "(SELECT group_concat(v, ',') FROM ({}))"}


@functools.cache
def _user_sql(vendor: str) -> str:
    """A user's row with the names of its groups and the ids of its assigned projects: each a
    PostgreSQL array, or SQLite's values joined by commas (NULL when there are none). Table and
    column names only are put in."""
    user = User._meta
    groups: Any = user.get_field("groups")
    projects: Any = user.get_field("projects")
    names = {
        "columns": ", ".join(f"u.{field.column}" for field in user.concrete_fields),
        "users": user.db_table,
        "groups": Group._meta.db_table,
        "user_groups": groups.m2m_db_table(),
        "group_id": groups.m2m_reverse_name(),
        "groups_user_id": groups.m2m_column_name(),
        "user_projects": projects.m2m_db_table(),
        "project_id": projects.m2m_reverse_name(),
        "projects_user_id": projects.m2m_column_name(),
    }
    listed = _LISTED[vendor]
    return _USER_SQL.format(
        listed_names=listed.format(_ROLE_NAMES.format(**names)),
        listed_ids=listed.format(_PROJECT_IDS.format(**names)),
        **names,
    )


def _listed(value) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else value.split(",")


def user_with_access(pk) -> User | None:
    """The user with this primary key, read with its role names and assigned project ids in
    one statement written as SQL, so that a request's `roles_of` and `assigned_project_ids`
    ask nothing more: every signed-in request reads its user, and composing that in the ORM
    cost more than the answer. None when there is no such user."""
    if connection.vendor not in _LISTED:
        return User.objects.filter(pk=pk).first()
    user: Any
    for user in User.objects.raw(_user_sql(connection.vendor), [pk]):
        user._roles_cache = _roles_named(_listed(user.access_role_names), user.is_superuser)
        user._project_ids_cache = frozenset(
            int(value) for value in _listed(user.access_project_ids)
        )
        return user
    return None


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
