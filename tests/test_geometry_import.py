import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from shapely.geometry import shape

from maps.importing import geometry_import
from resettlement.housing.models import Building
from resettlement.imports.models import ImportOutcome
from tests import geodata
from tests.factories import make_building, make_project

pytestmark = pytest.mark.django_db
CODES = ["1#", "2#", "3#"]


@pytest.fixture
def project():
    project = make_project("QLS")
    for code in CODES:
        make_building(project, code)
    return project


def run(project, path: Path, **options):
    return geometry_import(project=project, path=path, **options)


def stored_footprints(project) -> dict[str, object]:
    return {b.code: b.footprint for b in Building.objects.for_project(project)}


def assert_imported(project, result, codes=CODES):
    assert result.ok, [str(error) for error in result.errors]
    assert result.target == "buildings" and result.matched == len(codes)
    for index, code in enumerate(codes):
        building = Building.objects.get(project=project, code=code)
        expected = geodata.footprint(index)
        assert shape(building.footprint).symmetric_difference(expected).area < expected.area * 1e-4
        assert 108.9 < float(building.longitude) < 109.1 and 34.2 < float(building.latitude) < 34.3


def test_geopackage_in_cgcs2000_zone_36_is_reprojected_to_wgs84(project, tmp_path):
    result = run(project, geodata.geopackage(tmp_path / "楼栋.gpkg", CODES, crs="EPSG:4524"))
    assert "EPSG:4524" in result.source_crs
    assert_imported(project, result)
    assert (
        Building.objects.get(project=project, code="1#").history.first().history_change_reason
        == "导入 楼栋.gpkg"
    )


def test_geojson_is_read_as_wgs84(project, tmp_path):
    assert_imported(project, run(project, geodata.geojson(tmp_path / "b.geojson", CODES)))


def test_zipped_shapefile_takes_its_crs_from_the_prj(project, tmp_path):
    path = geodata.zipped_shapefile(tmp_path / "b.zip", CODES, crs="EPSG:4545")
    result = run(project, path)
    assert "EPSG:4545" in result.source_crs
    assert_imported(project, result)


def test_kml_is_matched_by_its_name_field(project, tmp_path):
    result = run(project, geodata.kml(tmp_path / "b.kml", CODES))
    assert result.match_field == "Name"
    assert_imported(project, result)


def test_dxf_outlines_take_the_label_written_inside_them(project, tmp_path):
    path = geodata.dxf(tmp_path / "总图.dxf", ["1#", "2号楼", "3#"])
    result = run(project, path, crs="EPSG:4545")
    assert result.match_field == "Text"
    assert_imported(project, result)


def test_a_file_without_crs_is_refused_unless_one_is_given(project, tmp_path):
    path = geodata.zipped_shapefile(tmp_path / "b.zip", CODES, crs="EPSG:4545", with_prj=False)
    result = run(project, path)
    assert not result.ok
    assert "--crs" in result.errors[0] and "EPSG:4545" in result.errors[0]
    assert result.batch.outcome == ImportOutcome.REJECTED
    assert all(footprint is None for footprint in stored_footprints(project).values())
    assert_imported(project, run(project, path, crs="EPSG:4545"))


def test_a_wrong_crs_landing_outside_china_is_refused_with_advice(project, tmp_path):
    # Eastings without the zone prefix (EPSG:4545) read as zone 36 (EPSG:4524).
    path = geodata.zipped_shapefile(tmp_path / "b.zip", CODES, crs="EPSG:4545", with_prj=False)
    result = run(project, path, crs="EPSG:4524")
    assert len(result.errors) == 1
    assert "中国境外" in result.errors[0] and "36" in result.errors[0]
    assert all(footprint is None for footprint in stored_footprints(project).values())


def test_a_crs_contradicting_the_file_is_refused(project, tmp_path):
    result = run(
        project, geodata.geopackage(tmp_path / "b.gpkg", CODES, crs="EPSG:4524"), crs="EPSG:4545"
    )
    assert "EPSG:4524" in result.errors[0] and "EPSG:4545" in result.errors[0]


def test_unmatched_codes_are_reported_by_feature_and_nothing_is_written(project, tmp_path):
    path = geodata.geopackage(tmp_path / "b.gpkg", ["1#", "9#", "2#"])
    result = run(project, path)
    assert [str(error) for error in result.errors] == [
        "第2个要素（9#）：9# 与本项目的任何楼栋都不匹配"
    ]
    assert all(footprint is None for footprint in stored_footprints(project).values())


