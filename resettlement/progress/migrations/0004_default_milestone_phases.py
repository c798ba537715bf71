"""The phase each default node stands for while it is a building's first open node."""

from django.db import migrations

PHASES = {
    "start": "foundation",
    "foundation": "foundation",
    "superstructure": "structure",
    "topping_out": "structure",
    "structure_acceptance": "topped_out",
    "secondary_structure": "topped_out",
    "roofing": "topped_out",
    "facade_insulation": "envelope",
    "doors_windows": "envelope",
    "mep_elevators": "fitout",
    "public_area_fitout": "fitout",
    "utility_connections": "fitout",
    "landscaping_roads": "fitout",
    "unit_inspection": "acceptance",
    "special_acceptance": "acceptance",
    "completion_acceptance": "acceptance",
    "completion_filing": "acceptance",
    "area_survey": "acceptance",
    "delivery": "acceptance",
}


def set_phases(apps, schema_editor):
    MilestoneType = apps.get_model("progress", "MilestoneType")
    for code, phase in PHASES.items():
        MilestoneType.objects.filter(code=code).update(phase=phase)


class Migration(migrations.Migration):
    dependencies = [("progress", "0003_phases_exceptions_photo_sizes")]

    operations = [migrations.RunPython(set_phases, migrations.RunPython.noop)]
