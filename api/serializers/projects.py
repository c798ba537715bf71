from rest_framework import serializers

from resettlement.projects.models import ExcessPriceTier, Project, Village


class PriceTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExcessPriceTier
        fields = ["up_to_excess", "price_per_m2"]


class ProjectSerializer(serializers.ModelSerializer):
    street_office = serializers.CharField(source="street_office.name")
    district = serializers.CharField(source="street_office.district.name")
    villages: "serializers.SlugRelatedField[Village]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    price_tiers = PriceTierSerializer(many=True, read_only=True)
    flats = serializers.IntegerField(source="flat_count", read_only=True)
    flats_handed_over = serializers.IntegerField(
        read_only=True, help_text="flats whose keys were handed (已交付)"
    )
    flats_to_hand_over = serializers.IntegerField(
        read_only=True, help_text="flats chosen whose keys are not handed yet"
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "district",
            "street_office",
            "villages",
            "description",
            "entitlement_basis",
            "per_capita_area",
            "area_ratio",
            "shortfall_refund_price",
            "price_tiers",
            "flats",
            "flats_handed_over",
            "flats_to_hand_over",
        ]


class VillageSerializer(serializers.ModelSerializer):
    street_office = serializers.CharField(source="street_office.name")

    class Meta:
        model = Village
        fields = ["id", "code", "name", "kind", "street_office"]


class ProjectCodeSerializer(serializers.Serializer):
    """A project code given by a client (query parameter or body)."""

    project = serializers.CharField(max_length=30)
