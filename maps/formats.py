"""File types of geodata import and export, and the size limits of an import (kept light:
views import it at start-up)."""

from django.conf import settings
from django.utils.translation import gettext_lazy

# A bare .shp cannot carry its .dbf (the codes) and .prj (the coordinate system): zip them.
IMPORT_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".kml", ".kmz", ".dxf")
EXPORT_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON"}

ERROR_IMPORT_FORMAT = gettext_lazy(
    "Unsupported file type; use GeoJSON, GeoPackage, a zipped Shapefile, KML or DXF."
)
ERROR_EXPORT_FORMAT = gettext_lazy("Export to .gpkg or .geojson.")
ERROR_TOO_LARGE = gettext_lazy(
    "The file is larger than %(limit)s MB, the most a geodata import accepts; split it by "
    "area or remove unneeded fields."
)


def upload_max_bytes() -> int:
    return settings.GEODATA_UPLOAD_MAX_MB * 1024 * 1024


def too_large_message() -> str:
    return str(ERROR_TOO_LARGE % {"limit": settings.GEODATA_UPLOAD_MAX_MB})
