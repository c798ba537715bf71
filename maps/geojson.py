"""GeoJSON (RFC 7946: WGS84, longitude first) of villages and buildings, with an ETag that is
cheap to compute, so an unchanged map poll costs one aggregate query."""

import hashlib
import json

from django.db.models import Count, FloatField, Max, Min, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.progress.models import BuildingMilestone
from resettlement.projects.models import Village


def _point(longitude, latitude) -> dict | None:
    if longitude is None or latitude is None:
        return None
    return {"type": "Point", "coordinates": [float(longitude), float(latitude)]}


def _etag(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f'"{digest[:32]}"'


def buildings_etag(buildings: QuerySet[Building], *, key: str) -> str:
    """Changes whenever a feature would: buildings change (geometry, progress, milestones, flats
    added or removed: every writer touches updated_at), a flat anywhere changes status (the
    latest status_changed_at, one step down its index), the date changes (lateness), or the
    request's scope and filters do (key). One aggregate query over buildings."""
    last_flat_change = Flat.objects.order_by("-status_changed_at").values("status_changed_at")
    state = buildings.order_by().aggregate(
        n=Count("pk"), latest=Max("updated_at"), flats=Max(Subquery(last_flat_change[:1]))
    )
    return _etag(key, timezone.localdate(), state["n"], state["latest"], state["flats"])


def buildings_geojson(buildings: QuerySet[Building]) -> bytes:
    """The FeatureCollection of the buildings (a queryset annotated `with_phase()`), encoded.

    Footprints come out of the database as JSON text and go into the response as they are:
    decoding 2,000 polygons into Python only to encode them again was most of the time.
    """
    today = timezone.localdate()
    rows = list(
        buildings.order_by("project_id", "sort_key")
        .annotate(
            geometry_json=Cast("footprint", TextField()),
            progress_value=Cast("progress", FloatField()),
        )
        .values_list(
            "pk",
            "code",
            "project__code",
            "project__name",
            "village__name",
            "floors",
            "progress_value",
            "phase",
            "current_milestone__name",
            "planned_delivery_date",
            "longitude",
            "latitude",
            "geometry_json",
            named=True,
        )
    )
    ids = buildings.order_by().values("pk")  # a subquery: no 2,000 parameters to bind
    counts = _flat_counts(ids)
    overdue = _overdue_since(ids, today)
    url = reverse("housing:building-detail", args=[_URL_PLACEHOLDER])
    features = ",".join(
        _building_feature(row, counts.get(row.pk, (0, 0, 0, 0)), overdue.get(row.pk), url, today)
        for row in rows
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()


def buildings_collection(buildings: QuerySet[Building]) -> dict:
    """The same FeatureCollection as a Python dict (for exports)."""
    return json.loads(buildings_geojson(buildings))


_URL_PLACEHOLDER = 987654321


def _overdue_since(building_ids, today) -> dict[int, object]:
    """Per building, the earliest planned finish among nodes still open after it (a grouped
    query of its own: joined to the buildings, it would group the footprints too)."""
    rows = (
        BuildingMilestone.objects.filter(
            building_id__in=building_ids, percent__lt=100, planned_finish__lt=today
        )
        .values("building_id")
        .annotate(since=Min("planned_finish"))
        .order_by()
    )
    return {row["building_id"]: row["since"] for row in rows}


FlatCounts = tuple[int, int, int, int]  # total, selected, handed over, to hand over


def _flat_counts(building_ids) -> dict[int, FlatCounts]:
    taken = [FlatStatus.SELECTED, FlatStatus.HANDED_OVER]
    rows = (
        Flat.objects.filter(building_id__in=building_ids)
        .values("building_id")
        .annotate(
            total=Count("pk"),
            selected=Count("pk", filter=Q(status__in=taken)),
            handed_over=Count("pk", filter=Q(status=FlatStatus.HANDED_OVER)),
            to_hand_over=Count("pk", filter=Q(status=FlatStatus.SELECTED)),
        )
        .order_by()
    )
    return {
        row["building_id"]: (
            row["total"],
            row["selected"],
            row["handed_over"],
            row["to_hand_over"],
        )
        for row in rows
    }


def _building_feature(row, counts: FlatCounts, overdue_since, url: str, today) -> str:
    geometry = row.geometry_json
    if geometry is None:
        point = _point(row.longitude, row.latitude)
        geometry = _dumps(point) if point else "null"
    properties = {
        "code": row.code,
        "project": row.project__code,
        "project_name": row.project__name,
        "village": row.village__name,
        "floors": row.floors,
        "phase": row.phase,
        "stage": row.current_milestone__name,
        "progress": row.progress_value,
        "days_late": (today - overdue_since).days if overdue_since else 0,
        "planned_delivery": (
            row.planned_delivery_date.isoformat() if row.planned_delivery_date else None
        ),
        "flats": counts[0],
        "flats_selected": counts[1],
        "flats_handed_over": counts[2],
        "flats_to_hand_over": counts[3],
        "url": url.replace(str(_URL_PLACEHOLDER), str(row.pk)),
    }
    return (
        f'{{"type":"Feature","id":{row.pk},"geometry":{geometry},'
        f'"properties":{_dumps(properties)}}}'
    )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def villages_etag(villages: QuerySet[Village], *, key: str) -> str:
    state = villages.order_by().aggregate(n=Count("pk"), latest=Max("updated_at"))
    return _etag(key, *state.values())


def villages_collection(villages: QuerySet[Village]) -> dict:
    rows = villages.order_by("code").values(
        "pk", "code", "name", "kind", "boundary", "street_office__name"
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["pk"],
                "geometry": row["boundary"],
                "properties": {
                    "code": row["code"],
                    "name": row["name"],
                    "kind": row["kind"],
                    "street_office": row["street_office__name"],
                },
            }
            for row in rows
        ],
    }


def villages_geojson(villages: QuerySet[Village]) -> bytes:
    return _dumps(villages_collection(villages)).encode()
