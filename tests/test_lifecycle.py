import pytest
from django.core.exceptions import ValidationError

from resettlement.households.models import HouseholdStatus
from resettlement.households.services import household_transition, selection_order_from_signing
from tests.factories import HouseholdFactory, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project("P1")


def test_a_household_moves_along_the_lifecycle_with_history(project, personas):
    household = HouseholdFactory(project=project, status=HouseholdStatus.REGISTERED, signed_on=None)
    path = [
        HouseholdStatus.SIGNED,
        HouseholdStatus.ORDERED,
        HouseholdStatus.ALLOCATED,
        HouseholdStatus.NOTIFIED,
        HouseholdStatus.HANDED_OVER,
        HouseholdStatus.CERTIFIED,
    ]
    for status in path:
        household_transition(household=household, target=status, by=personas["supervisor"])
    household.refresh_from_db()
    assert household.status == HouseholdStatus.CERTIFIED
    assert [h.status for h in household.history.order_by("history_date")][1:] == path
    assert household.history.first().history_user == personas["supervisor"]


def test_skipping_ahead_is_refused_with_a_chinese_message(project):
    household = HouseholdFactory(project=project, status=HouseholdStatus.SIGNED)
    with pytest.raises(ValidationError) as error:
        household_transition(household=household, target=HouseholdStatus.HANDED_OVER)
    assert error.value.messages == ["回迁户状态不能从“已签约”变为“已交房”。"]


def test_a_voided_selection_returns_the_household_to_its_order(project):
    household = HouseholdFactory(project=project, status=HouseholdStatus.ALLOCATED)
    household_transition(household=household, target=HouseholdStatus.ORDERED, reason="选房作废")
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ORDERED
    assert household.history.first().history_change_reason == "选房作废"


def test_signing_order_numbers_signed_property_swap_households(project):
    late = HouseholdFactory(project=project, signed_on="2020-06-01")
    early = HouseholdFactory(project=project, signed_on="2020-01-15")
    cash = HouseholdFactory(project=project, signed_on="2019-01-01", compensation_mode="cash")
    unsigned = HouseholdFactory(project=project, signed_on=None, status=HouseholdStatus.REGISTERED)
    selection_order_from_signing(project=project)
    for household in (late, early, cash, unsigned):
        household.refresh_from_db()
    assert (early.selection_order, late.selection_order) == (1, 2)
    assert early.status == late.status == HouseholdStatus.ORDERED
    assert cash.selection_order is None and unsigned.selection_order is None
