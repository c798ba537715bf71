"""GIS files in the formats survey offices send, for geometry import tests."""

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
