"""GeoJSON endpoints (RFC 7946) for the map and for GIS clients, with ETag / 304."""

import json

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from api.permissions import HasCapability
from maps.geojson import buildings_etag, buildings_geojson, villages_etag, villages_geojson
from resettlement.accounts.access import Capability, project_ids_where
from resettlement.housing.models import Building, Phase
from resettlement.projects.models import Village
from resettlement.response_cache import body_for

GEOJSON = "application/geo+json"
ERROR_PHASE = _("Unknown phase: %(value)s.")


class GeoJSONRenderer(renderers.BaseRenderer):
    """Lets clients ask for application/geo+json (the views build their own response body)."""

    media_type = GEOJSON
    format = "geojson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return json.dumps(data, ensure_ascii=False).encode()


class GeoJSONView(APIView):
    permission_classes = [IsAuthenticated, HasCapability]
    renderer_classes = [GeoJSONRenderer, renderers.JSONRenderer]
    read_capability = Capability.VIEW_PROJECT

    def scope(self):
        return project_ids_where(self.request.user, self.read_capability)

    def respond(self, etag: str, build) -> HttpResponse:
        response: HttpResponse
        if etag in self.request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            # The ETag names the scope, the filters and the data's state: the collection is
            # built once per change (10 MB at 20,000 buildings), not once per map load.
            body = body_for(type(self).__name__, etag, build)
            response = HttpResponse(body, content_type=GEOJSON)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response


def _phases(request) -> list[str]:
    values = [v for raw in request.query_params.getlist("phase") for v in raw.split(",") if v]
    unknown = [value for value in values if value not in Phase.values]
    if unknown:
        raise serializers.ValidationError({"phase": [str(ERROR_PHASE % {"value": unknown[0]})]})
    return values


@extend_schema(
    summary="Buildings as GeoJSON",
    description=(
        "Footprints (or points) of the buildings the requester may see, WGS84, longitude first, "
        "with phase, current stage, progress, days late and flat counts. Send If-None-Match "
        "with the last ETag to get 304 Not Modified when nothing changed."
    ),
    parameters=[
        OpenApiParameter("project", str, description="project code"),
        OpenApiParameter("phase", str, description="phase(s), comma-separated", enum=Phase.values),
    ],
    responses={(200, GEOJSON): OpenApiTypes.OBJECT, 304: OpenApiResponse(description="unchanged")},
)
class BuildingGeoJSONView(GeoJSONView):
    def get(self, request):
        scope = self.scope()
        buildings = Building.objects.with_phase()
        if scope is not None:
            buildings = buildings.filter(project_id__in=scope)
        project = request.query_params.get("project", "")
        if project:
            buildings = buildings.filter(project__code=project)
        phases = _phases(request)
        if phases:
            buildings = buildings.filter(phase__in=phases)
        key = f"{sorted(scope) if scope is not None else '*'}|{project}|{sorted(phases)}"
        return self.respond(
            buildings_etag(buildings, key=key), lambda: buildings_geojson(buildings)
        )


@extend_schema(
    summary="Villages as GeoJSON",
    description="Village boundaries (WGS84); ETag / If-None-Match as for buildings.",
    parameters=[OpenApiParameter("project", str, description="project code")],
    responses={(200, GEOJSON): OpenApiTypes.OBJECT, 304: OpenApiResponse(description="unchanged")},
)
class VillageGeoJSONView(GeoJSONView):
    def get(self, request):
        scope = self.scope()
        villages = Village.objects.all()
        if scope is not None:
            villages = villages.filter(projects__in=scope).distinct()
        project = request.query_params.get("project", "")
        if project:
            villages = villages.filter(projects__code=project).distinct()
        key = f"{sorted(scope) if scope is not None else '*'}|{project}"
        return self.respond(villages_etag(villages, key=key), lambda: villages_geojson(villages))
