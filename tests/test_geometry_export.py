import io
import json
import re
import shutil
import subprocess
import warnings

import geopandas
import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from shapely.geometry import shape

from maps.static_map import project_map_png
from resettlement.housing.models import Building
from tests import geodata
from tests.factories import make_building, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = make_project("QLS")
    for index, code in enumerate(["1#", "2#", "3#"]):
        building = make_building(project, code)
        building.footprint = geodata.footprint(index).__geo_interface__
        building.longitude, building.latitude = 108.98 + index * 0.0006, 34.2301
        building.save()
    point_only = make_building(project, "4#")
    point_only.longitude, point_only.latitude = 108.99, 34.231
    point_only.save()
    village = project.villages.first()
    village.boundary = geodata.footprint(0, width=0.01, depth=0.01).__geo_interface__
    village.save()
    return project


def expected_rows(project):
    return {
        b.code: b for b in Building.objects.for_project(project).select_related("current_milestone")
    }


def test_geopackage_round_trips_through_geopandas(project, tmp_path):
    path = tmp_path / "qls.gpkg"
    call_command("export_geometry", "QLS", str(path))
    buildings = geopandas.read_file(path, layer="buildings")
    points = geopandas.read_file(path, layer="building_points")
    villages = geopandas.read_file(path, layer="villages")
    assert buildings.crs.to_epsg() == 4326
    stored = expected_rows(project)
    assert set(buildings["code"]) == {"1#", "2#", "3#"} and list(points["code"]) == ["4#"]
    for _index, row in buildings.iterrows():
        building = stored[row["code"]]
        assert row["progress"] == float(building.progress)
        assert row["stage"] == building.current_milestone.name
        assert row["phase"] == "not_started"
        assert row.geometry.symmetric_difference(shape(building.footprint)).area < 1e-12
    assert points.geometry[0].x == pytest.approx(108.99)
    assert len(villages) == 1


def test_geojson_export_is_rfc7946(project, tmp_path):
    path = tmp_path / "qls.geojson"
    call_command("export_geometry", "QLS", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in data  # RFC 7946: WGS84 is implied
    assert len(data["features"]) == 4
    first = data["features"][0]["geometry"]["coordinates"][0][0]
    assert 108 < first[0] < 109 and 34 < first[1] < 35  # longitude first
    assert set(geopandas.read_file(path)["code"]) == {"1#", "2#", "3#", "4#"}


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin is installed by make setup")
def test_ogrinfo_reads_the_geopackage(project, tmp_path):
    path = tmp_path / "qls.gpkg"
    call_command("export_geometry", "QLS", str(path))
    output = subprocess.run(
        ["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Layer name: buildings" in output and "Feature Count: 3" in output
    assert "Layer name: villages" in output
    for field in ("code: String", "progress: Real", "stage: String", "phase: String"):
        assert field in output, field


def test_exported_file_re_imports_unchanged(project, tmp_path):
    path = tmp_path / "qls.gpkg"
    call_command("export_geometry", "QLS", str(path))
    before = {b.code: b.footprint for b in Building.objects.for_project(project)}
    call_command("import_geometry", "QLS", str(path), "--layer", "buildings")
    after = {b.code: b.footprint for b in Building.objects.for_project(project)}
    for code in ("1#", "2#", "3#"):
        assert shape(after[code]).symmetric_difference(shape(before[code])).area < 1e-12


def test_static_map_is_a_png_with_chinese_labels_and_no_missing_glyphs(project):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        content = project_map_png(project)
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG" and image.size == (1650, 1237)
    assert not [w for w in caught if "missing from" in str(w.message)], [
        str(w.message) for w in caught
    ]


def test_map_image_and_exports_are_served_to_project_staff_only(project, login, personas):
    personas["leader"]  # global role
    leader = login("leader")
    assert leader.get(reverse("maps:project-image", args=["QLS"]))["Content-Type"] == "image/png"
    assert leader.get(reverse("maps:geometry-download", args=["QLS", "gpkg"])).status_code == 200
    assert login("team").get(reverse("maps:project-image", args=["QLS"])).status_code == 404


def test_the_geodata_a_role_may_take_is_linked_where_it_sees_the_project(project, login, personas):
    """Leaders and selection staff see a project's buildings, so they may take its geodata (no
    personal data in it): the project page links the downloads for them, and every link works.
    The geodata page imports; only the roles that manage geodata see it, or a link to it."""
    dashboard = reverse("projects:dashboard", args=["QLS"])
    geodata_page = reverse("maps:geometry", args=["QLS"])
    for name in ("leader", "admin"):
        client = login(name)
        page = client.get(dashboard).content.decode()
        links = re.findall(
            r'href="([^"]+)"', page.split('id="geodata-downloads"')[1].split("</p>")[0]
        )
        assert len(links) == 3, links
        for link in links:
            assert client.get(link).status_code == 200, (name, link)
        assert (f'href="{geodata_page}"' in page) == (name == "admin")
        assert client.get(geodata_page).status_code == (200 if name == "admin" else 403)
