"""The default node sequence of a resettlement building (DOMAIN.md), with default weights
summing to 100. Projects copy it into their own template and may change it."""

from decimal import Decimal

from django.db import migrations

MILESTONES = (
    # code, name, weight, role
    ("start", "开工", 2, ""),
    ("foundation", "基础(±0)", 8, ""),
    ("superstructure", "主体施工", 20, ""),
    ("topping_out", "主体封顶", 5, "topping_out"),
    ("structure_acceptance", "主体结构验收", 3, ""),
    ("secondary_structure", "二次结构", 8, ""),
    ("roofing", "屋面", 4, ""),
    ("facade_insulation", "外墙保温/涂料", 8, ""),
    ("doors_windows", "门窗/防火门安装", 5, ""),
    ("mep_elevators", "水电/电梯安装", 8, ""),
    ("public_area_fitout", "公区装修", 7, ""),
    ("utility_connections", "室外管网/水电气暖接入", 5, ""),
    ("landscaping_roads", "园林道路", 4, ""),
    ("unit_inspection", "分户验收", 3, ""),
    ("special_acceptance", "专项验收(消防/规划/节能/人防)", 3, ""),
    ("completion_acceptance", "竣工验收", 3, "completion_acceptance"),
    ("completion_filing", "竣工备案", 1, ""),
    ("area_survey", "实测面积", 1, ""),
    ("delivery", "交付", 2, "delivery"),
)


def create_milestones(apps, schema_editor):
    MilestoneType = apps.get_model("progress", "MilestoneType")
    for sequence, (code, name, weight, role) in enumerate(MILESTONES, start=1):
        MilestoneType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "default_sequence": sequence,
                "default_weight": Decimal(weight),
                "role": role,
            },
        )


def remove_milestones(apps, schema_editor):
    codes = [code for code, *_rest in MILESTONES]
    apps.get_model("progress", "MilestoneType").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_initial")]

    operations = [migrations.RunPython(create_milestones, remove_milestones)]
