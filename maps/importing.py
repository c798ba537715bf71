"""Importing building footprints and village boundaries from GIS files.

GeoJSON, GeoPackage, zipped Shapefile, KML and DXF are read through geopandas/pyogrio, after
`maps.sources` has checked the file against its suffix and `maps.gdal_policy` has limited GDAL
to those formats' drivers, local files and no network; a file over the size limit, or a layer
with more features than the limit, is refused before it is read. The coordinate system comes
from the file (CGCS2000 Gauss-Krüger zones such as EPSG:4524/4545 and
Xian 1980 are the usual sources), `crs` is accepted only for a file that has none, and nothing is
guessed. Geometry is reprojected to WGS84, refused if it lands outside China, repaired when a
polygon is invalid (and reported), and matched to the project's buildings or villages by a code
field. Unless every feature matches exactly one building or village, nothing is written.
"""

import dataclasses
import logging
import math
import re
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

import geopandas
import pyogrio
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import LineString, MultiPolygon, Polygon, mapping
from shapely.validation import explain_validity
from simple_history.utils import bulk_update_with_history

from maps import gdal_policy
from maps.formats import too_large_message, upload_max_bytes
from maps.sources import GeometryImportError, Source, source_prepare
from resettlement.accounts.models import User
from resettlement.geometry import within_china
from resettlement.households.validation import village_lookup
from resettlement.housing.codes import normalize_building_code
from resettlement.housing.models import Building
from resettlement.imports.models import ImportBatch, ImportKind, ImportOutcome
from resettlement.projects.models import Project, Village

MATCH_FIELD_CANDIDATES = (
    "code", "CODE", "Code", "编号", "楼号", "楼栋", "楼栋号", "楼栋编号", "BLDG", "BLDG_NO",
    "村编码", "村", "村名", "name", "Name", "NAME", "名称", "Text",
)  # fmt: skip
TARGETS = ("buildings", "villages")
CRS_CODE = re.compile(r"[A-Za-z]+:{1,2}\d{1,6}")
PROJ_STRING = re.compile(r"\+proj=[\w.=+\- ]{1,300}")
PROJ_FILES = re.compile(r"init|grids|@", re.I)
COORDINATE_DECIMALS = 7  # about a centimetre
ERRORS_SHOWN = 100  # on the page and in the command's output; the count is always given
SHOWN_VALUE_LENGTH = 40  # characters of a code quoted in a message
SHOWN_NAMES = 20  # field or layer names listed in a message

logger = logging.getLogger(__name__)

