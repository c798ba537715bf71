"""Handover batches, appointments and handovers in the API, read-only. A household appears by
its id and agreement number only: names, ID and phone numbers stay on the pages."""

from typing import TYPE_CHECKING

from rest_framework import serializers

from resettlement.handover.models import Appointment, HandedFlat, Handover, HandoverBatch

if TYPE_CHECKING:
    from resettlement.housing.models import Building
    from resettlement.projects.models import Project


class HandoverBatchSerializer(serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    buildings: "serializers.SlugRelatedField[Building]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    appointments_expected = serializers.IntegerField(
        source="expected_count", read_only=True, help_text="appointments still expected"
    )
    households_handed_over = serializers.IntegerField(
        source="handed_count", read_only=True, help_text="handovers in force"
    )

    class Meta:
        model = HandoverBatch
        fields = [
            "id",
            "project",
            "name",
            "buildings",
            "place",
            "status",
            "opened_at",
            "appointments_expected",
            "households_handed_over",
        ]


class AppointmentSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    agreement_no = serializers.CharField(source="household.agreement_no", read_only=True)
    day = serializers.DateField(source="slot.day", read_only=True)
    half_day = serializers.CharField(source="slot.half_day", read_only=True)
    desk = serializers.IntegerField(source="slot.desk", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "batch",
            "household",
            "agreement_no",
            "day",
            "half_day",
            "desk",
            "order_no",
            "status",
            "replaces",
            "reason",
            "arrived_at",
        ]


class HandedFlatSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="flat.code", read_only=True)
    building = serializers.CharField(source="flat.building.code", read_only=True)

    class Meta:
        model = HandedFlat
        fields = [
            "code",
            "building",
            "active",
            "water_reading",
            "electricity_reading",
            "gas_reading",
            "door_keys",
            "access_cards",
            "mailbox_keys",
            "quality_guarantee",
            "usage_manual",
        ]


class HandoverSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    agreement_no = serializers.CharField(source="household.agreement_no", read_only=True)
    flats = HandedFlatSerializer(many=True, read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "batch",
            "household",
            "agreement_no",
            "handed_on",
            "status",
            "flats",
            "undone_at",
            "undo_reason",
        ]
