"""Lotteries and selection days in the API, read-only: every step of a lottery and every
desk action goes through the pages, which record who did it and keep the draw verifiable.
Same capability (VIEW_HOUSEHOLDS) and project scope as the pages."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action

from api import filters
from api.serializers.selection import (
    LotteryResultSerializer,
    LotterySerializer,
    SelectionEventSerializer,
    SelectionSerializer,
)
from api.views import ScopedViewSet
from resettlement.accounts.access import Capability
from resettlement.lottery.models import Lottery, LotteryStatus
from resettlement.selection.models import (
    QueueStatus,
    SelectedFlat,
    Selection,
    SelectionEvent,
    SelectionStatus,
)


class ReadOnlyScoped(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    read_capability = Capability.VIEW_HOUSEHOLDS
    http_method_names = ["get", "head", "options"]


class LotteryViewSet(ReadOnlyScoped):
    queryset = (
        Lottery.objects.select_related("project", "replaced_by")
        .prefetch_related("witnesses")
        .annotate(entry_count=Count("entries"))
    )
    serializer_class = LotterySerializer
    filterset_class = filters.LotteryFilter
    ordering_fields = ["scheduled_on", "drawn_at"]
    ordering = ["-pk"]

    @extend_schema(responses=LotteryResultSerializer(many=True))
    @action(detail=True, filter_backends=[])
    def results(self, request, pk=None):
        """The drawn order (and flats, in mode assign), once drawn, in sequence order."""
        lottery = self.get_object()
        if lottery.status not in (LotteryStatus.DRAWN, LotteryStatus.PUBLISHED):
            raise Http404
        results = lottery.results.select_related("entry", "flat").order_by("sequence")
        page = self.paginate_queryset(results)
        return self.get_paginated_response(LotteryResultSerializer(page, many=True).data)


class SelectionEventViewSet(ReadOnlyScoped):
    queryset = (
        SelectionEvent.objects.select_related("project")
        .prefetch_related("buildings", "price_tiers", "floor_adjustments")
        .annotate(
            desk_count=Count("desks", distinct=True),
            selected_count=Count(
                "selections",
                filter=Q(selections__status=SelectionStatus.ACTIVE),
                distinct=True,
            ),
            waiting_count=Count(
                "queue", filter=Q(queue__status=QueueStatus.WAITING), distinct=True
            ),
        )
    )
    serializer_class = SelectionEventSerializer
    filterset_class = filters.SelectionEventFilter
    ordering = ["-starts_on"]


class SelectionViewSet(ReadOnlyScoped):
    queryset = Selection.objects.select_related("household__project", "desk").prefetch_related(
        Prefetch("flats", SelectedFlat.objects.select_related("flat__building"))
    )
    serializer_class = SelectionSerializer
    project_field = "household__project"
    filterset_fields = ["event", "household", "status", "source"]
    ordering_fields = ["confirmed_at"]
    ordering = ["-confirmed_at"]
