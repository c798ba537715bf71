"""The construction rules: in order unless excepted; delivery only after completion acceptance."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from resettlement.progress.models import BuildingMilestone
from resettlement.progress.services import (
    building_milestones_record,
    milestone_bulk_set,
    milestone_exception_record,
)
from tests.factories import make_building, make_project

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def building():
    return make_building(make_project("P1"), "7#")


def nodes(building) -> dict[str, BuildingMilestone]:
    return {
        m.milestone_type.code: m
        for m in building.milestones.select_related("milestone_type", "building")
    }


def done(milestone, on=TODAY - 10 * DAY):
    return (milestone, {"percent": 100, "actual_start": on - 5 * DAY, "actual_finish": on})


def complete_up_to(building, last_code: str) -> None:
    ordered = sorted(nodes(building).values(), key=lambda m: m.milestone_type.default_sequence)
    stop = [m.milestone_type.code for m in ordered].index(last_code)
    building_milestones_record(changes=[done(m) for m in ordered[: stop + 1]])


@time_machine.travel(TODAY)
def test_a_node_cannot_complete_before_the_ones_ahead_of_it(building):
    n = nodes(building)
    with pytest.raises(ValidationError) as error:
        building_milestones_record(changes=[done(n["foundation"])])
    assert "开工 尚未完成，基础(±0) 不能完成" in error.value.messages[0]
    assert not BuildingMilestone.objects.filter(percent=100).exists()


@time_machine.travel(TODAY)
def test_nodes_completed_together_in_order_are_accepted(building):
    n = nodes(building)
    building_milestones_record(changes=[done(n["start"]), done(n["foundation"])])
    building.refresh_from_db()
    assert building.current_milestone.code == "superstructure"


@time_machine.travel(TODAY)
def test_work_may_progress_in_parallel_without_completing(building):
    n = nodes(building)
    building_milestones_record(
        changes=[(n["facade_insulation"], {"percent": 40, "actual_start": TODAY - 30 * DAY})]
    )
    assert BuildingMilestone.objects.get(pk=n["facade_insulation"].pk).percent == 40


@time_machine.travel(TODAY)
def test_a_supervisors_exception_lets_a_node_complete_out_of_order(building, personas):
    n = nodes(building)
    exception = milestone_exception_record(
        milestone=n["foundation"], reason="桩基分包先行验收", by=personas["admin"]
    )
    building_milestones_record(changes=[done(n["foundation"])])
    assert BuildingMilestone.objects.get(pk=n["foundation"].pk).percent == 100
    assert exception.history.first().history_user == personas["admin"]


def test_an_exception_needs_a_reason(building, personas):
    with pytest.raises(ValidationError) as error:
        milestone_exception_record(
            milestone=nodes(building)["foundation"], reason="  ", by=personas["admin"]
        )
    assert error.value.message_dict["reason"] == ["请填写例外的原因。"]


@time_machine.travel(TODAY)
def test_a_node_is_not_reopened_under_a_completed_later_one(building):
    complete_up_to(building, "foundation")
    n = nodes(building)
    with pytest.raises(ValidationError) as error:
        building_milestones_record(changes=[(n["start"], {"percent": 90, "actual_finish": None})])
    assert "开工 不能改回未完成" in error.value.messages[0]


@time_machine.travel(TODAY)
def test_delivery_waits_for_completion_acceptance_even_with_an_exception(building, personas):
    n = nodes(building)
    milestone_exception_record(milestone=n["delivery"], reason="试图提前交付", by=personas["admin"])
    with pytest.raises(ValidationError) as error:
        building_milestones_record(
            changes=[(n["delivery"], {"percent": 10, "actual_start": TODAY})]
        )
    assert "竣工验收完成后方可交付（法律规定）。" in error.value.messages[0]


@time_machine.travel(TODAY)
def test_delivery_cannot_start_before_acceptance_finished(building):
    complete_up_to(building, "area_survey")
    n = nodes(building)
    accepted = BuildingMilestone.objects.get(pk=n["completion_acceptance"].pk).actual_finish
    with pytest.raises(ValidationError) as error:
        building_milestones_record(
            changes=[(n["delivery"], {"percent": 20, "actual_start": accepted - DAY})]
        )
    assert "交付不能早于竣工验收完成日期" in error.value.messages[0]
    building_milestones_record(changes=[(n["delivery"], {"percent": 20, "actual_start": accepted})])


@time_machine.travel(TODAY)
def test_bulk_topping_out_of_every_building_in_one_step(personas):
    project = make_project("P2")
    buildings = [make_building(project, f"{number}#") for number in range(1, 6)]
    for building in buildings:
        complete_up_to(building, "superstructure")
    started = [
        (nodes(b)["topping_out"], {"percent": 80, "actual_start": TODAY - 15 * DAY})
        for b in buildings[:2]
    ]
    building_milestones_record(changes=started)
    topping_out = started[0][0].milestone_type
    milestone_bulk_set(
        project=project,
        milestone_type=topping_out,
        buildings=buildings,
        values={"percent": 100, "actual_start": TODAY - 20 * DAY, "actual_finish": TODAY - DAY},
        by=personas["admin"],
    )
    topped = BuildingMilestone.objects.filter(milestone_type=topping_out, percent=100)
    starts = {m.building.code: m.actual_start for m in topped.select_related("building")}
    assert len(starts) == 5
    assert starts["1#"] == starts["2#"] == TODAY - 15 * DAY, "a building keeps its own start"
    assert starts["3#"] == starts["5#"] == TODAY - 20 * DAY


@time_machine.travel(TODAY)
def test_bulk_update_changes_no_building_if_one_breaks_a_rule():
    project = make_project("P3")
    ready = make_building(project, "1#")
    complete_up_to(ready, "superstructure")
    behind = make_building(project, "2#")  # superstructure not done
    topping_out = nodes(ready)["topping_out"].milestone_type
    with pytest.raises(ValidationError) as error:
        milestone_bulk_set(
            project=project,
            milestone_type=topping_out,
            buildings=[ready, behind],
            values={"percent": 100, "actual_start": TODAY - 5 * DAY, "actual_finish": TODAY},
        )
    assert any(message.startswith("2#") for message in error.value.messages)
    assert not BuildingMilestone.objects.filter(milestone_type=topping_out, percent=100).exists()


@time_machine.travel(TODAY)
def test_each_building_is_checked_in_its_own_projects_order():
    reordered = make_project("P4")
    from resettlement.progress.models import ProjectMilestone

    foundation = ProjectMilestone.objects.get(project=reordered, milestone_type__code="foundation")
    foundation.sequence = 0  # P4 lays its foundation before it counts as started
    foundation.save()
    ordinary = make_building(make_project("P5"), "1#")
    early = make_building(reordered, "1#")
    building_milestones_record(
        changes=[done(nodes(early)["foundation"]), done(nodes(ordinary)["start"])]
    )
    assert BuildingMilestone.objects.filter(percent=100).count() == 2
