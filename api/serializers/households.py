import dataclasses
from typing import Any, cast

from django.db.models import F
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.fast import PlannedRepresentation
from resettlement.column_ranges import serializer_field
from resettlement.households.models import CompensationMode, Household, Member, Relation
from resettlement.households.validation import (
    HOUSEHOLD_FIELDS,
    MemberData,
    household_clean,
    member_clean,
    members_check,
    village_lookup,
)
from resettlement.masking import mask_id_number, mask_phone
from resettlement.projects.models import Project, Village


class _PersonalDataMixin:
    """Full ID and phone numbers only where the requester may see them (context `reveal`)."""

    context: dict[str, Any]  # a serializer's

    def _reveal(self, project_id: int) -> bool:
        reveal = self.context["reveal_project_ids"]
        return reveal is None or project_id in reveal


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["name", "relation", "id_number", "recognised"]

    def get_id_number(self, member) -> str:
        return member.id_number if self.context["reveal"] else mask_id_number(member.id_number)


class HouseholdSerializer(PlannedRepresentation, _PersonalDataMixin, serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    village: "serializers.SlugRelatedField[Village]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    head_id_number = serializers.SerializerMethodField(
        help_text="Masked (610113********123X) unless the requester's role needs it in full."
    )
    phone = serializers.SerializerMethodField(help_text="Masked (138****5678) likewise.")

    class Meta:
        model = Household
        fields = ["id", "project", *HOUSEHOLD_FIELDS, "status", "selection_order"]

    def get_head_id_number(self, household) -> str:
        value = household.head_id_number
        return value if self._reveal(household.project_id) else mask_id_number(value)

    def get_phone(self, household) -> str:
        value = household.phone
        return value if self._reveal(household.project_id) else mask_phone(value)


class HouseholdRowSerializer(HouseholdSerializer):
    """The list's rows: HouseholdSerializer's output read from a row of values (named by
    `household_row_columns`), not from a household with its project and village built as
    model instances, three per row. The schema names HouseholdSerializer."""

    project = serializers.CharField(source="project_code", read_only=True)  # type: ignore[assignment]
    village = serializers.CharField(source="village_code", read_only=True)  # type: ignore[assignment]


def household_row_columns() -> dict[str, Any]:
    """The columns HouseholdRowSerializer reads: names, and expressions by name."""
    plain = [
        name
        for name in HouseholdSerializer.Meta.fields
        if name not in ("project", "village", "head_id_number", "phone")
    ]
    return {
        "names": [*plain, "project_id", "head_id_number", "phone"],
        "expressions": {"project_code": F("project__code"), "village_code": F("village__code")},
    }


class HouseholdDetailSerializer(HouseholdSerializer):
    members = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household) -> list:
        context = {"reveal": self._reveal(household.project_id)}
        members = MemberSerializer(household.members.all(), many=True, context=context)
        return members.data  # type: ignore[return-value]  # a ReturnList; the stubs say ReturnDict


class MemberInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    relation = serializers.ChoiceField(choices=Relation.choices)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    recognised = serializers.BooleanField(default=True)


class HouseholdInputSerializer(serializers.Serializer):
    """A household as the register describes it; checked by the same rules as the import."""

    agreement_no = serializers.CharField(max_length=40)
    village = serializers.CharField(help_text="Code or name of one of the project's villages.")
    head_name = serializers.CharField(max_length=50)
    head_id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    recognised_persons = serializer_field(Household, "recognised_persons")
    original_area = serializer_field(Household, "original_area")
    entitled_area = serializer_field(
        Household,
        "entitled_area",
        required=False,
        allow_null=True,
        help_text="Omit to compute it from the project's entitlement rule.",
    )
    compensation_mode = serializers.ChoiceField(
        choices=CompensationMode.choices, default=CompensationMode.PROPERTY_SWAP
    )
    signed_on = serializers.DateField(required=False, allow_null=True)
    elderly = serializers.BooleanField(default=False)
    disabled = serializers.BooleanField(default=False)
    hardship = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    members = MemberInputSerializer(many=True, required=False)

    def to_internal_value(self, data):
        """A number refused by its field stops DRF before `validate`: the household rules still
        report on the other fields, so every error comes back at once, as an import gives them."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not hasattr(data, "get"):
                raise
            project = self.context["project"]
            raw = {name: data.get(name) for name in HOUSEHOLD_FIELDS}
            _record, errors = household_clean(
                raw, project=project, villages=village_lookup(project)
            )
            # to_internal_value refuses with errors by field name
            detail = dict(cast(dict[str, Any], error.detail))
            for name, messages in errors.items():
                detail.setdefault(name, messages)
            raise serializers.ValidationError(detail) from None

    def validate(self, attrs):
        project = self.context["project"]
        record, errors = household_clean(attrs, project=project, villages=village_lookup(project))
        members: list[MemberData] = []
        for index, raw in enumerate(attrs.get("members") or []):
            member, member_errors = member_clean(raw)
            for name, messages in member_errors.items():
                errors.setdefault(f"members.{index}.{name}", []).extend(messages)
            if member is not None:  # else its errors are there
                members.append(member)
        if record is not None and not errors:
            record = dataclasses.replace(record, members=tuple(members))
            if members:
                errors = members_check(record, members)
        if errors:
            raise serializers.ValidationError(errors)
        return {"record": record}
