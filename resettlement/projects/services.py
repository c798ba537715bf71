"""Writes to projects."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction

from resettlement.accounts.models import User
from resettlement.history import history_author_set
from resettlement.progress.services import milestone_template_apply_defaults
from resettlement.projects.models import (
    EntitlementBasis,
    ExcessPriceTier,
    Project,
    StreetOffice,
    Village,
)


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
