"""Entitled area (应安置面积) from a project's rule, when an agreement does not state it."""

from decimal import ROUND_HALF_UP, Decimal

from resettlement.projects.models import EntitlementBasis, Project

CENT = Decimal("0.01")


def entitled_area_for(
    project: Project, *, recognised_persons: int, original_area: Decimal
) -> Decimal:
    by_area = (original_area * project.area_ratio).quantize(CENT, rounding=ROUND_HALF_UP)
    if project.entitlement_basis == EntitlementBasis.AREA:
        return by_area
    by_person = (project.per_capita_area or Decimal(0)) * recognised_persons
    if project.entitlement_basis == EntitlementBasis.PER_CAPITA:
        return by_person.quantize(CENT, rounding=ROUND_HALF_UP)
    return max(by_area, by_person).quantize(CENT, rounding=ROUND_HALF_UP)