ERROR_TOO_MANY_FEATURES = gettext_lazy(
    "The layer has %(count)s features; at most %(limit)s can be imported at once. Split the "
    "file, e.g. by area."
)
ERROR_NO_GEOMETRY_LAYER = gettext_lazy("The layer has no geometry.")
ERROR_GDAL_LOCKED = gettext_lazy(
    "Geodata import is disabled: the server cannot restrict the GIS library to safe formats. "
    "Tell the administrator."
)
ERROR_LAYERS = gettext_lazy("The file has several layers (%(layers)s); choose one with --layer.")
ERROR_LAYER_UNKNOWN = gettext_lazy("No layer named %(layer)s (layers: %(layers)s).")
ERROR_NO_CRS = gettext_lazy(
    "The file does not say its coordinate system (a Shapefile without .prj, a DXF…); "
    "give it with --crs, e.g. EPSG:4545 (CGCS2000, central meridian 108°E)."
)
ERROR_CRS_CONFLICT = gettext_lazy(
    "The file says its coordinate system is %(file)s, not %(given)s; fix the file rather than "
    "overriding it."
)
ERROR_BAD_CRS = gettext_lazy("%(value)s is not a coordinate system (use e.g. EPSG:4545).")
ERROR_OUTSIDE_CHINA = gettext_lazy(
    "Coordinates land outside China (%(where)s) after reading them as %(crs)s: "
    "the coordinate system is wrong. "
    "EPSG:4524 (CGCS2000 zone 36) eastings carry the zone number 36 (e.g. 36587540); "
    "EPSG:4545 (central meridian 108°E) eastings do not (e.g. 587540)."
)
BOUNDS = gettext_lazy("longitude %(west).3f to %(east).3f, latitude %(south).3f to %(north).3f")
UNPROJECTABLE = gettext_lazy("they do not convert to longitude and latitude at all")
ERROR_MATCH_FIELD = gettext_lazy("No field %(field)s in the file (fields: %(fields)s).")
ERROR_NO_MATCH_FIELD = gettext_lazy(
    "No code field found (fields: %(fields)s); name it with --match-field."
)
ERROR_NOTHING_MATCHES = gettext_lazy(
    "No feature matches a building or village of this project through field %(field)s "
    "(values such as %(examples)s)."
)
ERROR_EMPTY = gettext_lazy("The layer has no features.")
ERROR_NO_GEOMETRY = gettext_lazy("no geometry")
ERROR_WRONG_GEOMETRY = gettext_lazy("a %(kind)s cannot be %(target)s geometry")
ERROR_UNMATCHED = gettext_lazy("%(value)s matches no %(target)s of this project")
ERROR_NO_CODE = gettext_lazy("the field %(field)s is empty")
ERROR_DUPLICATE = gettext_lazy("%(value)s appears more than once (features %(features)s)")
ERROR_UNREPAIRABLE = gettext_lazy("invalid polygon that cannot be repaired (%(reason)s)")
WARNING_REPAIRED = gettext_lazy("invalid polygon repaired (%(reason)s)")
TARGET_NAMES = {"buildings": gettext_lazy("building"), "villages": gettext_lazy("village")}


@dataclasses.dataclass(frozen=True)
class FeatureNote:
    number: int  # 1-based, in file order
    value: str | None
    message: str

    def __str__(self) -> str:
        label = _("feature %(number)s") % {"number": self.number}
        if self.value:
            label += f"（{self.value}）"
        return _("%(place)s: %(message)s") % {"place": label, "message": self.message}


@dataclasses.dataclass
class GeometryImportResult:
    batch: ImportBatch | None = None
    target: str = ""
    match_field: str = ""
    source_crs: str = ""
    features: int = 0
    matched: int = 0
    errors: list = dataclasses.field(default_factory=list)  # str or FeatureNote
    repaired: list[FeatureNote] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def target_label(self) -> str:
        return str(TARGET_NAMES[self.target]) if self.target else ""

    @property
    def shown_errors(self) -> list:
        return self.errors[:ERRORS_SHOWN]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - ERRORS_SHOWN)


def more_errors_text(count: int) -> str:
    """The line after the errors shown (the template has the same message)."""
    return ngettext("… and %(counter)s more error", "… and %(counter)s more errors", count) % {
        "counter": count
    }


def geometry_import(
    *,
    project: Project,
    path: Path,
    filename: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    match_field: str | None = None,
    target: str | None = None,
    dry_run: bool = False,
    by: User | None = None,
) -> GeometryImportResult:
    result = GeometryImportResult()
    filename = filename or path.name
    try:
        _lock_down()
        if path.stat().st_size > upload_max_bytes():
            raise GeometryImportError(too_large_message())
        with tempfile.TemporaryDirectory(prefix="geodata-") as folder:
            source = source_prepare(path=path, filename=filename, folder=Path(folder))
            frame, result.source_crs = _read(source, result, layer=layer, crs=crs)
        frame, result.match_field = _with_match_field(frame, match_field, filename)
        result.target = target or _guess_target(project, frame, result.match_field)
        updates = _match(project, frame, result)
    except GeometryImportError as error:
        result.errors.append(str(error))
        updates = []
    if not result.errors and updates:
        result.matched = len(updates)
        if not dry_run:
            _write(
                result.target, updates, by=by, reason=_("import of %(file)s") % {"file": filename}
            )
    outcome = (
        ImportOutcome.REJECTED
        if result.errors
        else ImportOutcome.VALIDATED
        if dry_run
        else ImportOutcome.IMPORTED
    )
    result.batch = ImportBatch.objects.create(
        project=project,
        kind=ImportKind.GEOMETRY,
        filename=filename[:255],
        outcome=outcome,
        row_count=result.features,
        error_count=len(result.errors),
        created_by=by,
    )
    return result


