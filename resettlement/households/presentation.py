"""Personal data as a given user may see it: full for roles that verify identities, masked
(610113********123X, 138****5678) for everyone else."""

from collections.abc import Iterable

from resettlement.accounts.access import Capability, project_ids_where
from resettlement.households.models import Household, Member
from resettlement.masking import mask_id_number, mask_phone


def reveals_personal_data(user, project_id: int) -> bool:
    project_ids = project_ids_where(user, Capability.VIEW_PERSONAL_DATA)
    return project_ids is None or project_id in project_ids


def show_personal_data(user, households: Iterable[Household]) -> None:
    """Set `shown_id_number` and `shown_phone` on each household for templates."""
    project_ids = project_ids_where(user, Capability.VIEW_PERSONAL_DATA)
    for household in households:
        reveal = project_ids is None or household.project_id in project_ids
        household.shown_id_number = (
            household.head_id_number if reveal else mask_id_number(household.head_id_number)
        )
        household.shown_phone = household.phone if reveal else mask_phone(household.phone)


def show_member_ids(user, household: Household, members: Iterable[Member]) -> None:
    reveal = reveals_personal_data(user, household.project_id)
    for member in members:
        member.shown_id_number = member.id_number if reveal else mask_id_number(member.id_number)
