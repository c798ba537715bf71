"""GIS files in the formats survey offices send, for geometry import tests."""

import json
import sqlite3
import stat
import uuid
import zipfile
from pathlib import Path

import geopandas
from shapely.geometry import Polygon, box

# Around Xi'an's Yanta district, in WGS84.
ORIGIN = (108.980, 34.230)


def footprint(index: int, *, width: float = 0.0003, depth: float = 0.00015) -> Polygon:
    west = ORIGIN[0] + (index % 10) * 0.0006
    south = ORIGIN[1] + (index // 10) * 0.0004
    return box(west, south, west + width, south + depth)


def frame(codes, *, field: str = "code", crs: str = "EPSG:4326", geometries=None):
    """Footprints for these codes, reprojected to `crs` (default: a CGCS2000 zone)."""
    geometries = geometries or [footprint(i) for i in range(len(codes))]
    data = geopandas.GeoDataFrame({field: list(codes)}, geometry=geometries, crs="EPSG:4326")
    return data.to_crs(crs)


def geopackage(path: Path, codes, *, crs="EPSG:4524", layer="footprints", **kwargs) -> Path:
    frame(codes, crs=crs, **kwargs).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def geojson(path: Path, codes, **kwargs) -> Path:
    frame(codes, crs="EPSG:4326", **kwargs).to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def zipped_shapefile(path: Path, codes, *, crs="EPSG:4545", with_prj=True, **kwargs) -> Path:
    folder = path.parent / f"{path.stem}-parts"
    folder.mkdir()
    frame(codes, crs=crs, **kwargs).to_file(
        folder / "buildings.shp", engine="pyogrio", encoding="UTF-8"
    )
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            if with_prj or part.suffix != ".prj":
                archive.write(part, part.name)
    return path


def kml(path: Path, codes) -> Path:
    data = frame(codes, field="Name", crs="EPSG:4326")
    data.to_file(path, driver="KML", engine="pyogrio")
    return path


def dxf(path: Path, codes, *, crs="EPSG:4545") -> Path:
    """Closed LWPOLYLINE outlines with TEXT labels inside, GBK-encoded as Chinese CAD saves
    them; a DXF states no coordinate system."""
    data = frame(codes, crs=crs)
    lines = [
        "0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1015",
        "9", "$DWGCODEPAGE", "3", "ANSI_936", "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES",
    ]  # fmt: skip
    for code, polygon in zip(data["code"], data.geometry, strict=True):
        ring = list(polygon.exterior.coords)[:-1]
        lines += ["0", "LWPOLYLINE", "8", "安置楼", "90", str(len(ring)), "70", "1"]
        for x, y in ring:
            lines += ["10", f"{x:.3f}", "20", f"{y:.3f}"]
        centre = polygon.centroid
        lines += ["0", "TEXT", "8", "楼号", "10", f"{centre.x:.3f}", "20", f"{centre.y:.3f}",
                  "30", "0.0", "40", "2.5", "1", code]  # fmt: skip
    lines += ["0", "ENDSEC", "0", "EOF"]
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


def bowtie(index: int) -> Polygon:
    """A self-intersecting footprint, as hand-digitised outlines sometimes are."""
    base = footprint(index)
    west, south, east, north = base.bounds
    return Polygon([(west, south), (east, north), (east, south), (west, north)])


# Hostile files, as the probe of issue 7 built them.


def secret_file(folder: Path) -> tuple[Path, str]:
    """A server file an attacker wants: a .env line with a unique marker."""
    marker = f"marker-{uuid.uuid4().hex}"
    path = folder / "secret.env"
    path.write_text(f"SECRET_KEY={marker}\nDEBUG=false\n")
    return path, marker


def leaking_vrt(secret: Path) -> bytes:
    """An OGR VRT that reads each line of `secret` as a feature whose code is the line, placed
    in Xi'an: every line comes back as an unmatched code."""
    layer_sql = " ".join(
        ("SELECT field_1 AS code, 'POINT (108.98 34.23)' AS wkt FROM", secret.stem)
    )
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="leak"><SrcDataSource>CSV:{secret}</SrcDataSource>'
        '<OpenOptions><OOI key="HEADERS">NO</OOI></OpenOptions>'
        f'<SrcSQL dialect="OGRSQL">{layer_sql}</SrcSQL><LayerSRS>EPSG:4326</LayerSRS>'
        '<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>'
    ).encode()


def fetching_vrt(url: str) -> bytes:
    """An OGR VRT whose layer is a CSV at `url`, through /vsicurl/ (server-side request)."""
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="a"><SrcDataSource>/vsicurl/{url}/a.csv'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def geojson_with_crs_link(url: str, codes) -> bytes:
    """A GeoJSON whose 2008-style `crs` is a link: GDAL's GeoJSON driver downloads it."""
    document = json.loads(frame(codes, crs="EPSG:4326").to_json())
    document["crs"] = {"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}
    return json.dumps(document).encode()


def kml_with_network_link(url: str, codes) -> bytes:
    placemarks = "".join(
        f"<Placemark><name>{code}</name><Point><coordinates>{point.x},{point.y}</coordinates>"
        "</Point></Placemark>"
        for code, point in ((code, footprint(index).centroid) for index, code in enumerate(codes))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><NetworkLink><Link><href>{url}/linked.kml</href></Link></NetworkLink>"
        f"{placemarks}</Document></kml>"
    ).encode()


def geopackage_with_schema(path: Path, codes, statements: list[str]) -> Path:
    """A real GeoPackage, plus schema objects written straight into it (sqlite_master may be
    written directly, as a forger would, for modules our sqlite3 lacks)."""
    geopackage(path, codes, crs="EPSG:4326")
    connection = sqlite3.connect(path)
    with connection:
        for statement in statements:
            if statement.upper().startswith("CREATE VIRTUAL TABLE"):
                name = statement.split()[3]
                connection.execute("PRAGMA writable_schema=ON")
                connection.execute(
                    "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) "
                    "VALUES ('table', ?, ?, 0, ?)",
                    (name, name, statement),
                )
            else:
                connection.execute(statement)
    connection.close()
    return path


def zip_of(path: Path, members: dict[str, bytes], *, symlinks=(), gbk_names=False) -> Path:
    """A zip of these members; with `gbk_names`, names in GBK without the UTF-8 flag, as
    Chinese Windows writes them (zipfile writes UTF-8 only: ASCII stand-ins of the same
    length are written, then replaced byte for byte)."""
    stand_ins = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(members.items()):
            if gbk_names and not name.isascii():
                encoded = name.encode("gbk")
                stand_in = f"~{index:04d}".ljust(len(encoded), "~").encode()
                stand_ins[stand_in] = encoded
                name = stand_in.decode()
            archive.writestr(name, content)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    content = path.read_bytes()
    for stand_in, encoded in stand_ins.items():
        assert content.count(stand_in) == 2  # the local header and the central directory
        content = content.replace(stand_in, encoded)
    path.write_bytes(content)
    return path


def shapefile_parts(folder: Path, codes, *, crs="EPSG:4545", stem="buildings") -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    frame(codes, crs=crs).to_file(folder / f"{stem}.shp", engine="pyogrio", encoding="UTF-8")
    return {part.name: part.read_bytes() for part in folder.iterdir()}


def kmz(path: Path, codes) -> Path:
    document = kml(path.with_suffix(".kml"), codes).read_bytes()
    return zip_of(path, {"doc.kml": document, "files/icon.png": b"\x89PNG\r\n\x1a\n"})