def _lock_down() -> None:
    try:
        gdal_policy.lock_down()
        gdal_policy.check()
    except gdal_policy.GdalNotLockedDown:
        logger.exception("GDAL could not be locked down; geodata import refused")
        raise GeometryImportError(str(ERROR_GDAL_LOCKED)) from None


def _read(source: Source, result: GeometryImportResult, *, layer: str | None, crs: str | None):
    path, layer = _layer(source, layer)
    try:
        info = pyogrio.read_info(path, layer=layer, force_feature_count=True)
    except Exception as error:  # pyogrio raises several DataSourceError subclasses
        raise _unreadable(source, error) from None
    if info["driver"] not in source.format.drivers:
        raise source.mismatch()
    result.features = max(info["features"], 0)
    limit = settings.GEODATA_MAX_FEATURES
    if result.features > limit:
        raise GeometryImportError(
            str(ERROR_TOO_MANY_FEATURES % {"count": result.features, "limit": limit})
        )
    try:
        frame = geopandas.read_file(path, layer=layer, engine="pyogrio", max_features=limit + 1)
    except Exception as error:
        raise _unreadable(source, error) from None
    if len(frame) > limit:  # the count a file states may be false
        raise GeometryImportError(
            str(ERROR_TOO_MANY_FEATURES % {"count": f"{limit}+", "limit": limit})
        )
    result.features = len(frame)
    if frame.empty:
        raise GeometryImportError(str(ERROR_EMPTY))
    if not isinstance(frame, geopandas.GeoDataFrame):
        raise GeometryImportError(str(ERROR_NO_GEOMETRY_LAYER))
    given = _parse_crs(crs) if crs else None
    if frame.crs is None:
        if given is None:
            raise GeometryImportError(str(ERROR_NO_CRS))
        frame = frame.set_crs(given)
    elif given is not None and not CRS(frame.crs).equals(given):
        raise GeometryImportError(
            str(ERROR_CRS_CONFLICT % {"file": _crs_name(frame.crs), "given": _crs_name(given)})
        )
    source_crs = _crs_name(frame.crs)
    frame = frame.set_geometry(shapely.force_2d(frame.geometry.values))
    frame = frame.to_crs("EPSG:4326")
    present = frame.geometry.dropna()
    present = present[~present.is_empty]
    if not present.empty:
        west, south, east, north = present.total_bounds
        if not within_china(west, south, east, north):
            finite = all(math.isfinite(value) for value in (west, south, east, north))
            where = BOUNDS % {"west": west, "east": east, "south": south, "north": north}
            message = ERROR_OUTSIDE_CHINA % {
                "where": where if finite else UNPROJECTABLE,
                "crs": source_crs,
            }
            raise GeometryImportError(str(message))
    return frame.reset_index(drop=True), source_crs


def _layer(source: Source, layer: str | None) -> tuple[Path, str | None]:
    """The file and GDAL layer to read: a zipped Shapefile's layers are its .shp files."""
    if source.shapefiles is not None:
        layers = list(source.shapefiles)
    else:
        try:
            layers = [str(name) for name, _type in pyogrio.list_layers(source.path)]
        except Exception as error:
            raise _unreadable(source, error) from None
    if not layers:
        raise GeometryImportError(str(ERROR_EMPTY))
    if layer is None and len(layers) > 1:
        raise GeometryImportError(str(ERROR_LAYERS % {"layers": _names(layers)}))
    if layer is not None and layer not in layers:
        raise GeometryImportError(
            str(ERROR_LAYER_UNKNOWN % {"layer": _shown(layer), "layers": _names(layers)})
        )
    chosen = layer or layers[0]
    if source.shapefiles is not None:
        return source.shapefiles[chosen], None
    return source.path, chosen


