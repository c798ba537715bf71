"""File types of geodata import and export (kept light: views import it at start-up)."""

from django.utils.translation import gettext_lazy

IMPORT_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".kml", ".kmz", ".dxf", ".shp")
EXPORT_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON"}

ERROR_IMPORT_FORMAT = gettext_lazy(
    "Unsupported file type; use GeoJSON, GeoPackage, a zipped Shapefile, KML or DXF."
)
ERROR_EXPORT_FORMAT = gettext_lazy("Export to .gpkg or .geojson.")
