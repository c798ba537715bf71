"""GeoJSON (RFC 7946: WGS84, longitude first) of villages and buildings, with an ETag that is
cheap to compute, so an unchanged map poll costs two aggregate queries."""

import hashlib
import json
from collections.abc import Iterable

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from resettlement.housing.models import Building, Flat, FlatStatus
from resettlement.projects.models import Village


def _point(longitude, latitude) -> dict | None:
    if longitude is None or latitude is None:
        return None
    return {"type": "Point", "coordinates": [float(longitude), float(latitude)]}


def _etag(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return f'"{digest[:32]}"'


def buildings_etag(buildings: QuerySet[Building], *, key: str) -> str:
    """Changes whenever a feature would: buildings (geometry, progress, milestones: updated_at),
    their flats' statuses, the date (lateness), or the request's scope and filters (key)."""
    today = timezone.localdate()
    building_state = buildings.order_by().aggregate(n=Count("pk"), latest=Max("updated_at"))
    flat_state = Flat.objects.filter(building__in=buildings.order_by().values("pk")).aggregate(
        n=Count("pk"), latest=Max("status_changed_at")
    )
    return _etag(key, today, *building_state.values(), *flat_state.values())


def buildings_collection(buildings: QuerySet[Building]) -> dict:
    """Features of the buildings (a queryset annotated `with_phase()`)."""
    today = timezone.localdate()
    rows = list(
        buildings.with_delay(today)
        .order_by("project_id", "sort_key")
        .values(
            "pk",
            "code",
            "project__code",
            "project__name",
            "village__name",
            "floors",
            "progress",
            "phase",
            "current_milestone__name",
            "planned_delivery_date",
            "longitude",
            "latitude",
            "footprint",
            "overdue_since",
        )
    )
    counts = _flat_counts(row["pk"] for row in rows)
    return {
        "type": "FeatureCollection",
        "features": [
            _building_feature(row, counts.get(row["pk"], (0, 0, 0)), today) for row in rows
        ],
    }


def _flat_counts(building_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    taken = [FlatStatus.SELECTED, FlatStatus.HANDED_OVER]
    rows = (
        Flat.objects.filter(building_id__in=list(building_ids))
        .values("building_id")
        .annotate(
            total=Count("pk"),
            selected=Count("pk", filter=Q(status__in=taken)),
            handed_over=Count("pk", filter=Q(status=FlatStatus.HANDED_OVER)),
        )
        .order_by()
    )
    return {row["building_id"]: (row["total"], row["selected"], row["handed_over"]) for row in rows}


def _building_feature(row: dict, counts: tuple[int, int, int], today) -> dict:
    overdue_since = row["overdue_since"]
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": row["footprint"] or _point(row["longitude"], row["latitude"]),
        "properties": {
            "code": row["code"],
            "project": row["project__code"],
            "project_name": row["project__name"],
            "village": row["village__name"],
            "floors": row["floors"],
            "phase": row["phase"],
            "stage": row["current_milestone__name"],
            "progress": float(row["progress"]),
            "days_late": (today - overdue_since).days if overdue_since else 0,
            "planned_delivery": (
                row["planned_delivery_date"].isoformat() if row["planned_delivery_date"] else None
            ),
            "flats": counts[0],
            "flats_selected": counts[1],
            "flats_handed_over": counts[2],
            "url": reverse("building-detail", args=[row["pk"]]),
        },
    }


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


def dumps(collection: dict) -> bytes:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
