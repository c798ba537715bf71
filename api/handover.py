"""Handover (交房) in the API, read-only: batches, appointments and handovers. Every step
(slots, appointments, inspections, the keys, an undo) goes through the pages, which record who
took it. Same capability (VIEW_HOUSEHOLDS) and project scope as the selection endpoints."""

from django.db.models import Count, Prefetch, Q

from api import filters
from api.selection import ReadOnlyScoped
from api.serializers.handover import (
    AppointmentSerializer,
    HandoverBatchSerializer,
    HandoverSerializer,
)
from resettlement.handover.models import (
    Appointment,
    AppointmentStatus,
    HandedFlat,
    Handover,
    HandoverBatch,
    HandoverStatus,
)


class HandoverBatchViewSet(ReadOnlyScoped):
    queryset = (
        HandoverBatch.objects.select_related("project")
        .prefetch_related("buildings")
        .annotate(
            expected_count=Count(
                "appointments",
                filter=Q(appointments__status=AppointmentStatus.SCHEDULED),
                distinct=True,
            ),
            handed_count=Count(
                "handovers", filter=Q(handovers__status=HandoverStatus.DONE), distinct=True
            ),
        )
    )
    serializer_class = HandoverBatchSerializer
    filterset_class = filters.HandoverBatchFilter
    ordering = ["-opened_at"]


class AppointmentViewSet(ReadOnlyScoped):
    queryset = Appointment.objects.select_related("household", "slot")
    serializer_class = AppointmentSerializer
    filterset_class = filters.AppointmentFilter
    project_field = "batch__project"
    ordering_fields = ["order_no"]
    ordering = ["batch_id", "slot__day", "slot__half_day", "slot__desk", "order_no"]


class HandoverViewSet(ReadOnlyScoped):
    queryset = Handover.objects.select_related("household").prefetch_related(
        Prefetch("flats", HandedFlat.objects.select_related("flat__building"))
    )
    serializer_class = HandoverSerializer
    filterset_class = filters.HandoverFilter
    project_field = "batch__project"
    ordering_fields = ["handed_on"]
    ordering = ["-handed_on", "-pk"]
