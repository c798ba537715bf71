from typing import TYPE_CHECKING

from rest_framework import serializers

from resettlement.housing.models import Building, Flat

if TYPE_CHECKING:
    from resettlement.projects.models import Project, Village


class BuildingSerializer(serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    village: "serializers.SlugRelatedField[Village]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    stage = serializers.SerializerMethodField()
    flats = serializers.IntegerField(source="flat_total", read_only=True)
    flats_selected = serializers.IntegerField(read_only=True)
    flats_handed_over = serializers.IntegerField(
        read_only=True, help_text="flats whose keys were handed (已交付)"
    )
    flats_to_hand_over = serializers.IntegerField(
        read_only=True, help_text="flats chosen whose keys are not handed yet"
    )

    class Meta:
        model = Building
        fields = [
            "id",
            "project",
            "code",
            "village",
            "floors",
            "stairwells",
            "contractor",
            "planned_delivery_date",
            "longitude",
            "latitude",
            "progress",
            "stage",
            "flats",
            "flats_selected",
            "flats_handed_over",
            "flats_to_hand_over",
        ]

    def get_stage(self, building) -> str | None:
        """Name of the first node that is not complete; null when all are."""
        return building.current_milestone.name if building.current_milestone else None


class FlatSerializer(serializers.ModelSerializer):
    building_code = serializers.CharField(source="building.code")
    project = serializers.CharField(source="building.project.code")

    class Meta:
        model = Flat
        fields = [
            "id",
            "project",
            "building",
            "building_code",
            "code",
            "stairwell",
            "floor",
            "room",
            "layout",
            "gross_area",
            "surveyed_area",
            "status",
        ]
