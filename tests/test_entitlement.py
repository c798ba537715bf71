from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resettlement.projects.entitlement import entitled_area_for
from resettlement.projects.models import EntitlementBasis, Project

areas = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("2000.00"), places=2)
persons = st.integers(min_value=1, max_value=12)
quotas = st.decimals(min_value=Decimal("10.00"), max_value=Decimal("80.00"), places=2)
ratios = st.decimals(min_value=Decimal("0.100"), max_value=Decimal("2.000"), places=3)


def project(basis: str, quota: Decimal | None, ratio: Decimal) -> Project:
    return Project(entitlement_basis=basis, per_capita_area=quota, area_ratio=ratio)


@given(areas, persons, quotas, ratios)
def test_greater_rule_is_the_larger_of_the_two_others(original, count, quota, ratio):
    by_person = entitled_area_for(
        project(EntitlementBasis.PER_CAPITA, quota, ratio),
        recognised_persons=count,
        original_area=original,
    )
    by_area = entitled_area_for(
        project(EntitlementBasis.AREA, quota, ratio),
        recognised_persons=count,
        original_area=original,
    )
    greater = entitled_area_for(
        project(EntitlementBasis.GREATER, quota, ratio),
        recognised_persons=count,
        original_area=original,
    )
    assert greater == max(by_person, by_area)
    assert by_person == (quota * count).quantize(Decimal("0.01"))
    assert greater.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        (EntitlementBasis.AREA, "186.50"),
        (EntitlementBasis.PER_CAPITA, "200.00"),
        (EntitlementBasis.GREATER, "200.00"),
    ],
)
def test_examples_from_the_domain_brief(basis, expected):
    rule = project(basis, Decimal(50), Decimal(1))  # 50 m² per person, 拆一还一
    assert entitled_area_for(
        rule, recognised_persons=4, original_area=Decimal("186.50")
    ) == Decimal(expected)
