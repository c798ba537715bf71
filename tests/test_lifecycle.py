"""A household's lifecycle: each step from the statuses it leaves from, with its history;
nothing else writes its status (an edit of its details, the API)."""

import pytest
from django.core.exceptions import ValidationError

from resettlement.households.lifecycle import household_allocate, household_transition
from resettlement.households.models import Household, HouseholdStatus
from resettlement.households.services import household_update, selection_order_from_signing
from resettlement.households.validation import HOUSEHOLD_FIELDS, HouseholdData
from tests.factories import HouseholdFactory, make_project
from tests.test_api import new_household

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


def test_an_edit_saved_after_a_desk_allocated_the_household_keeps_it_allocated(project):
    """The edit form was loaded before the household chose its flats at a desk: saving it
    writes the details it changed, not the status it was loaded with."""
    household = HouseholdFactory(project=project, status=HouseholdStatus.ORDERED)
    on_the_form = Household.objects.get(pk=household.pk)
    household_allocate(household=household)
    values = {name: getattr(on_the_form, name) for name in HOUSEHOLD_FIELDS}
    data = HouseholdData(**{**values, "note": "电话已更新"})
    household_update(household=on_the_form, data=data)
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ALLOCATED and household.note == "电话已更新"
    assert household.history.first().status == HouseholdStatus.ALLOCATED


def test_the_api_cannot_set_a_households_status(world, api):
    household = world.household_a
    body = new_household(
        world,
        agreement_no=household.agreement_no,
        head_id_number=household.head_id_number,
        status=HouseholdStatus.CERTIFIED,
        selection_order=1,
    )
    response = api("supervisor").put(f"/api/v1/households/{household.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == HouseholdStatus.SIGNED
    household.refresh_from_db()
    assert household.status == HouseholdStatus.SIGNED and household.selection_order is None


def test_a_household_cannot_be_allocated_twice(project):
    household = HouseholdFactory(project=project, status=HouseholdStatus.ORDERED)
    household_allocate(household=household)
    with pytest.raises(ValidationError) as error:
        household_allocate(household=Household.objects.get(pk=household.pk))
    assert error.value.messages == ["该户已经选过房。"]
    assert household.history.count() == 2
