"""Writes to households. Views, the API, the import and the demo loader all come through here."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from resettlement.households.models import (
    CompensationMode,
    Household,
    HouseholdStatus,
    Member,
)
from resettlement.households.validation import HouseholdData, household_conflicts
from resettlement.projects.models import Project

ERROR_TRANSITION = _("A household cannot go from “%(current)s” to “%(target)s”.")

# The lifecycle in domain order; the backward steps undo a selection that was voided.
TRANSITIONS: dict[str, frozenset[str]] = {
    HouseholdStatus.REGISTERED: frozenset({HouseholdStatus.SIGNED}),
    HouseholdStatus.SIGNED: frozenset({HouseholdStatus.ORDERED, HouseholdStatus.ALLOCATED}),
    HouseholdStatus.ORDERED: frozenset({HouseholdStatus.ALLOCATED, HouseholdStatus.SIGNED}),
    HouseholdStatus.ALLOCATED: frozenset(
        {HouseholdStatus.NOTIFIED, HouseholdStatus.ORDERED, HouseholdStatus.SIGNED}
    ),
    HouseholdStatus.NOTIFIED: frozenset({HouseholdStatus.HANDED_OVER}),
    HouseholdStatus.HANDED_OVER: frozenset({HouseholdStatus.CERTIFIED}),
    HouseholdStatus.CERTIFIED: frozenset(),
}


def initial_status(data: HouseholdData) -> str:
    return HouseholdStatus.SIGNED if data.signed_on else HouseholdStatus.REGISTERED


def households_create(
    *, project: Project, records: Sequence[HouseholdData], by=None, reason: str = ""
) -> list[Household]:
    """Store cleaned, conflict-free records with their members in one transaction."""
    households = [
        Household(project=project, status=initial_status(data), **data.model_fields())
        for data in records
    ]
    with transaction.atomic():
        created = bulk_create_with_history(
            households,
            Household,
            batch_size=500,
            default_user=by,
            default_change_reason=reason or None,
        )
        members = [
            Member(household=household, **vars(member))
            for household, data in zip(created, records, strict=True)
            for member in data.members
        ]
        if members:
            bulk_create_with_history(
                members,
                Member,
                batch_size=500,
                default_user=by,
                default_change_reason=reason or None,
            )
    return created


def household_create(*, project: Project, data: HouseholdData, by=None) -> Household:
    conflicts = household_conflicts(project, [data])
    if conflicts:
        raise ValidationError(conflicts[0])
    return households_create(project=project, records=[data], by=by)[0]


def household_update(*, household: Household, data: HouseholdData, by=None) -> Household:
    """Change the agreement details of a household (its members are kept as they are). The
    same details again change nothing and write nothing (no audit row, no new updated_at)."""
    conflicts = household_conflicts(household.project, [data], exclude_pk=household.pk)
    if conflicts:
        raise ValidationError(conflicts[0])
    fields = data.model_fields()
    stored = Household.objects.filter(pk=household.pk).values(*fields).get()
    if stored == fields:  # compared with the database: a ModelForm has set them on the instance
        return household
    for name, value in fields.items():
        setattr(household, name, value)
    if household.status == HouseholdStatus.REGISTERED and data.signed_on:
        household.status = HouseholdStatus.SIGNED
    household._history_user = by
    household.save()
    return household


def household_transition(
    *, household: Household, target: str, by=None, reason: str = ""
) -> Household:
    if target not in TRANSITIONS[household.status]:
        raise ValidationError(
            ERROR_TRANSITION,
            code="transition",
            params={
                "current": household.get_status_display(),
                "target": HouseholdStatus(target).label,
            },
        )
    household.status = target
    household._history_user = by
    household._change_reason = reason
    household.save(update_fields=["status", "updated_at"])
    return household


def selection_order_from_signing(*, project: Project, by=None) -> list[Household]:
    """Order of choice by signing date (先签先选): signed households that will receive a flat
    get numbers 1..N by signing date, then agreement number, and move to "order assigned"."""
    households = list(
        Household.objects.filter(project=project, status=HouseholdStatus.SIGNED)
        .exclude(compensation_mode=CompensationMode.CASH)
        .order_by("signed_on", "agreement_no")
    )
    for number, household in enumerate(households, start=1):
        household.selection_order = number
        household.status = HouseholdStatus.ORDERED
    with transaction.atomic():
        bulk_update_with_history(
            households,
            Household,
            ["selection_order", "status"],
            batch_size=500,
            default_user=by,
            default_change_reason=gettext("selection order by signing date"),
        )
    return households
