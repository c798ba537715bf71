"""The progress report's figures (resettlement.reports.figures) and their JSON endpoint: the
figures as they stood at the end of a past day, untouched by later changes; the change since a
week before; a fixed number of queries however many buildings; leaders see every project, a
project team its own, desk clerks nothing."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from resettlement.households.lifecycle import household_sign
from resettlement.households.models import HouseholdStatus
from resettlement.progress.models import BuildingMilestone, MilestoneRole, ProjectMilestone
from resettlement.progress.services import building_milestones_record
from resettlement.projects.models import Project
from resettlement.reports.figures import progress_figures
from tests.factories import HouseholdFactory, make_building
from tests.handover_fixtures import allocated_project

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 6, 1)
URL = reverse("api:report-progress")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10):
    moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    return time_machine.travel(moment, tick=False)


def complete_through(building, role: str, day: datetime.date) -> None:
    """Complete the building's nodes in template order up to the node of `role`, on `day`."""
    nodes = ProjectMilestone.objects.filter(project=building.project).order_by("sequence")
    changes = []
    for node in nodes:
        milestone = BuildingMilestone.objects.get(
            building=building, milestone_type=node.milestone_type
        )
        values = {"percent": 100, "actual_start": day, "actual_finish": day}
        changes.append((milestone, values))
        if node.milestone_type.role == role:
            break
    building_milestones_record(changes=changes)


def figures_of(project: Project, day: datetime.date):
    (figures,) = progress_figures(Project.objects.filter(pk=project.pk), day).projects
    return figures


def test_a_past_day_keeps_its_figures_whatever_changed_after(world):
    project = world.project_a
    with at(MONDAY - datetime.timedelta(days=10)):
        second = make_building(project, "2#")
    with at(MONDAY - datetime.timedelta(days=3)):
        complete_through(
            world.building_a, MilestoneRole.TOPPING_OUT, MONDAY - datetime.timedelta(days=3)
        )
    with at(MONDAY + datetime.timedelta(days=2)):  # after the report's day
        complete_through(second, MilestoneRole.TOPPING_OUT, MONDAY + datetime.timedelta(days=2))
        make_building(project, "3#")
    with at(MONDAY + datetime.timedelta(days=5)):
        monday = figures_of(project, MONDAY)
        today = figures_of(project, MONDAY + datetime.timedelta(days=5))
    assert [row.code for row in monday.buildings] == ["1#", "2#"]  # 3# did not exist yet
    assert [(row.code, row.topped_out) for row in monday.buildings] == [
        ("1#", True),
        ("2#", False),
    ]
    assert (monday.topped_out.now, monday.topped_out.before) == (1, 0)
    assert monday.stages["not_started"].now == 1  # 2#
    assert monday.stages["not_started"].before == 2  # a week before, 1# had not started either
    assert sum(tally.now for tally in monday.stages.values()) == 2
    first = monday.buildings[0]
    assert first.progress > 0 and first.next_node == "主体结构验收"
    assert monday.buildings[1].phase == "not_started" and monday.buildings[1].progress == 0
    assert [row.code for row in today.buildings] == ["1#", "2#", "3#"]
    assert (today.topped_out.now, today.topped_out.before) == (2, 1)


def test_households_by_status_with_the_change_since_the_week_before(world):
    project = world.project_a
    with at(MONDAY - datetime.timedelta(days=20)):
        households = HouseholdFactory.create_batch(
            3, project=project, status=HouseholdStatus.REGISTERED
        )
    with at(MONDAY - datetime.timedelta(days=2)):
        household_sign(household=households[0])
    with at(MONDAY + datetime.timedelta(days=1)):
        household_sign(household=households[1])
        figures = figures_of(project, MONDAY)
    registered, signed = figures.households["registered"], figures.households["signed"]
    # world.household_a was registered when the test began (today, after Monday): not counted
    assert (registered.now, registered.before, registered.change) == (2, 3, -1)
    assert (signed.now, signed.before, signed.change) == (1, 0, 1)
    assert figures.household_total == 3


