from django.urls import path
from rest_framework.routers import DefaultRouter

from api import geo, handover, me, reports, selection, views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("villages", views.VillageViewSet, basename="village")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("flats", views.FlatViewSet, basename="flat")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("lotteries", selection.LotteryViewSet, basename="lottery")
router.register("selection-events", selection.SelectionEventViewSet, basename="selection-event")
router.register("selections", selection.SelectionViewSet, basename="selection")
router.register("handover-batches", handover.HandoverBatchViewSet, basename="handover-batch")
router.register("appointments", handover.AppointmentViewSet, basename="appointment")
router.register("handovers", handover.HandoverViewSet, basename="handover")

urlpatterns = [
    path("me/", me.MeView.as_view(), name="me"),
    path("me/token/", me.MeTokenView.as_view(), name="me-token"),
    path("me/documents/<int:pk>/", me.MeDocumentView.as_view(), name="me-document"),
    path("geo/buildings/", geo.BuildingGeoJSONView.as_view(), name="geo-buildings"),
    path("geo/villages/", geo.VillageGeoJSONView.as_view(), name="geo-villages"),
    path("reports/progress/", reports.ProgressReportView.as_view(), name="report-progress"),
    *router.urls,
]