def _unreadable(source: Source, error: Exception) -> GeometryImportError:
    """GDAL's own message may quote the file: it goes to the log, not to the user."""
    logger.info("GIS file unreadable as %s: %.300s", source.format.name, error)
    return source.unreadable()


def _shown(value) -> str:
    return Truncator(str(value)).chars(SHOWN_VALUE_LENGTH)


def _names(names) -> str:
    names = [_shown(name) for name in names]
    more = len(names) - SHOWN_NAMES
    return "、".join(names[:SHOWN_NAMES]) + (f"…（+{more}）" if more > 0 else "")


def _parse_crs(value: str) -> CRS:
    """An authority code (EPSG:4545) or a PROJ string; nothing that makes PROJ open a file
    (+init=/path, grids)."""
    value = value.strip()
    if not (CRS_CODE.fullmatch(value) or PROJ_STRING.fullmatch(value)) or PROJ_FILES.search(value):
        raise GeometryImportError(str(ERROR_BAD_CRS % {"value": _shown(value)}))
    try:
        return CRS.from_user_input(value)
    except CRSError:
        raise GeometryImportError(str(ERROR_BAD_CRS % {"value": _shown(value)})) from None


def _crs_name(crs) -> str:
    crs = CRS(crs)
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]} {crs.name}" if authority else crs.name


def _with_match_field(frame, match_field: str | None, filename: str):
    """The code field; in a DXF, outlines carry no text, so each closed outline takes the label
    (TEXT entity) written inside it."""
    if Path(filename).suffix.lower() == ".dxf":
        frame = _dxf_outlines(frame)
    fields = [column for column in frame.columns if column != "geometry"]
    if match_field is not None:
        if match_field not in fields:
            raise GeometryImportError(
                str(ERROR_MATCH_FIELD % {"field": _shown(match_field), "fields": _names(fields)})
            )
        return frame, match_field
    for candidate in MATCH_FIELD_CANDIDATES:
        if candidate in fields and frame[candidate].notna().any():
            return frame, candidate
    raise GeometryImportError(str(ERROR_NO_MATCH_FIELD % {"fields": _names(fields)}))


def _dxf_outlines(frame):
    texts = frame[frame["Text"].notna() & (frame.geom_type == "Point")] if "Text" in frame else None
    shapes = frame[frame.geom_type != "Point"].copy()
    shapes["geometry"] = [
        Polygon(geometry.coords)
        if isinstance(geometry, LineString) and geometry.is_closed and len(geometry.coords) >= 4
        else geometry
        for geometry in shapes.geometry
    ]
    if texts is not None and not texts.empty:
        labels = []
        for geometry in shapes.geometry:
            inside = [
                text
                for text, point in zip(texts["Text"], texts.geometry, strict=True)
                if geometry is not None and geometry.contains(point)
            ]
            labels.append(inside[0] if len(inside) == 1 else None)
        shapes["Text"] = labels
    return shapes.reset_index(drop=True)


def _key(target: str, value, villages) -> object | None:
    text = unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""
    if not text or text.lower() == "nan":
        return None
    if target == "buildings":
        try:
            return normalize_building_code(text)
        except ValidationError:
            return None
    village = (
        villages.get(text) or villages.get(text.lower()) or villages.get(text.removesuffix("村"))
    )
    return village.pk if village else None


def _guess_target(project, frame, field) -> str:
    buildings = set(Building.objects.for_project(project).values_list("code", flat=True))
    villages = village_lookup(project)
    building_hits = sum(
        1 for value in frame[field] if _key("buildings", value, villages) in buildings
    )
    village_hits = sum(1 for value in frame[field] if _key("villages", value, villages) is not None)
    if not building_hits and not village_hits:
        examples = "、".join(_shown(value) for value in frame[field].dropna().head(3))
        raise GeometryImportError(
            str(ERROR_NOTHING_MATCHES % {"field": field, "examples": examples or "—"})
        )
    return "buildings" if building_hits >= village_hits else "villages"


