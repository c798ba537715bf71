import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from resettlement.households.models import Household
from resettlement.housing.lifecycle import flat_transition
from resettlement.housing.models import Flat, FlatStatus
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.progress.services import building_milestones_record
from tests.factories import HouseholdFactory, synthetic_id_number

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_interface_is_chinese_by_default_whatever_the_browser_says(world, login):
    client = login("leader")
    page = text(client.get(reverse("projects:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert "回迁安置管理系统" in page
    assert '<html lang="zh-hans">' in page


def test_english_is_available_through_the_language_switcher(world, login):
    client = login("leader")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = text(client.get(reverse("projects:home")))
    assert "Resettlement tracking" in page
    assert "回迁安置管理系统" not in page


def test_dashboard_counts_households_by_status_and_buildings_by_stage(world, login):
    HouseholdFactory(project=world.project_a, status="registered", signed_on=None)
    page = text(login("leader").get(reverse("projects:dashboard", args=["PA"])))
    assert "已签约" in page and "已登记未签约" in page
    assert "开工" in page  # every new building's current stage is the first node
    assert world.building_a.code in page


def test_building_page_shows_planned_and_actual_with_days_late(world, login):
    building = world.building_a
    nodes = {m.milestone_type.code: m for m in building.milestones.select_related("milestone_type")}
    with time_machine.travel(datetime.date(2024, 6, 1)):
        building_milestones_record(
            changes=[
                (
                    nodes["start"],
                    {
                        "planned_finish": datetime.date(2024, 1, 31),
                        "percent": 100,
                        "actual_start": datetime.date(2024, 1, 2),
                        "actual_finish": datetime.date(2024, 1, 20),
                    },
                ),
                (
                    nodes["foundation"],
                    {
                        "planned_start": datetime.date(2024, 2, 1),
                        "planned_finish": datetime.date(2024, 5, 1),
                        "percent": 40,
                        "actual_start": datetime.date(2024, 2, 5),
                    },
                ),
            ]
        )
        page = text(login("team").get(building.get_absolute_url()))
    assert 'data-node="start" data-state="complete"' in page
    assert 'data-node="foundation" data-state="in_progress"' in page
    assert "逾期 31 天" in page
    assert "2024-02-01 → 2024-05-01" in page


def test_building_page_grid_shows_each_flat_with_its_status_mark(world, login):
    flats = flats_generate(
        building=world.building_a, positions=[FlatPosition(1, "A", Decimal("80.50"))], last_floor=2
    )
    flat_transition(flat=flats[0], target=FlatStatus.SELECTED)
    page = text(login("team").get(world.building_a.get_absolute_url()))
    assert f'class="flat st-selected" data-code="{flats[0].code}"' in page
    assert f'class="flat st-available" data-code="{flats[1].code}"' in page
    assert "1单元" in page and "2单元" in page


def test_household_search_by_agreement_name_and_last_id_digits(world, login):
    target = HouseholdFactory(
        project=world.project_a, head_name="欧阳建国", agreement_no="QLS-7777"
    )
    client = login("clerk")
    for query in (
        {"q": "QLS-77"},
        {"q": "欧阳"},
        {"id_digits": target.head_id_number[-4:].lower()},
    ):
        page = text(client.get(reverse("households:search"), query))
        assert "QLS-7777" in page, query


def test_household_search_finds_by_member_name(world, login):
    world.household_a.members.create(
        name="司马小雨", relation="child", id_number=synthetic_id_number()
    )
    page = text(login("clerk").get(reverse("households:search"), {"q": "司马"}))
    assert world.household_a.agreement_no in page


def test_search_goes_by_at_most_six_id_characters(world, login):
    full = world.household_a.head_id_number
    response = login("supervisor").get(reverse("households:search"), {"id_digits": full})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('households:search')}?id_digits={full[-6:]}"


def test_household_list_page_query_count_does_not_grow_with_rows(
    world, login, django_assert_num_queries
):
    for _ in range(60):
        HouseholdFactory(project=world.project_a)
    client = login("clerk")
    client.get(reverse("households:search"))  # warm the session
    with django_assert_num_queries(6):
        text(client.get(reverse("households:search")))
    with django_assert_num_queries(6):
        text(client.get(reverse("households:search"), {"page": 2}))


def test_supervisor_edits_a_household_and_the_change_is_kept(world, login, personas):
    household = world.household_a
    client = login("supervisor")
    form = client.get(reverse("households:edit", args=[household.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(village=household.village.pk, phone="029-88881234", entitled_area="", note="改电话")
    response = client.post(reverse("households:edit", args=[household.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    household.refresh_from_db()
    assert household.phone == "029-88881234"
    assert household.entitled_area == household.original_area  # project rule: area for area
    latest = household.history.first()
    assert (latest.history_user, latest.phone) == (personas["supervisor"], "029-88881234")


def test_edit_form_gives_the_same_message_as_the_import(world, login):
    household = world.household_a
    client = login("supervisor")
    form = client.get(reverse("households:edit", args=[household.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        village=household.village.pk,
        head_id_number=household.head_id_number[:17] + "0"
        if household.head_id_number[17] != "0"
        else household.head_id_number[:17] + "1",
    )
    page = text(client.post(reverse("households:edit", args=[household.pk]), data))
    assert "身份证号校验位错误" in page
    household.refresh_from_db()
    assert Household.objects.get(pk=household.pk).head_id_number == world.household_a.head_id_number


def test_supervisor_registers_a_single_household(world, login):
    client = login("supervisor")
    data = {
        "agreement_no": "PA-0100",
        "village": world.project_a.villages.first().pk,
        "head_name": "赵秀英",
        "head_id_number": synthetic_id_number(male=False),
        "recognised_persons": 2,
        "original_area": "120.00",
        "compensation_mode": "property_swap",
        "signed_on": "2021-03-04",
    }
    response = client.post(reverse("households:create", args=["PA"]), data)
    assert response.status_code == 302
    household = Household.objects.get(agreement_no="PA-0100")
    assert household.entitled_area == Decimal("120.00")
    assert Flat.objects.count() == 0


def test_the_dashboard_kept_in_the_cache_shows_every_change_at_once(world, login):
    """Its figures are rendered once per change of the data behind them: a flat selected, a
    node recorded, a household registered each show on the next load."""

    def figures(client) -> str:
        page = text(client.get(reverse("projects:dashboard", args=["PA"])))
        return page[page.index('<div class="stats">') : page.rindex("</section>")]

    flats_generate(building=world.building_a, positions=[FlatPosition(1, "A", Decimal(80))])
    client = login("lead")
    before = figures(client)
    assert figures(client) == before  # nothing changed: the same figures
    flat = Flat.objects.filter(building=world.building_a).first()
    flat_transition(flat=flat, target=FlatStatus.RESERVED)
    after_flat = figures(client)
    assert after_flat != before
    node = world.building_a.milestones.get(milestone_type__code="start")
    done = {"percent": 100, "actual_start": datetime.date(2024, 1, 2)}
    building_milestones_record(
        changes=[(node, {**done, "actual_finish": datetime.date(2024, 2, 1)})]
    )
    assert figures(client) != after_flat
    clerk = login("clerk")
    counted = figures(clerk)
    assert "已登记未签约" in counted
    HouseholdFactory(project=world.project_a, status="registered", signed_on=None)
    assert figures(clerk) != counted
    # The same project seen by a role without households: their figures are not in its page.
    assert "已登记未签约" not in figures(login("team"))
    # The header's line of places is kept with them, and follows a renamed village too.
    village = world.project_a.villages.first()
    assert village.name in text(client.get(reverse("projects:dashboard", args=["PA"])))
    village.name = "更名后的村"
    village.save()
    assert "更名后的村" in text(client.get(reverse("projects:dashboard", args=["PA"])))
