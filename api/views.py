"""The REST API (v1). Each view narrows its queryset to the projects where the requester holds
the view's capability, validates input with an input serializer, calls one service and
serializes the result with an output serializer."""

import operator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api import filters
from api.pagination import KeysetPagination
from api.permissions import HasCapability
from api.serializers.fast import attribute_rows
from api.serializers.households import (
    HouseholdDetailSerializer,
    HouseholdInputSerializer,
    HouseholdRowSerializer,
    HouseholdSerializer,
    household_row_columns,
)
from api.serializers.housing import BuildingSerializer, FlatSerializer
from api.serializers.progress import (
    ALL_BUILDINGS,
    BulkUpdateSerializer,
    ExceptionInputSerializer,
    MilestoneSerializer,
    MilestoneUpdateSerializer,
    PhotoUploadSerializer,
)
from api.serializers.projects import ProjectCodeSerializer, ProjectSerializer, VillageSerializer
from resettlement.accounts.access import Capability, project_ids_where, projects_where, user_can
from resettlement.households.models import Household
from resettlement.households.services import household_create, household_update
from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.progress.models import BuildingMilestone, MilestoneType
from resettlement.progress.photos import milestone_photos_add, photo_prepare
from resettlement.progress.services import (
    building_milestones_record,
    milestone_bulk_set,
    milestone_exception_record,
)
from resettlement.projects.models import Village

ERROR_PROJECT_UNKNOWN = _("No project with this code is visible to you.")
ERROR_NODE_UNKNOWN = _("No such node in this project's milestone template.")
ERROR_BUILDINGS_UNKNOWN = _("Unknown buildings: %(codes)s.")
ERROR_BUILDINGS_UNKNOWN_MANY = _("%(count)s unknown buildings, among them %(codes)s.")
UNKNOWN_BUILDINGS_NAMED = 10


def _as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else error.messages
    )


def _unknown_buildings(codes: list[str]) -> str:
    named = "、".join(codes[:UNKNOWN_BUILDINGS_NAMED])
    if len(codes) <= UNKNOWN_BUILDINGS_NAMED:
        return str(ERROR_BUILDINGS_UNKNOWN % {"codes": named})
    return str(ERROR_BUILDINGS_UNKNOWN_MANY % {"count": len(codes), "codes": named})


class ScopedViewSet(viewsets.GenericViewSet):
    """Base: authenticated, capability-checked, scoped to the requester's projects."""

    permission_classes = [IsAuthenticated, HasCapability]
    read_capability = Capability.VIEW_PROJECT
    project_field = "project"  # path from the model to its project

    def get_queryset(self):
        queryset = super().get_queryset()
        project_ids = project_ids_where(self.request.user, self.read_capability)
        if project_ids is None:
            return queryset
        return queryset.filter(**{f"{self.project_field}__in": project_ids})

    def project_of(self, obj):
        return operator.attrgetter(self.project_field.replace("__", "."))(obj)


class ProjectViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = ProjectSerializer
    filterset_class = filters.ProjectFilter
    ordering_fields = ["code", "name"]
    lookup_field = "code"

    def get_queryset(self):
        return (
            projects_where(self.request.user)
            .select_related("street_office__district")
            .prefetch_related("villages", "price_tiers")
            .annotate(
                flat_count=Flat.objects.count_per_project(),
                flats_handed_over=Flat.objects.count_per_project(FlatStatus.HANDED_OVER),
                flats_to_hand_over=Flat.objects.count_per_project(FlatStatus.SELECTED),
            )
            .order_by("code")
        )

    def project_of(self, obj):
        return obj


class VillageViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = VillageSerializer
    filterset_class = filters.VillageFilter
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        villages = Village.objects.select_related("street_office").order_by("code")
        project_ids = project_ids_where(self.request.user, self.read_capability)
        if project_ids is None:
            return villages
        return villages.filter(projects__in=project_ids).distinct()

    def project_of(self, obj):
        return None  # scoping by get_queryset: a village may belong to several projects


class BuildingViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Building.objects.with_flat_counts().select_related(
        "project", "village", "current_milestone"
    )
    serializer_class = BuildingSerializer
    filterset_class = filters.BuildingFilter
    ordering_fields = ["sort_key", "progress", "planned_delivery_date"]
    ordering = ["project_id", "sort_key"]


class FlatViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Flat.objects.select_related("building__project")
    serializer_class = FlatSerializer
    filterset_class = filters.FlatFilter
    project_field = "building__project"
    ordering_fields = ["code", "floor", "gross_area"]
    ordering = ["building_id", "stairwell", "floor", "position"]
    pagination_class = KeysetPagination


class MilestoneViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin
):
    queryset = BuildingMilestone.objects.select_related("building", "milestone_type", "updated_by")
    serializer_class = MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    project_field = "building__project"
    write_capability = Capability.EDIT_MILESTONES
    ordering_fields = ["planned_finish", "actual_finish", "percent"]
    ordering = ["building_id", "milestone_type__default_sequence"]
    pagination_class = KeysetPagination
    http_method_names = ["get", "patch", "post", "head", "options"]

    @extend_schema(request=MilestoneUpdateSerializer, responses=MilestoneSerializer)
    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        payload = MilestoneUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            building_milestones_record(
                changes=[(milestone, payload.validated_data)], by=request.user
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return Response(MilestoneSerializer(milestone).data)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer}, responses={201: MilestoneSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Add evidence photos to a node (resized, stripped of metadata)."""
        milestone = self.get_object()
        payload = PhotoUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            prepared = [photo_prepare(upload) for upload in payload.validated_data["photos"]]
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        milestone_photos_add(
            milestone=milestone,
            photos=prepared,
            caption=payload.validated_data.get("caption", ""),
            by=request.user,
        )
        milestone = self.get_queryset().get(pk=milestone.pk)
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExceptionInputSerializer, responses={201: MilestoneSerializer})
    @action(detail=True, methods=["post"])
    def exceptions(self, request, pk=None):
        """Record a supervisor's exception: this node may complete before those ahead of it."""
        milestone = self.get_object()
        if not user_can(
            request.user, Capability.APPROVE_MILESTONE_EXCEPTIONS, milestone.building.project
        ):
            raise PermissionDenied
        payload = ExceptionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            milestone_exception_record(
                milestone=milestone, reason=payload.validated_data["reason"], by=request.user
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        milestone = self.get_queryset().get(pk=milestone.pk)
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BulkUpdateSerializer, responses=MilestoneSerializer(many=True))
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        """Set one node on many buildings of a project in one atomic step."""
        payload = BulkUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        project = projects_where(request.user).filter(code=data["project"]).first()
        if project is None:
            raise serializers.ValidationError({"project": [str(ERROR_PROJECT_UNKNOWN)]})
        if not user_can(request.user, Capability.EDIT_MILESTONES, project):
            raise PermissionDenied
        node = MilestoneType.objects.filter(
            code=data["node"], pk__in=project.milestone_template.values("milestone_type")
        ).first()
        if node is None:
            raise serializers.ValidationError({"node": [str(ERROR_NODE_UNKNOWN)]})
        buildings = Building.objects.for_project(project)
        if data["buildings"] != [ALL_BUILDINGS]:
            codes = set(data["buildings"])
            buildings = buildings.filter(code__in=codes)
            missing = sorted(codes - set(buildings.values_list("code", flat=True)))
            if missing:
                raise serializers.ValidationError({"buildings": [_unknown_buildings(missing)]})
        values = {
            name: data[name]
            for name in ("percent", "actual_start", "actual_finish", "note")
            if name in data
        }
        try:
            milestone_bulk_set(
                project=project,
                milestone_type=node,
                buildings=buildings,
                values=values,
                by=request.user,
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        rows = self.get_queryset().filter(building__in=buildings, milestone_type=node)
        return Response(MilestoneSerializer(rows, many=True).data)


class HouseholdViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    queryset = Household.objects.select_related("project", "village")
    filterset_class = filters.HouseholdFilter
    read_capability = Capability.VIEW_HOUSEHOLDS
    write_capability = Capability.MANAGE_HOUSEHOLDS
    ordering_fields = ["agreement_no", "entitled_area", "selection_order", "signed_on"]
    ordering = ["project_id", "agreement_no"]
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("members")
        if self.action == "list":
            # Rows of values: the codes of project and village, not their rows (a village's
            # boundary alone is kilobytes), and no model instances, three per household.
            columns = household_row_columns()
            expressions = columns["expressions"]
            rows = queryset.annotate(**expressions).values(*columns["names"], *expressions)
            return attribute_rows(rows)
        if self.action == "retrieve":
            fields = HouseholdSerializer.Meta.fields
            queryset = queryset.only(*fields, "project__code", "village__code")
        return queryset

    def get_serializer_class(self):
        return HouseholdRowSerializer if self.action == "list" else HouseholdDetailSerializer

    @extend_schema(responses=HouseholdSerializer(many=True))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["reveal_project_ids"] = project_ids_where(
            self.request.user, Capability.VIEW_PERSONAL_DATA
        )
        return context

    def _project_for_write(self, request):
        given = ProjectCodeSerializer(
            data={"project": request.query_params.get("project") or request.data.get("project")}
        )
        code = given.validated_data["project"] if given.is_valid() else None
        project = projects_where(request.user).filter(code=code).first() if code else None
        if project is None:
            raise serializers.ValidationError({"project": [str(ERROR_PROJECT_UNKNOWN)]})
        if not user_can(request.user, Capability.MANAGE_HOUSEHOLDS, project):
            raise PermissionDenied
        return project

    @extend_schema(
        request=HouseholdInputSerializer,
        responses={201: HouseholdDetailSerializer},
        parameters=[OpenApiParameter("project", str, description="code of the project")],
    )
    def create(self, request, *args, **kwargs):
        project = self._project_for_write(request)
        payload = HouseholdInputSerializer(data=request.data, context={"project": project})
        payload.is_valid(raise_exception=True)
        try:
            household = household_create(
                project=project, data=payload.validated_data["record"], by=request.user
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        output = HouseholdDetailSerializer(household, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdInputSerializer, responses=HouseholdDetailSerializer)
    def update(self, request, *args, **kwargs):
        household = self.get_object()
        payload = HouseholdInputSerializer(
            data=request.data, context={"project": household.project}
        )
        payload.is_valid(raise_exception=True)
        try:
            household_update(
                household=household, data=payload.validated_data["record"], by=request.user
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        output = HouseholdDetailSerializer(household, context=self.get_serializer_context())
        return Response(output.data)
