import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from resettlement.progress.models import BuildingMilestone, MilestoneType, ProjectMilestone
from resettlement.progress.services import building_milestones_record
from resettlement.progress.timeline import days_late
from tests.factories import make_building, make_project

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)


@pytest.fixture
def building():
    return make_building(make_project("P1"), "5#")


def nodes(building) -> dict[str, BuildingMilestone]:
    return {m.milestone_type.code: m for m in building.milestones.select_related("milestone_type")}


def finish(milestone, on: datetime.date) -> tuple:
    return (
        milestone,
        {"percent": 100, "actual_start": on - datetime.timedelta(days=10), "actual_finish": on},
    )


def test_default_template_is_the_domain_sequence_with_weights_summing_to_100():
    sequence = list(
        MilestoneType.objects.order_by("default_sequence").values_list("name", flat=True)
    )
    assert sequence[0] == "开工" and sequence[3] == "主体封顶" and sequence[-1] == "交付"
    assert sequence.index("竣工验收") < sequence.index("交付")
    assert sum(MilestoneType.objects.values_list("default_weight", flat=True)) == 100


def test_a_new_building_gets_one_node_per_template_entry(building):
    assert (
        building.milestones.count()
        == ProjectMilestone.objects.filter(project=building.project).count()
        == 19
    )
    assert (building.progress, building.current_milestone.code) == (Decimal("0.00"), "start")


@time_machine.travel(TODAY)
def test_progress_is_the_weighted_mean_of_node_percentages(building):
    n = nodes(building)
    building_milestones_record(
        changes=[
            finish(n["start"], datetime.date(2025, 1, 10)),  # weight 2
            finish(n["foundation"], datetime.date(2025, 3, 1)),  # weight 8
            (
                n["superstructure"],
                {"percent": 50, "actual_start": datetime.date(2025, 3, 2)},
            ),  # 20 × 50 %
        ]
    )
    building.refresh_from_db()
    assert building.progress == Decimal("20.00")
    assert building.current_milestone.code == "superstructure"


@time_machine.travel(TODAY)
def test_project_weights_change_the_progress(building):
    ProjectMilestone.objects.filter(project=building.project, milestone_type__code="start").update(
        weight=Decimal(50)
    )
    building_milestones_record(
        changes=[finish(nodes(building)["start"], datetime.date(2025, 1, 10))]
    )
    building.refresh_from_db()
    assert building.progress == Decimal("33.78")  # 50 of 148 (the other 18 nodes weigh 98)


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"percent": 100, "actual_start": datetime.date(2025, 1, 1)},
            "actual_finish",
            "须填写实际完成日期",
        ),
        (
            {
                "percent": 60,
                "actual_start": datetime.date(2025, 1, 1),
                "actual_finish": datetime.date(2025, 2, 1),
            },
            "percent",
            "完成百分比须为100",
        ),
        ({"percent": 30}, "actual_start", "须填写实际开始日期"),
        (
            {
                "percent": 100,
                "actual_start": datetime.date(2025, 5, 1),
                "actual_finish": datetime.date(2025, 4, 1),
            },
            "actual_finish",
            "完成日期早于开始日期",
        ),
        (
            {
                "percent": 100,
                "actual_start": datetime.date(2025, 5, 1),
                "actual_finish": datetime.date(2025, 7, 1),
            },
            "actual_finish",
            "不能晚于今天",
        ),
        (
            {
                "planned_start": datetime.date(2025, 5, 1),
                "planned_finish": datetime.date(2025, 4, 1),
            },
            "planned_finish",
            "计划完成日期早于计划开始日期",
        ),
    ],
)
def test_milestone_rules_refuse_inconsistent_values(building, values, field, message):
    milestone = nodes(building)["start"]
    with pytest.raises(ValidationError) as error:
        building_milestones_record(changes=[(milestone, values)])
    assert any(message in text for text in error.value.messages)
    milestone.refresh_from_db()
    assert milestone.percent == 0


@time_machine.travel(TODAY)
def test_a_batch_with_one_bad_node_writes_none(building):
    n = nodes(building)
    with pytest.raises(ValidationError, match="5# 基础"):
        building_milestones_record(
            changes=[finish(n["start"], TODAY), (n["foundation"], {"percent": 10})]
        )
    assert not BuildingMilestone.objects.filter(percent__gt=0).exists()


def test_days_late_counts_from_the_planned_finish(building):
    milestone = nodes(building)["start"]
    milestone.planned_finish = datetime.date(2025, 6, 1)
    assert days_late(milestone, TODAY) == 29
    milestone.percent, milestone.actual_finish = 100, datetime.date(2025, 6, 11)
    assert days_late(milestone, TODAY) == 10
    milestone.actual_finish = datetime.date(2025, 5, 1)
    assert days_late(milestone, TODAY) == 0
