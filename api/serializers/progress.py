from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from resettlement.housing.codes import normalize_building_code
from resettlement.progress.models import BuildingMilestone, MilestoneException, MilestonePhoto
from resettlement.progress.timeline import days_late, milestone_state

if TYPE_CHECKING:
    from resettlement.accounts.models import User


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    uploaded_by: "serializers.StringRelatedField[User]" = serializers.StringRelatedField()

    class Meta:
        model = MilestonePhoto
        fields = [
            "id",
            "url",
            "thumbnail_url",
            "caption",
            "taken_on",
            "width",
            "height",
            "uploaded_by",
            "uploaded_at",
        ]

    def get_url(self, photo) -> str:
        return reverse("progress:milestone-photo", args=[photo.pk])

    def get_thumbnail_url(self, photo) -> str:
        return reverse("progress:milestone-photo-thumb", args=[photo.pk])


class ExceptionSerializer(serializers.ModelSerializer):
    approved_by: "serializers.StringRelatedField[User]" = serializers.StringRelatedField()

    class Meta:
        model = MilestoneException
        fields = ["reason", "approved_by", "created_at"]


class MilestoneSerializer(serializers.ModelSerializer):
    building_code = serializers.CharField(source="building.code")
    node = serializers.CharField(source="milestone_type.code")
    node_name = serializers.CharField(source="milestone_type.name")
    updated_by: "serializers.StringRelatedField[User]" = serializers.StringRelatedField()
    state = serializers.SerializerMethodField()
    days_late = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    exceptions = ExceptionSerializer(many=True, read_only=True)

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
            "state",
            "days_late",
            "updated_by",
            "updated_at",
            "photos",
            "exceptions",
        ]

    def get_state(self, milestone) -> str:
        """complete, in_progress or not_started."""
        return milestone_state(milestone)

    def get_days_late(self, milestone) -> int:
        """Days past the planned finish (today, Asia/Shanghai) while not complete."""
        return days_late(milestone, timezone.localdate())


class MilestoneUpdateSerializer(serializers.Serializer):
    """The values a project team changes; omitted ones keep their stored value."""

    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_finish = serializers.DateField(required=False, allow_null=True)
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_finish = serializers.DateField(required=False, allow_null=True)
    percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PhotoUploadSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    caption = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ExceptionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


MAX_BULK_BUILDINGS = 1000
ERROR_TOO_MANY_BUILDINGS = _(
    'At most %(limit)s building codes at once; send ["*"] for all buildings of the project.'
)
ALL_BUILDINGS = "*"


class BuildingCodeField(serializers.CharField):
    """A building code as staff write it ("3号楼" -> "3#"), or "*"."""

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        if text == ALL_BUILDINGS:
            return text
        try:
            return normalize_building_code(text)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class BoundedListField(serializers.ListField):
    """A list refused by its length before each item is validated (a list of 100,000 items
    costs no 100,000 validations, error messages or query parameters)."""

    def to_internal_value(self, data):
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(
                str(ERROR_TOO_MANY_BUILDINGS % {"limit": self.max_length})
            )
        return super().to_internal_value(data)


class BulkUpdateSerializer(serializers.Serializer):
    project = serializers.CharField(help_text="project code", max_length=30)
    node = serializers.CharField(help_text="milestone code, e.g. topping_out", max_length=40)
    buildings = BoundedListField(
        child=BuildingCodeField(max_length=30),
        allow_empty=False,
        max_length=MAX_BULK_BUILDINGS,
        help_text=f'building codes (at most {MAX_BULK_BUILDINGS}), or ["*"] for all',
    )
    percent = serializers.IntegerField(min_value=0, max_value=100)
    actual_start = serializers.DateField(required=False)
    actual_finish = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
