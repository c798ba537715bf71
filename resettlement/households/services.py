"""Writes to households. Views, the API, the import and the demo loader all come through here."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from resettlement.accounts.models import User
from resettlement.database import planner_statistics_refresh
from resettlement.history import history_author_set
from resettlement.households.lifecycle import (
    household_sign,
    households_initial,
    households_order_numbered,
)
from resettlement.households.models import (
    CompensationMode,
    Household,
    HouseholdStatus,
    Member,
)
from resettlement.households.validation import (
    HOUSEHOLD_FIELDS,
    HouseholdData,
    household_conflicts,
)
from resettlement.projects.models import Project


def households_create(
    *, project: Project, records: Sequence[HouseholdData], by: User | None = None, reason: str = ""
) -> list[Household]:
    """Store cleaned, conflict-free records with their members in one transaction."""
    households = [Household(project=project, **data.model_fields()) for data in records]
    households_initial(households)
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
    if len(created) >= BULK_ANALYZE_ROWS:
        # A register of thousands: the planner learns the table's new size now, not when
        # autovacuum gets there (until then, every list page sorted the whole table).
        planner_statistics_refresh(Household, Member)
    return created


BULK_ANALYZE_ROWS = 1000


def household_create(*, project: Project, data: HouseholdData, by: User | None = None) -> Household:
    conflicts = household_conflicts(project, [data])
    if conflicts:
        raise ValidationError(conflicts[0])
    return households_create(project=project, records=[data], by=by)[0]


def household_update(
    *, household: Household, data: HouseholdData, by: User | None = None
) -> Household:
    """Change the agreement details of a household (its members are kept as they are). The
    same details again change nothing and write nothing (no audit row, no new updated_at)."""
    conflicts = household_conflicts(household.project, [data], exclude_pk=household.pk)
    if conflicts:
        raise ValidationError(conflicts[0])
    with transaction.atomic():
        # Its status and selection order as stored now (a desk may have moved it since the
        # form was loaded): an edit writes the agreement details only.
        household.refresh_from_db(
            fields=["status", "selection_order"],
            from_queryset=Household.objects.select_for_update(),
        )
        fields = data.model_fields()
        stored = Household.objects.filter(pk=household.pk).values(*fields).get()
        if stored == fields:  # compared with the database: a ModelForm has set them already
            return household
        for name, value in fields.items():
            setattr(household, name, value)
        history_author_set(household, by=by)
        household.save(update_fields=[*HOUSEHOLD_FIELDS, "updated_at"])
        if household.can_sign and data.signed_on:
            household_sign(household=household, by=by)
    return household


def selection_order_from_signing(*, project: Project, by: User | None = None) -> list[Household]:
    """Order of choice by signing date (先签先选): signed households that will receive a flat
    get numbers 1..N by signing date, then agreement number, and move to "order assigned"."""
    households = (
        Household.objects.filter(project=project, status=HouseholdStatus.SIGNED)
        .exclude(compensation_mode=CompensationMode.CASH)
        .order_by("signed_on", "agreement_no")
    )
    return households_order_numbered(
        households, by=by, reason=gettext("selection order by signing date")
    )
