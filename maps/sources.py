"""An uploaded GIS file, checked against what its name says before GDAL sees it.

The suffix decides the format and the drivers allowed to open it; the content must then look
like that format (magic bytes and structure), or the file is refused with a message that
repeats nothing of it. Archives are unpacked here, never by GDAL: a zipped Shapefile's parts
(only those) and a KMZ's doc.kml go into a private temporary folder under names of our own,
with limits on members, sizes and compression ratio, and no links or paths outside the folder.
"""

import dataclasses
import json
import re
import sqlite3
import stat
import xml.parsers.expat
import zipfile
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext_lazy

from maps.formats import ERROR_IMPORT_FORMAT, upload_max_bytes

ERROR_CONTENT_MISMATCH = gettext_lazy(
    "The file cannot be read as GIS data: its content is not %(format)s, as its name "
    "(%(suffix)s) says."
)
ERROR_UNREADABLE = gettext_lazy(
    "The file cannot be read as GIS data: it is not a valid %(format)s file."
)
ERROR_GEOJSON_TYPE = gettext_lazy("A GeoJSON file must hold a FeatureCollection or a Feature.")
ERROR_GEOJSON_CRS = gettext_lazy(
    "The GeoJSON names its coordinate system by a link; only a name such as EPSG:4545 is accepted."
)
ERROR_GPKG_REFERENCES = gettext_lazy(
    "The GeoPackage contains views, triggers or virtual tables that refer to other files or "
    "services; export the layer as a plain table."
)
ERROR_KML_DOCTYPE = gettext_lazy(
    "The KML file declares a DOCTYPE or entities, which are not accepted."
)
ERROR_KML_NETWORK_LINK = gettext_lazy(
    "The KML file contains a NetworkLink (a link to data elsewhere); save the features "
    "themselves in the file."
)
ERROR_ZIP_DAMAGED = gettext_lazy("The zip archive is damaged or encrypted.")
ERROR_ZIP_MEMBERS = gettext_lazy(
    "The zip archive holds %(count)s entries; at most %(limit)s are accepted."
)
ERROR_ZIP_EXPANDS = gettext_lazy(
    "The zip archive unpacks to more than %(limit)s MB, or compresses suspiciously well."
)
ERROR_ZIP_UNSAFE = gettext_lazy(
    "The zip archive contains a link, or a path outside the archive (%(name)s)."
)
ERROR_ZIP_NO_SHAPEFILE = gettext_lazy(
    "The zip archive contains no Shapefile (.shp with its .shx and .dbf)."
)
ERROR_ZIP_DUPLICATE = gettext_lazy("The zip archive holds two Shapefiles named %(name)s.")
ERROR_KMZ_NO_KML = gettext_lazy("The KMZ archive contains no doc.kml.")

MAX_ZIP_MEMBERS = 1_000
MAX_COMPRESSION_RATIO = 200  # checked on members of more than a megabyte
UNPACKED_TO_UPLOAD = 10  # an archive may unpack to ten times the upload limit
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
SHP_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
OGC_CRS_URL = re.compile(r"^https?://www\.opengis\.net/def/crs/[\w./-]+$")
# SQL in a GeoPackage's schema that reaches outside it: GDAL's virtual file systems, its SQL
# functions (ogr_datasource_load_layers, ogr_geocode…), its VirtualOGR tables, extensions.
GPKG_OUTSIDE = re.compile(r"/vsi|\bvirtualogr\b|\bogr_\w+\s*\(|\bload_extension\s*\(", re.I)
GPKG_VIRTUAL = re.compile(r"^\s*create\s+virtual\s+table\s+.+?\s+using\s+(\w+)", re.I | re.S)


class GeometryImportError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Format:
    name: str
    drivers: frozenset[str]


FORMATS = {
    ".geojson": Format("GeoJSON", frozenset({"GeoJSON"})),
    ".json": Format("GeoJSON", frozenset({"GeoJSON"})),
    ".gpkg": Format("GeoPackage", frozenset({"GPKG"})),
    ".zip": Format("Shapefile", frozenset({"ESRI Shapefile"})),
    ".kml": Format("KML", frozenset({"LIBKML", "KML"})),
    ".kmz": Format("KMZ", frozenset({"LIBKML", "KML"})),
    ".dxf": Format("DXF", frozenset({"DXF"})),
}


@dataclasses.dataclass(frozen=True)
class Source:
    """What GDAL may open: one file, or for a zipped Shapefile one .shp per layer."""

    format: Format
    suffix: str
    path: Path
    shapefiles: dict[str, Path] | None = None  # layer name -> .shp, for a zip

    def mismatch(self) -> GeometryImportError:
        return _mismatch(self.format, self.suffix)

    def unreadable(self) -> GeometryImportError:
        return _unreadable(self.format)


