"""Validation of the GeoJSON geometries the model stores (WGS84, longitude first, RFC 7946)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.validation import explain_validity

# A generous box around the People's Republic of China, for catching swapped or projected
# coordinates (e.g. Gauss-Krüger metres stored as degrees).
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)

ERROR_NOT_GEOJSON = _("Not a GeoJSON geometry.")
ERROR_WRONG_TYPE = _("Geometry type %(found)s is not allowed here (expected %(expected)s).")
ERROR_INVALID = _("Invalid geometry: %(reason)s.")
ERROR_OUTSIDE_CHINA = _(
    "Coordinates fall outside China; check the coordinate system and the longitude/latitude order."
)

AREA_TYPES = ("Polygon", "MultiPolygon")


def validate_geometry(value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, dict) or "type" not in value or "coordinates" not in value:
        raise ValidationError(ERROR_NOT_GEOJSON, code="not_geojson")
    if value["type"] not in allowed:
        raise ValidationError(
            ERROR_WRONG_TYPE,
            code="geometry_type",
            params={"found": value["type"], "expected": " / ".join(allowed)},
        )
    try:
        geometry = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise ValidationError(ERROR_INVALID, code="invalid", params={"reason": error}) from None
    if geometry.is_empty:
        raise ValidationError(ERROR_INVALID, code="invalid", params={"reason": "empty"})
    if not geometry.is_valid:
        raise ValidationError(
            ERROR_INVALID, code="invalid", params={"reason": explain_validity(geometry)}
        )
    if not within_china(*geometry.bounds):
        raise ValidationError(ERROR_OUTSIDE_CHINA, code="outside_china")


def within_china(min_x: float, min_y: float, max_x: float, max_y: float) -> bool:
    west, south, east, north = CHINA_BOUNDS
    return west <= min_x and max_x <= east and south <= min_y and max_y <= north


def validate_area_geometry(value: object) -> None:
    validate_geometry(value, AREA_TYPES)
