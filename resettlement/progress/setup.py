"""New projects and buildings, set up with the milestone nodes they start with: a project
takes the default template, a building one node per entry of its project's template. Their
creation lives here, on the side of progress, which depends on projects and housing."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.housing.codes import normalize_building_code
from resettlement.housing.models import Building
from resettlement.progress.services import (
    building_milestones_create,
    buildings_progress_refresh,
    milestone_template_apply_defaults,
)
from resettlement.projects.models import (
    EntitlementBasis,
    ExcessPriceTier,
    Project,
    StreetOffice,
    Village,
)

ERROR_BUILDING_EXISTS = _("Building %(code)s already exists in this project.")
ERROR_VILLAGE_NOT_IN_PROJECT = _("The village is not one of this project's villages.")


def project_create(
    *,
    code: str,
    name: str,
    street_office: StreetOffice,
    villages: Iterable[Village] = (),
    description: str = "",
    entitlement_basis: str = EntitlementBasis.AREA,
    per_capita_area: Decimal | None = None,
    area_ratio: Decimal = Decimal("1.000"),
    shortfall_refund_price: Decimal | None = None,
    price_tiers: Sequence[tuple[Decimal, Decimal]] = (),
    by: User | None = None,
) -> Project:
    """A project with its rules, its villages and the default milestone template.

    `price_tiers` are (up to m² over entitlement, price per m²) pairs.
    """
    project = Project(
        code=code,
        name=name,
        street_office=street_office,
        description=description,
        entitlement_basis=entitlement_basis,
        per_capita_area=per_capita_area,
        area_ratio=area_ratio,
        shortfall_refund_price=shortfall_refund_price,
    )
    project.full_clean()
    history_author_set(project, by=by)
    with transaction.atomic():
        project.save()
        project.villages.set(villages)
        for bound, price in price_tiers:
            tier = ExcessPriceTier(project=project, up_to_excess=bound, price_per_m2=price)
            tier.full_clean()
            tier.save()
        milestone_template_apply_defaults(project=project)
    return project


def building_create(
    *,
    project: Project,
    code: str,
    floors: int,
    stairwells: int,
    village: Village | None = None,
    contractor: str = "",
    planned_delivery_date: datetime.date | None = None,
    longitude: Decimal | None = None,
    latitude: Decimal | None = None,
    footprint: dict | None = None,
    by: User | None = None,
) -> Building:
    """A building with one milestone node per entry of its project's template."""
    code = normalize_building_code(code)
    if Building.objects.filter(project=project, code=code).exists():
        raise ValidationError({"code": ERROR_BUILDING_EXISTS % {"code": code}})
    if village is not None and not project.villages.filter(pk=village.pk).exists():
        raise ValidationError({"village": ERROR_VILLAGE_NOT_IN_PROJECT})
    building = Building(
        project=project,
        code=code,
        floors=floors,
        stairwells=stairwells,
        village=village,
        contractor=contractor,
        planned_delivery_date=planned_delivery_date,
        longitude=longitude,
        latitude=latitude,
        footprint=footprint,
    )
    building.full_clean(validate_unique=False)
    history_author_set(building, by=by)
    with transaction.atomic():
        building.save()
        building_milestones_create(buildings=[building], by=by)
        buildings_progress_refresh(buildings=[building])
    return building