def _mismatch(kind: Format, suffix: str) -> GeometryImportError:
    return GeometryImportError(
        str(ERROR_CONTENT_MISMATCH % {"format": kind.name, "suffix": suffix})
    )


def _unreadable(kind: Format) -> GeometryImportError:
    return GeometryImportError(str(ERROR_UNREADABLE % {"format": kind.name}))


def source_prepare(*, path: Path, filename: str, folder: Path) -> Source:
    """Check the file against its suffix; unpack an archive into `folder` (private, empty)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise GeometryImportError(str(ERROR_IMPORT_FORMAT))
    kind = FORMATS[suffix]
    mismatch, unreadable = _mismatch(kind, suffix), _unreadable(kind)
    if suffix in (".geojson", ".json"):
        _geojson_check(path, mismatch, unreadable)
    elif suffix == ".gpkg":
        _geopackage_check(path, mismatch, unreadable)
    elif suffix == ".kml":
        _kml_check(path, mismatch, unreadable)
    elif suffix == ".dxf":
        _dxf_check(path, mismatch)
    elif suffix == ".zip":
        return Source(kind, suffix, path, _shapefiles_unpack(path, folder, mismatch, unreadable))
    else:
        path = _kmz_unpack(path, folder, mismatch, unreadable)
        _kml_check(path, mismatch, unreadable)
    return Source(kind, suffix, path)


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


def _geojson_check(path: Path, mismatch, unreadable) -> None:
    content = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    if not content.lstrip().startswith(b"{"):
        raise mismatch
    try:
        document = json.loads(content)
    except (ValueError, RecursionError):
        raise unreadable from None
    if not isinstance(document, dict) or document.get("type") not in (
        "FeatureCollection",
        "Feature",
    ):
        raise GeometryImportError(str(ERROR_GEOJSON_TYPE))
    if "crs" in document and not _named_crs(document["crs"]):
        raise GeometryImportError(str(ERROR_GEOJSON_CRS))


def _named_crs(crs) -> bool:
    """The 2008 GeoJSON `crs` member by name or EPSG code; a "link" would be downloaded."""
    if crs is None:
        return True
    if not isinstance(crs, dict) or not isinstance(crs.get("properties"), dict):
        return False
    properties = crs["properties"]
    if crs.get("type") == "EPSG":
        return isinstance(properties.get("code"), int)
    name = properties.get("name")
    if crs.get("type") != "name" or not isinstance(name, str) or len(name) > 200:
        return False
    return "/" not in name or bool(OGC_CRS_URL.match(name))


def _geopackage_check(path: Path, mismatch, unreadable) -> None:
    header = _head(path, 100)
    if not header.startswith(SQLITE_MAGIC) or header[68:72] not in GPKG_APPLICATION_IDS:
        raise mismatch
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            schema = connection.execute("SELECT sql FROM sqlite_master").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        raise unreadable from None
    for (sql,) in schema:
        virtual = GPKG_VIRTUAL.match(sql or "")
        if GPKG_OUTSIDE.search(sql or "") or (virtual and virtual[1].lower() != "rtree"):
            raise GeometryImportError(str(ERROR_GPKG_REFERENCES))


class _KmlRefused(Exception):
    pass


def _kml_check(path: Path, mismatch, unreadable) -> None:
    """A <kml> document with no DOCTYPE, entity or NetworkLink, parsed as a stream."""
    head = _head(path, 1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<"):
        raise mismatch
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    elements: list[str] = []

    def refuse(*args):
        raise _KmlRefused(ERROR_KML_DOCTYPE)

    def start(name, attributes):
        local = name.rpartition(" ")[2]
        if not elements and local != "kml":
            raise _KmlRefused(mismatch)
        if local == "NetworkLink":
            raise _KmlRefused(ERROR_KML_NETWORK_LINK)
        elements.append(local)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    try:
        with path.open("rb") as file:
            while chunk := file.read(65536):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _KmlRefused as refused:
        reason = refused.args[0]
        raise (
            reason if isinstance(reason, GeometryImportError) else GeometryImportError(str(reason))
        ) from None
    except (xml.parsers.expat.ExpatError, ValueError):
        raise unreadable from None
    if not elements:
        raise mismatch


def _dxf_check(path: Path, mismatch) -> None:
    """ASCII DXF: group code 0 then SECTION, after any 999 comments."""
    head = _head(path, 4096).removeprefix(b"\xef\xbb\xbf")
    lines = [line.strip() for line in head.decode("latin-1").splitlines()]
    while len(lines) >= 2 and lines[0] == "999":
        lines = lines[2:]
    if lines[:2] != ["0", "SECTION"]:
        raise mismatch


def _members(path: Path, mismatch, unreadable) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive's file entries, after the checks that need no unpacking."""
    if _head(path, 4) != ZIP_MAGIC:
        raise mismatch
    try:
        archive = _zip_open(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_MEMBERS:
        archive.close()
        raise GeometryImportError(
            str(ERROR_ZIP_MEMBERS % {"count": len(entries), "limit": MAX_ZIP_MEMBERS})
        )
    files = []
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        kind = stat.S_IFMT(entry.external_attr >> 16)
        if (
            name.startswith("/")
            or ".." in parts
            or (parts and ":" in parts[0])
            or kind == stat.S_IFLNK
        ):
            archive.close()
            raise GeometryImportError(str(ERROR_ZIP_UNSAFE % {"name": entry.filename[:100]}))
        if entry.flag_bits & 0x1:
            archive.close()
            raise GeometryImportError(str(ERROR_ZIP_DAMAGED))
        if (
            entry.is_dir()
            or name.startswith("__MACOSX/")
            or PurePosixPath(name).name.startswith("._")
        ):
            continue
        files.append(entry)
    return archive, files


def _zip_open(path: Path) -> zipfile.ZipFile:
    """Names not marked UTF-8 are read as GBK, as Chinese Windows writes them (the layer
    names of a zipped Shapefile come from them), or as CP437 if they are not GBK."""
    try:
        return zipfile.ZipFile(path, metadata_encoding="gbk")
    except UnicodeDecodeError:
        return zipfile.ZipFile(path)


def _unpacked_limit() -> int:
    return UNPACKED_TO_UPLOAD * upload_max_bytes()


def _expands_error() -> GeometryImportError:
    return GeometryImportError(
        str(ERROR_ZIP_EXPANDS % {"limit": _unpacked_limit() // (1024 * 1024)})
    )


def _extract(
    archive: zipfile.ZipFile, entries: list[tuple[zipfile.ZipInfo, Path]], unreadable
) -> None:
    """Unpack into new files of our naming, counting the bytes really written (a member's
    declared size may lie)."""
    limit = _unpacked_limit()
    declared = sum(entry.file_size for entry, _target in entries)
    for entry, _target in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise _expands_error()
    if declared > limit:
        raise _expands_error()
    written = 0
    try:
        for entry, target in entries:
            with archive.open(entry) as member, target.open("xb") as out:
                while chunk := member.read(65536):
                    written += len(chunk)
                    if written > limit:
                        raise _expands_error()
                    out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise unreadable from None


def _shapefiles_unpack(path: Path, folder: Path, mismatch, unreadable) -> dict[str, Path]:
    archive, files = _members(path, mismatch, unreadable)
    with archive:
        groups: dict[str, list[zipfile.ZipInfo]] = {}
        for entry in files:
            member = PurePosixPath(entry.filename.replace("\\", "/"))
            extension = member.suffix.lower()
            if extension in SHAPEFILE_PARTS:
                groups.setdefault(str(member.with_suffix("")).lower(), []).append(entry)
        layers: dict[str, Path] = {}
        wanted = []
        for index, parts in enumerate(groups.values()):
            shp = [entry for entry in parts if entry.filename.lower().endswith(".shp")]
            if not shp:
                continue
            name = PurePosixPath(shp[0].filename.replace("\\", "/")).stem
            if name in layers:
                raise GeometryImportError(str(ERROR_ZIP_DUPLICATE % {"name": name[:100]}))
            layers[name] = folder / f"layer{index}.shp"
            suffixes = set()
            for entry in parts:
                suffix = PurePosixPath(entry.filename).suffix.lower()
                if suffix in suffixes:
                    raise GeometryImportError(str(ERROR_ZIP_DUPLICATE % {"name": name[:100]}))
                suffixes.add(suffix)
                wanted.append((entry, folder / f"layer{index}{suffix}"))
        if not layers:
            raise GeometryImportError(str(ERROR_ZIP_NO_SHAPEFILE))
        _extract(archive, wanted, unreadable)
    for layer in layers.values():
        if _head(layer, 4) != SHP_MAGIC:
            raise unreadable
    return layers


def _kmz_unpack(path: Path, folder: Path, mismatch, unreadable) -> Path:
    """A KMZ's main document: doc.kml at the root, or its only .kml there."""
    archive, files = _members(path, mismatch, unreadable)
    with archive:
        root = [entry for entry in files if "/" not in entry.filename.replace("\\", "/")]
        kml = [entry for entry in root if entry.filename.lower().endswith(".kml")]
        doc = [entry for entry in kml if entry.filename.lower() == "doc.kml"] or kml
        if len(doc) != 1:
            raise GeometryImportError(str(ERROR_KMZ_NO_KML))
        target = folder / "doc.kml"
        _extract(archive, [(doc[0], target)], unreadable)
    return target
