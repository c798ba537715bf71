from typing import TYPE_CHECKING

from rest_framework import serializers

from resettlement.lottery.models import Lottery, LotteryResult, Witness
from resettlement.selection.models import (
    FloorAdjustment,
    PriceTier,
    SelectedFlat,
    Selection,
    SelectionEvent,
)

if TYPE_CHECKING:
    from resettlement.housing.models import Building
    from resettlement.projects.models import Project


class WitnessSerializer(serializers.ModelSerializer):
    class Meta:
        model = Witness
        fields = ["name", "role", "organisation"]


class LotterySerializer(serializers.ModelSerializer):
    """A lottery with everything its notice states; the secret only once revealed; `actions`:
    the steps its lifecycle allows now (taken on the pages, which record who took them)."""

    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    secret = serializers.SerializerMethodField()
    entries = serializers.IntegerField(source="entry_count", read_only=True)
    witnesses = WitnessSerializer(many=True, read_only=True)
    replaced_by = serializers.SerializerMethodField()
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Lottery
        fields = [
            "id",
            "project",
            "name",
            "mode",
            "status",
            "actions",
            "algorithm",
            "draw_method",
            "scheduled_on",
            "venue",
            "entries",
            "roster_digest",
            "commitment",
            "secret",
            "public_input",
            "result_digest",
            "frozen_at",
            "drawn_at",
            "published_at",
            "witnesses",
            "replaces",
            "replace_reason",
            "replaced_by",
            "publicity_starts_on",
            "publicity_ends_on",
            "objection_contact",
            "objection_channel",
            "objection_until",
        ]

    def get_secret(self, lottery) -> str | None:
        return lottery.secret if lottery.secret_revealed else None

    def get_replaced_by(self, lottery) -> int | None:
        successor = getattr(lottery, "replaced_by", None)
        return successor.pk if successor else None


class LotteryResultSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="entry.group")
    agreement_no = serializers.CharField(source="entry.agreement_no")
    flat = serializers.CharField(source="flat.code", default=None)

    class Meta:
        model = LotteryResult
        fields = ["sequence", "group", "agreement_no", "flat"]


class EventPriceTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceTier
        fields = ["up_to_excess", "price_per_m2"]


class FloorAdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FloorAdjustment
        fields = ["floor_from", "floor_to", "per_m2"]


class SelectionEventSerializer(serializers.ModelSerializer):
    """`actions`: the steps the event's lifecycle allows now (edit_rules, open, serve, close)."""

    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    buildings: "serializers.SlugRelatedField[Building]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    price_tiers = EventPriceTierSerializer(many=True, read_only=True)
    floor_adjustments = FloorAdjustmentSerializer(many=True, read_only=True)
    desks = serializers.IntegerField(source="desk_count", read_only=True)
    selected = serializers.IntegerField(source="selected_count", read_only=True)
    waiting = serializers.IntegerField(source="waiting_count", read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = SelectionEvent
        fields = [
            "id",
            "project",
            "name",
            "starts_on",
            "ends_on",
            "status",
            "actions",
            "queue_source",
            "lottery",
            "buildings",
            "desks",
            "max_flats",
            "allowed_excess",
            "shortfall_refund_price",
            "allowed_layouts",
            "absent_rule",
            "countdown_seconds",
            "extension_seconds",
            "price_tiers",
            "floor_adjustments",
            "selected",
            "waiting",
        ]


class SelectedFlatSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="flat.code")
    building = serializers.CharField(source="flat.building.code")
    layout = serializers.CharField(source="flat.layout")
    floor = serializers.IntegerField(source="flat.floor")

    class Meta:
        model = SelectedFlat
        fields = ["code", "building", "layout", "floor", "area"]


class SelectionSerializer(serializers.ModelSerializer):
    """`actions`: what the selection's lifecycle allows now (void, swap), on its page."""

    household = serializers.IntegerField(source="household_id", read_only=True)
    agreement_no = serializers.CharField(source="household.agreement_no", read_only=True)
    desk = serializers.IntegerField(source="desk.number", default=None, read_only=True)
    flats = SelectedFlatSerializer(many=True, read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Selection
        fields = [
            "id",
            "event",
            "household",
            "agreement_no",
            "source",
            "lottery",
            "status",
            "actions",
            "desk",
            "confirmed_at",
            "flats",
            "entitled_area",
            "total_area",
            "excess_area",
            "shortfall_area",
            "excess_amount",
            "refund_amount",
            "floor_amount",
            "balance",
            "replaces",
            "void_reason",
            "voided_at",
        ]
