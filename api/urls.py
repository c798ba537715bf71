from django.urls import path
from rest_framework.routers import DefaultRouter

from api import geo, views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("villages", views.VillageViewSet, basename="village")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("flats", views.FlatViewSet, basename="flat")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("households", views.HouseholdViewSet, basename="household")

urlpatterns = [
    path("geo/buildings/", geo.BuildingGeoJSONView.as_view(), name="geo-buildings"),
    path("geo/villages/", geo.VillageGeoJSONView.as_view(), name="geo-villages"),
    *router.urls,
]
