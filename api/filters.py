"""Query filters of the API lists (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend

from resettlement.handover.models import Appointment, Handover, HandoverBatch
from resettlement.households.models import Household
from resettlement.housing.models import Building, Flat
from resettlement.lottery.models import Lottery
from resettlement.progress.models import BuildingMilestone
from resettlement.projects.models import Project, Village
from resettlement.selection.models import SelectionEvent


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the list's filters:
    building and validating the filter form was a tenth of an unfiltered list's request."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = filterset_class.base_filters
        if not any(
            parameter in names or parameter.rpartition("_")[0] in names
            for parameter in request.query_params
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ProjectFilter(django_filters.FilterSet):
    street_office = django_filters.CharFilter(field_name="street_office__code")

    class Meta:
        model = Project
        fields = ["code", "street_office"]


class VillageFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="projects__code", distinct=True)
    street_office = django_filters.CharFilter(field_name="street_office__code")

    class Meta:
        model = Village
        fields = ["code", "kind", "project", "street_office"]


class BuildingFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code")
    village = django_filters.CharFilter(field_name="village__code")
    stage = django_filters.CharFilter(field_name="current_milestone__code")
    progress_min = django_filters.NumberFilter(field_name="progress", lookup_expr="gte")
    progress_max = django_filters.NumberFilter(field_name="progress", lookup_expr="lte")

    class Meta:
        model = Building
        fields = ["project", "village", "code", "stage"]


class FlatFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="building__project__code")
    building_code = django_filters.CharFilter(field_name="building__code")
    floor_min = django_filters.NumberFilter(field_name="floor", lookup_expr="gte")
    floor_max = django_filters.NumberFilter(field_name="floor", lookup_expr="lte")
    area_min = django_filters.NumberFilter(field_name="gross_area", lookup_expr="gte")
    area_max = django_filters.NumberFilter(field_name="gross_area", lookup_expr="lte")

    class Meta:
        model = Flat
        fields = ["project", "building", "building_code", "stairwell", "status", "layout", "code"]


class MilestoneFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="building__project__code")
    node = django_filters.CharFilter(field_name="milestone_type__code")
    complete = django_filters.BooleanFilter(method="filter_complete")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = BuildingMilestone
        fields = ["project", "building", "node"]

    def filter_complete(self, queryset, name, value):
        return queryset.filter(percent=100) if value else queryset.exclude(percent=100)

    def filter_overdue(self, queryset, name, value):
        late = Q(planned_finish__lt=timezone.localdate()) & Q(percent__lt=100)
        return queryset.filter(late) if value else queryset.exclude(late)


class HouseholdFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code")
    village = django_filters.CharFilter(field_name="village__code")
    agreement_no = django_filters.CharFilter(lookup_expr="istartswith")
    q = django_filters.CharFilter(method="filter_q", label="agreement number or name")
    id_digits = django_filters.CharFilter(
        method="filter_id_digits", max_length=6, label="last digits of an ID number (at most 6)"
    )

    class Meta:
        model = Household
        fields = [
            "project",
            "village",
            "status",
            "compensation_mode",
            "agreement_no",
            "elderly",
            "disabled",
            "hardship",
        ]

    def filter_q(self, queryset, name, value):
        return queryset.matching(value)

    def filter_id_digits(self, queryset, name, value):
        return queryset.with_id_ending(value)


class LotteryFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code")

    class Meta:
        model = Lottery
        fields = ["project", "status", "mode"]


class SelectionEventFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code")

    class Meta:
        model = SelectionEvent
        fields = ["project", "status"]


class HandoverBatchFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code")

    class Meta:
        model = HandoverBatch
        fields = ["project", "status"]


class AppointmentFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="batch__project__code")
    day = django_filters.DateFilter(field_name="slot__day")

    class Meta:
        model = Appointment
        fields = ["project", "batch", "household", "status", "day"]


class HandoverFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="batch__project__code")

    class Meta:
        model = Handover
        fields = ["project", "batch", "household", "status"]