def test_late_milestones_are_counted_in_days_at_the_report_date(world):
    with at(MONDAY - datetime.timedelta(days=30)):
        building = make_building(world.project_a, "2#")
        first = BuildingMilestone.objects.filter(building=building).order_by(
            "milestone_type__default_sequence"
        )[0]
        planned = {
            "planned_start": MONDAY - datetime.timedelta(days=30),
            "planned_finish": MONDAY - datetime.timedelta(days=12),
        }
        building_milestones_record(changes=[(first, planned)])
    with at(MONDAY + datetime.timedelta(days=1)):
        figures = figures_of(world.project_a, MONDAY)
    (late,) = figures.late
    assert (late.building, late.node, late.days_late) == ("2#", first.milestone_type.name, 12)
    (row,) = figures.buildings  # 1# was built today, after the report's day
    assert (row.code, row.days_late, row.next_planned) == ("2#", 12, planned["planned_finish"])


def test_villages_and_the_selection_day_of_a_project(world):
    project, buildings, _people = allocated_project(world)
    first = BuildingMilestone.objects.filter(building=buildings[1]).order_by(
        "milestone_type__default_sequence"
    )[0]
    day = timezone.localdate()
    building_milestones_record(changes=[(first, {"percent": 40, "actual_start": day})])
    figures = figures_of(project, day)
    selection = figures.selection
    assert (selection.days_held.now, selection.served.now, selection.skipped.now) == (1, 4, 0)
    assert (selection.days_held.change, selection.served.change) == (1, 4)
    assert figures.selected.now == 4 and figures.handed_over.now == 0
    with_households = [village for village in figures.villages if village.household_total]
    assert sum(village.household_total for village in with_households) == 4
    assert all(village.name for village in with_households)
    under_way = [name for village in figures.villages for name in village.in_progress]
    assert under_way == [first.milestone_type.name]
    assert sum(village.buildings for village in figures.villages) == len(figures.buildings)


def test_the_queries_do_not_grow_with_the_buildings(world, django_assert_num_queries):
    projects = Project.objects.filter(pk=world.project_a.pk)
    with django_assert_num_queries(QUERIES):
        progress_figures(projects, timezone.localdate())
    for number in range(2, 7):
        make_building(world.project_a, f"{number}#")
    with django_assert_num_queries(QUERIES):
        figures = progress_figures(projects, timezone.localdate())
    assert len(figures.projects[0].buildings) == 6


QUERIES = 17


class TestEndpoint:
    def test_a_leader_sees_every_project_with_typed_figures(self, world, personas, api):
        response = api("leader").get(URL)
        assert response.status_code == 200
        body = response.json()
        assert [project["code"] for project in body["projects"]] == ["PA", "PB"]
        project = body["projects"][0]
        assert project["households"]["signed"] == {"now": 1, "before": 0, "change": 1}
        assert project["households"]["registered"] == {"now": 0, "before": 0, "change": 0}
        (building,) = project["buildings"]
        assert building["code"] == "1#" and building["progress"] == "0.00"
        assert body["as_of"] == timezone.localdate().isoformat()

    def test_a_project_team_sees_its_own_project_only(self, world, personas, api):
        team = api("team")
        body = team.get(URL).json()
        assert [project["code"] for project in body["projects"]] == ["PA"]
        assert team.get(URL, {"project": "PA"}).status_code == 200
        refused = team.get(URL, {"project": "PB"})
        assert refused.status_code == 404
        assert refused.json() == api("leader").get(URL, {"project": "NOPE"}).json()

    def test_desk_clerks_and_anonymous_readers_are_refused(self, world, personas, api):
        from rest_framework.test import APIClient

        assert api("clerk").get(URL).status_code == 403
        assert APIClient().get(URL).status_code in (401, 403)

    def test_a_future_or_malformed_date_is_refused_in_chinese(self, world, personas, api):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = api("leader").get(URL, {"date": tomorrow.isoformat()})
        assert response.status_code == 400
        assert "报告日期不能晚于今天" in response.json()["date"][0]
        assert api("leader").get(URL, {"date": "2026-13-40"}).status_code == 400

    def test_a_past_date_is_answered_from_the_history(self, world, personas, api):
        before = timezone.localdate() - datetime.timedelta(days=30)
        body = api("leader").get(URL, {"date": before.isoformat(), "project": "PA"}).json()
        (project,) = body["projects"]
        assert project["buildings"] == []  # nothing existed a month ago
        assert project["households"]["signed"]["now"] == 0