def _match(project, frame, result: GeometryImportResult) -> list:
    target, field = result.target, result.match_field
    villages = village_lookup(project)
    if target == "buildings":
        objects = {b.code: b for b in Building.objects.for_project(project)}
    else:
        objects = {village.pk: village for village in project.villages.all()}
    seen: dict[object, list[int]] = defaultdict(list)
    updates = []
    for number, (value, geometry) in enumerate(zip(frame[field], frame.geometry, strict=True), 1):
        shown = None if value is None or str(value) == "nan" else _shown(value)
        key = _key(target, value, villages)
        if shown is None:
            result.errors.append(FeatureNote(number, None, str(ERROR_NO_CODE % {"field": field})))
            continue
        if key not in objects:
            message = ERROR_UNMATCHED % {"value": shown, "target": TARGET_NAMES[target]}
            result.errors.append(FeatureNote(number, shown, str(message)))
            continue
        seen[key].append(number)
        cleaned = _clean_geometry(target, geometry, number, shown, result)
        if cleaned is not None:
            updates.append((objects[key], cleaned))
    for key, numbers in seen.items():
        if len(numbers) > 1:
            features = "、".join(str(number) for number in numbers)
            for number in numbers:
                message = ERROR_DUPLICATE % {"value": str(objects[key]), "features": features}
                result.errors.append(FeatureNote(number, str(objects[key]), str(message)))
    result.errors.sort(key=lambda note: note.number if isinstance(note, FeatureNote) else 0)
    return updates


def _clean_geometry(target, geometry, number, shown, result):
    if geometry is None or geometry.is_empty:
        result.errors.append(FeatureNote(number, shown, str(ERROR_NO_GEOMETRY)))
        return None
    polygonal = geometry.geom_type in ("Polygon", "MultiPolygon")
    if not polygonal and not (target == "buildings" and geometry.geom_type == "Point"):
        message = ERROR_WRONG_GEOMETRY % {
            "kind": geometry.geom_type,
            "target": TARGET_NAMES[target],
        }
        result.errors.append(FeatureNote(number, shown, str(message)))
        return None
    if polygonal and not geometry.is_valid:
        reason = explain_validity(geometry)
        repaired = _polygons(shapely.make_valid(geometry))
        if repaired is None or not repaired.is_valid:
            result.errors.append(
                FeatureNote(number, shown, str(ERROR_UNREPAIRABLE % {"reason": reason}))
            )
            return None
        result.repaired.append(
            FeatureNote(number, shown, str(WARNING_REPAIRED % {"reason": reason}))
        )
        geometry = repaired
    return geometry


def _polygons(geometry):
    """The polygonal part of a repaired geometry (make_valid may add stray lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in getattr(geometry, "geoms", []) if part.geom_type == "Polygon"]
    parts += [
        p
        for part in getattr(geometry, "geoms", [])
        if part.geom_type == "MultiPolygon"
        for p in part.geoms
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _rounded(geometry) -> dict:
    """GeoJSON of the geometry at about a centimetre, unless rounding would break it."""
    rounded = shapely.set_precision(geometry, 10**-COORDINATE_DECIMALS)
    return mapping(rounded if rounded.is_valid and not rounded.is_empty else geometry)


def _write(target: str, updates, *, by: User | None, reason: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        if target == "buildings":
            for building, geometry in updates:
                point = (
                    geometry if geometry.geom_type == "Point" else geometry.representative_point()
                )
                building.longitude = round(point.x, 6)
                building.latitude = round(point.y, 6)
                building.footprint = None if geometry.geom_type == "Point" else _rounded(geometry)
                building.updated_at = now
            bulk_update_with_history(
                [building for building, _geometry in updates],
                Building,
                ["footprint", "longitude", "latitude", "updated_at"],
                batch_size=500,
                default_user=by,
                default_change_reason=reason,
            )
        else:
            for village, geometry in updates:
                village.boundary = _rounded(geometry)
                village.updated_at = now
            bulk_update_with_history(
                [village for village, _geometry in updates],
                Village,
                ["boundary", "updated_at"],
                default_user=by,
                default_change_reason=reason,
            )
