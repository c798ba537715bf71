"""Exporting a project's buildings (with phase, stage and progress) and villages for GIS staff:
GeoPackage (layers buildings, building_points, villages) or GeoJSON (buildings, RFC 7946)."""

from pathlib import Path

import geopandas
from django.utils import timezone
from shapely.geometry import MultiPolygon, Point, shape

from maps import gdal_policy
from maps.formats import ERROR_EXPORT_FORMAT, EXPORT_DRIVERS
from maps.geojson import buildings_collection
from resettlement.housing.models import Building
from resettlement.projects.models import Project

PROPERTIES = (
    "code",
    "project",
    "village",
    "floors",
    "phase",
    "stage",
    "progress",
    "days_late",
    "planned_delivery",
    "flats",
    "flats_selected",
    "flats_handed_over",
)


def _frame(records: list[tuple[dict, object]]) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame(
        {name: [properties[name] for properties, _geometry in records] for name in PROPERTIES},
        geometry=[geometry for _properties, geometry in records],
        crs="EPSG:4326",
    )


def geometry_export(*, project: Project, path: Path) -> dict[str, int]:
    """Write the file; return the number of features per layer."""
    driver = EXPORT_DRIVERS.get(path.suffix.lower())
    if driver is None:
        raise ValueError(str(ERROR_EXPORT_FORMAT))
    gdal_policy.lock_down()
    collection = buildings_collection(Building.objects.for_project(project).with_phase())
    features = [feature for feature in collection["features"] if feature["geometry"]]
    exported_at = timezone.localtime().isoformat(timespec="seconds")
    if path.exists():
        path.unlink()
    counts: dict[str, int] = {}
    if driver == "GeoJSON":
        records = [(feature["properties"], shape(feature["geometry"])) for feature in features]
        _frame(records).to_file(path, driver=driver, engine="pyogrio", RFC7946="YES")
        return {"buildings": len(records)}
    polygons = [
        (feature["properties"], _multipolygon(shape(feature["geometry"])))
        for feature in features
        if feature["geometry"]["type"] != "Point"
    ]
    points = [
        (feature["properties"], Point(feature["geometry"]["coordinates"]))
        for feature in features
        if feature["geometry"]["type"] == "Point"
    ]
    for layer, records in (("buildings", polygons), ("building_points", points)):
        if records:
            _frame(records).to_file(
                path,
                layer=layer,
                driver=driver,
                engine="pyogrio",
                metadata={"exported_at": exported_at},
            )
            counts[layer] = len(records)
    villages = [village for village in project.villages.all() if village.boundary]
    if villages:
        geopandas.GeoDataFrame(
            {"code": [v.code for v in villages], "name": [v.name for v in villages]},
            geometry=[_multipolygon(shape(v.boundary)) for v in villages],
            crs="EPSG:4326",
        ).to_file(path, layer="villages", driver=driver, engine="pyogrio")
        counts["villages"] = len(villages)
    return counts


def _multipolygon(geometry):
    return MultiPolygon([geometry]) if geometry.geom_type == "Polygon" else geometry
