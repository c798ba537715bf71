from rest_framework import serializers

from resettlement.progress.models import BuildingMilestone


class MilestoneSerializer(serializers.ModelSerializer):
    building_code = serializers.CharField(source="building.code")
    node = serializers.CharField(source="milestone_type.code")
    node_name = serializers.CharField(source="milestone_type.name")
    updated_by = serializers.StringRelatedField()

    class Meta:
        model = BuildingMilestone
        fields = [
            "id",
            "building",
            "building_code",
            "node",
            "node_name",
            "planned_start",
            "planned_finish",
            "actual_start",
            "actual_finish",
            "percent",
            "note",
            "updated_by",
            "updated_at",
        ]


class MilestoneUpdateSerializer(serializers.Serializer):
    """The values a project team changes; omitted ones keep their stored value."""

    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_finish = serializers.DateField(required=False, allow_null=True)
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_finish = serializers.DateField(required=False, allow_null=True)
    percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