def test_duplicate_codes_are_reported_on_each_feature(project, tmp_path):
    path = geodata.geopackage(tmp_path / "b.gpkg", ["1#", "2#", "1号楼"])
    result = run(project, path)
    assert [error.number for error in result.errors] == [1, 3]
    assert "重复出现（要素 1、3）" in result.errors[0].message


def test_an_invalid_polygon_is_repaired_and_reported(project, tmp_path):
    geometries = [geodata.footprint(0), geodata.bowtie(1), geodata.footprint(2)]
    path = geodata.geopackage(tmp_path / "b.gpkg", CODES, geometries=geometries)
    result = run(project, path)
    assert result.ok, result.errors
    assert [note.number for note in result.repaired] == [2]
    assert "已修复" in str(result.repaired[0])
    repaired = shape(Building.objects.get(project=project, code="2#").footprint)
    assert repaired.is_valid and repaired.geom_type in ("Polygon", "MultiPolygon")


def test_several_layers_need_a_layer_name(project, tmp_path):
    path = geodata.geopackage(tmp_path / "b.gpkg", CODES, layer="footprints")
    geodata.geopackage(path, ["1#"], layer="other")
    result = run(project, path)
    assert "--layer" in result.errors[0]
    assert_imported(project, run(project, path, layer="footprints"))


def test_village_boundaries_are_matched_by_village_code(project, tmp_path):
    village = project.villages.order_by("code").first()
    boundary = geodata.footprint(0, width=0.004, depth=0.003)
    path = geodata.geopackage(tmp_path / "v.gpkg", [village.code], geometries=[boundary])
    result = run(project, path)
    assert result.ok and result.target == "villages"
    village.refresh_from_db()
    assert shape(village.boundary).symmetric_difference(boundary).area < boundary.area * 1e-6


def test_dry_run_writes_nothing(project, tmp_path):
    result = run(project, geodata.geojson(tmp_path / "b.geojson", CODES), dry_run=True)
    assert result.ok and result.batch.outcome == ImportOutcome.VALIDATED
    assert all(footprint is None for footprint in stored_footprints(project).values())


def test_command_reports_each_problem_and_exits_non_zero(project, tmp_path, capsys):
    path = geodata.geopackage(tmp_path / "b.gpkg", ["1#", "9#"])
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_geometry", "QLS", str(path), "--match-field", "code")
    assert "第2个要素（9#）" in capsys.readouterr().err


def test_command_imports_a_clean_file(project, tmp_path, capsys):
    call_command("import_geometry", "QLS", str(geodata.geopackage(tmp_path / "b.gpkg", CODES)))
    assert "3 个要素与楼栋匹配" in capsys.readouterr().out


def test_upload_page_imports_for_a_project_team(project, login, personas, tmp_path):
    personas["team"].projects.add(project)
    content = geodata.geopackage(tmp_path / "b.gpkg", CODES).read_bytes()
    response = login("team").post(
        reverse("maps:geometry", args=["QLS"]), {"file": SimpleUploadedFile("b.gpkg", content)}
    )
    page = response.content.decode()
    assert 'data-outcome="imported"' in page
    assert Building.objects.get(project=project, code="1#").footprint is not None


def test_upload_page_lists_errors(project, login, personas, tmp_path):
    personas["team"].projects.add(project)
    content = geodata.geopackage(tmp_path / "b.gpkg", ["1#", "9#"]).read_bytes()
    response = login("team").post(
        reverse("maps:geometry", args=["QLS"]), {"file": SimpleUploadedFile("b.gpkg", content)}
    )
    assert "第2个要素（9#）" in response.content.decode()


def test_clerks_cannot_import_geometry(project, login, personas):
    personas["clerk"].projects.add(project)
    assert login("clerk").get(reverse("maps:geometry", args=["QLS"])).status_code == 403


def test_not_a_gis_file_is_refused(project, tmp_path):
    path = tmp_path / "b.geojson"
    path.write_bytes(io.BytesIO(b"not json at all").getvalue())
    result = run(project, path)
    assert "无法作为地理数据读取" in result.errors[0]
