"""Issue 7 §1 and §4: geodata imports are bounded: upload size (checked while the request is
read), features per layer (checked from the layer's count before reading), the errors listed,
and what a zip may unpack to."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from maps import sources
from maps.formats import too_large_message
from maps.importing import ERROR_TOO_MANY_FEATURES, geometry_import, more_errors_text
from resettlement.housing.models import Building
from resettlement.imports.models import ImportBatch
from tests import geodata
from tests.factories import make_building, make_project

pytestmark = pytest.mark.django_db
CODES = ["1#", "2#", "3#"]
UNMATCHED = "与本项目的任何楼栋都不匹配"


@pytest.fixture
def project(personas):
    project = make_project("QLS")
    for code in CODES:
        make_building(project, code)
    personas["team"].projects.add(project)
    return project


def upload(login, name: str, content: bytes):
    return login("team").post(
        reverse("maps:geometry", args=["QLS"]), {"file": SimpleUploadedFile(name, content)}
    )


def padded_geojson(tmp_path, size: int) -> bytes:
    """A valid GeoJSON of the three buildings, padded to `size` bytes with a long property."""
    content = geodata.geojson(tmp_path / "b.geojson", CODES).read_bytes()
    marker = b'"type": "FeatureCollection"'
    padding = b', "note": "' + b"x" * (size - len(content) - 12) + b'"'
    return content.replace(marker, marker + padding, 1)


def nothing_imported() -> bool:
    return all(building.footprint is None for building in Building.objects.all())


@pytest.mark.parametrize("extra", [10_000, 2 * 1024 * 1024], ids=["just-over", "far-over"])
def test_an_upload_over_the_size_limit_is_refused_unread(project, login, tmp_path, settings, extra):
    settings.GEODATA_UPLOAD_MAX_MB = 1
    response = upload(login, "b.geojson", padded_geojson(tmp_path, 1024 * 1024 + extra))
    assert too_large_message() in response.content.decode()
    assert "1 MB" in too_large_message()
    assert not ImportBatch.objects.exists()
    assert nothing_imported()


def test_an_upload_under_the_size_limit_is_imported(project, login, tmp_path, settings):
    settings.GEODATA_UPLOAD_MAX_MB = 1
    response = upload(login, "b.geojson", padded_geojson(tmp_path, 1024 * 1024 - 100))
    assert 'data-outcome="imported"' in response.content.decode()


def test_the_command_refuses_a_file_over_the_size_limit(project, tmp_path, settings):
    settings.GEODATA_UPLOAD_MAX_MB = 1
    path = tmp_path / "big.geojson"
    path.write_bytes(padded_geojson(tmp_path, 1024 * 1024 + 1))
    with pytest.raises(CommandError, match="1 MB"):
        call_command("import_geometry", "QLS", str(path))
    assert not ImportBatch.objects.exists()


def test_a_layer_with_too_many_features_is_refused_from_its_count(project, tmp_path, settings):
    settings.GEODATA_MAX_FEATURES = 5
    codes = [f"{n}#" for n in range(1, 7)]
    result = geometry_import(project=project, path=geodata.geopackage(tmp_path / "b.gpkg", codes))
    assert [str(error) for error in result.errors] == [
        str(ERROR_TOO_MANY_FEATURES % {"count": 6, "limit": 5})
    ]
    assert result.batch.row_count == 6 and nothing_imported()


def test_a_false_feature_count_does_not_get_past_the_limit(project, tmp_path, settings):
    import sqlite3

    settings.GEODATA_MAX_FEATURES = 5
    path = geodata.geopackage(tmp_path / "b.gpkg", [f"{n}#" for n in range(1, 7)])
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE gpkg_ogr_contents SET feature_count = 1")
    result = geometry_import(project=project, path=path)
    assert [str(error) for error in result.errors] == [
        str(ERROR_TOO_MANY_FEATURES % {"count": "5+", "limit": 5})
    ]
    assert nothing_imported()


def unmatched_geopackage(tmp_path, count: int):
    codes = ["1#"] + [f"X{n}" for n in range(count)]
    geometries = [geodata.footprint(index % 100) for index in range(len(codes))]
    return geodata.geopackage(tmp_path / "b.gpkg", codes, geometries=geometries)


def test_the_page_lists_the_first_100_errors_and_counts_the_rest(project, login, tmp_path):
    response = upload(login, "b.gpkg", unmatched_geopackage(tmp_path, 300).read_bytes())
    page = response.content.decode()
    assert page.count(UNMATCHED) == 100
    assert "300 处错误，未导入任何数据" in page
    assert more_errors_text(200) in page and more_errors_text(200) == "……另有 200 处错误未列出"
    assert ImportBatch.objects.get().error_count == 300


def test_the_command_prints_the_first_100_errors_and_counts_the_rest(project, tmp_path, capsys):
    path = unmatched_geopackage(tmp_path, 300)
    with pytest.raises(CommandError, match="300 处错误"):
        call_command("import_geometry", "QLS", str(path))
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 101 and errors[-1] == more_errors_text(200)
    assert sum(UNMATCHED in line for line in errors) == 100


def run_zip(project, tmp_path, members, **options):
    path = geodata.zip_of(tmp_path / "b.zip", members, **options)
    return geometry_import(project=project, path=path)


def only_error(result) -> str:
    assert len(result.errors) == 1 and nothing_imported(), result.errors
    return str(result.errors[0])


def test_a_zip_with_folders_and_other_files_imports_its_shapefile(project, tmp_path):
    parts = geodata.shapefile_parts(tmp_path / "parts", CODES)
    members = {f"测绘成果/{name}": content for name, content in parts.items()}
    members |= {"说明.txt": "坐标系 CGCS2000".encode(), "__MACOSX/._buildings.shp": b"\0"}
    result = run_zip(project, tmp_path, members)
    assert result.ok, result.errors
    assert result.matched == 3


def test_a_zip_of_two_shapefiles_needs_a_layer_name(project, tmp_path):
    members = geodata.shapefile_parts(tmp_path / "a", CODES, stem="buildings")
    members |= geodata.shapefile_parts(tmp_path / "b", ["1#"], stem="other")
    path = geodata.zip_of(tmp_path / "b.zip", members)
    assert "--layer" in only_error(geometry_import(project=project, path=path))
    assert geometry_import(project=project, path=path, layer="buildings").matched == 3


def test_a_zip_with_chinese_windows_names_offers_its_layers_by_name(project, tmp_path):
    members = geodata.shapefile_parts(tmp_path / "a", CODES, stem="安置楼轮廓")
    members |= geodata.shapefile_parts(tmp_path / "b", ["1#"], stem="其他")
    path = geodata.zip_of(tmp_path / "b.zip", members, gbk_names=True)
    assert "安置楼轮廓" in only_error(geometry_import(project=project, path=path))
    assert geometry_import(project=project, path=path, layer="安置楼轮廓").matched == 3


@pytest.mark.parametrize("name", ["../evil.shp", "/etc/evil.shp", "..\\evil.shp", "C:/evil.shp"])
def test_a_zip_member_outside_the_archive_is_refused(project, tmp_path, name):
    parts = geodata.shapefile_parts(tmp_path / "parts", CODES)
    message = only_error(run_zip(project, tmp_path, {**parts, name: parts["buildings.shp"]}))
    assert message == str(sources.ERROR_ZIP_UNSAFE % {"name": name})


def test_a_zip_with_a_symbolic_link_is_refused(project, tmp_path):
    parts = geodata.shapefile_parts(tmp_path / "parts", CODES)
    parts.pop("buildings.dbf")
    result = run_zip(project, tmp_path, parts, symlinks=[("buildings.dbf", "/etc/passwd")])
    assert only_error(result) == str(sources.ERROR_ZIP_UNSAFE % {"name": "buildings.dbf"})


def test_a_zip_with_too_many_entries_is_refused(project, tmp_path):
    members = {f"{n}.txt": b"" for n in range(sources.MAX_ZIP_MEMBERS + 1)}
    assert only_error(run_zip(project, tmp_path, members)) == str(
        sources.ERROR_ZIP_MEMBERS
        % {"count": sources.MAX_ZIP_MEMBERS + 1, "limit": sources.MAX_ZIP_MEMBERS}
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked(project, tmp_path, settings):
    settings.GEODATA_UPLOAD_MAX_MB = 1  # unpacks to at most 10 MB
    parts = geodata.shapefile_parts(tmp_path / "parts", CODES)
    parts["buildings.dbf"] = parts["buildings.dbf"] + b" " * (12 * 1024 * 1024)
    assert only_error(run_zip(project, tmp_path, parts)) == str(
        sources.ERROR_ZIP_EXPANDS % {"limit": 10}
    )


def test_an_encrypted_zip_is_refused(project, tmp_path):
    """zipfile writes no encrypted archive: the "encrypted" flag is set in its headers."""
    parts = geodata.shapefile_parts(tmp_path / "parts", CODES)
    path = geodata.zip_of(tmp_path / "b.zip", parts)
    content = bytearray(path.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = content.find(signature)
        while start != -1:
            content[start + flag_offset] |= 0x1
            start = content.find(signature, start + 4)
    path.write_bytes(bytes(content))
    assert only_error(geometry_import(project=project, path=path)) == str(sources.ERROR_ZIP_DAMAGED)


def test_a_zip_without_a_shapefile_is_refused(project, tmp_path):
    content = geodata.geojson(tmp_path / "b.geojson", CODES).read_bytes()
    result = run_zip(project, tmp_path, {"b.geojson": content})
    assert only_error(result) == str(sources.ERROR_ZIP_NO_SHAPEFILE)


def test_a_kmz_is_read_from_its_doc_kml(project, tmp_path):
    result = geometry_import(project=project, path=geodata.kmz(tmp_path / "b.kmz", CODES))
    assert result.ok, result.errors
    assert result.matched == 3
