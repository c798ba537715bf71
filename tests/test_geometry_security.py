"""Issue 7 §1: a geodata upload may not read server files nor make the server fetch URLs.

Uploads go through the page as a project team member; a local HTTP server records every
request made to it, and a server file holds a unique marker that must never come back.
"""

import http.server
import threading

import pyogrio
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from maps import gdal_policy, sources
from maps.apps import check_gdal_policy
from maps.formats import ERROR_IMPORT_FORMAT
from resettlement.housing.models import Building
from resettlement.imports.models import ImportBatch, ImportOutcome
from tests import geodata
from tests.factories import make_building, make_project

pytestmark = pytest.mark.django_db
CODES = ["1#", "2#", "3#"]


@pytest.fixture
def project(personas):
    project = make_project("QLS")
    for code in CODES:
        make_building(project, code)
    personas["team"].projects.add(project)
    return project


@pytest.fixture
def server():
    """A local HTTP server that serves a small CSV and records every path asked of it."""
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"code,wkt\n1#,POINT (108.98 34.23)\n")

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    thread.join()


def upload(login, name: str, content: bytes, **fields):
    return login("team").post(
        reverse("maps:geometry", args=["QLS"]),
        {"file": SimpleUploadedFile(name, content), **fields},
    )


def refusal(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="rejected"' in page
    assert ImportBatch.objects.get().outcome == ImportOutcome.REJECTED
    assert all(building.footprint is None for building in Building.objects.all())
    return page


def mismatch(format_name: str, suffix: str) -> str:
    return str(sources.ERROR_CONTENT_MISMATCH % {"format": format_name, "suffix": suffix})


def assert_nowhere(marker: str, page: str) -> None:
    assert marker not in page
    assert all(marker not in str(values) for values in ImportBatch.objects.values())


def test_an_ogr_vrt_named_geojson_cannot_read_a_server_file(project, login, tmp_path):
    secret, marker = geodata.secret_file(tmp_path)
    page = refusal(upload(login, "leak.geojson", geodata.leaking_vrt(secret)))
    assert mismatch("GeoJSON", ".geojson") in page
    assert_nowhere(marker, page)


def test_an_ogr_vrt_named_gpkg_cannot_read_a_server_file(project, login, tmp_path):
    secret, marker = geodata.secret_file(tmp_path)
    page = refusal(upload(login, "leak.gpkg", geodata.leaking_vrt(secret)))
    assert mismatch("GeoPackage", ".gpkg") in page
    assert_nowhere(marker, page)


@pytest.mark.parametrize("suffix", [".kml", ".dxf", ".zip", ".kmz", ".json"])
def test_an_ogr_vrt_under_any_accepted_name_is_refused(project, login, tmp_path, suffix):
    secret, marker = geodata.secret_file(tmp_path)
    page = refusal(upload(login, f"leak{suffix}", geodata.leaking_vrt(secret)))
    assert "无法作为地理数据读取" in page
    assert_nowhere(marker, page)


@pytest.mark.parametrize(
    "schema",
    [
        # A view calling GDAL's SQL functions on a /vsicurl/ URL, registered as a layer.
        [
            "CREATE VIEW leak AS SELECT 1 AS fid, ogr_datasource_load_layers('/vsicurl/{url}/x.csv')"
            " AS code",
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES ('leak', 'attributes', 'leak', 0)",
        ],
        # A VirtualOGR table over the secret file, registered as a layer.
        [
            "CREATE VIRTUAL TABLE leak USING VirtualOGR('{secret}')",
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES ('leak', 'attributes', 'leak', 0)",
        ],
        # A trigger that would fetch a URL.
        [
            "CREATE TRIGGER fetch AFTER INSERT ON footprints BEGIN "
            "SELECT ogr_geocode('{url}/geocode'); END",
        ],
    ],
    ids=["view-vsicurl", "virtual-ogr", "trigger-geocode"],
)
def test_a_geopackage_reaching_outside_itself_is_refused_unread(
    project, login, tmp_path, server, schema
):
    url, requests = server
    secret, marker = geodata.secret_file(tmp_path)
    statements = [sql.format(url=url, secret=secret) for sql in schema]
    path = geodata.geopackage_with_schema(tmp_path / "b.gpkg", CODES, statements)
    page = refusal(upload(login, "b.gpkg", path.read_bytes()))
    assert str(sources.ERROR_GPKG_REFERENCES) in page
    assert requests == []
    assert_nowhere(marker, page)


def test_a_kml_network_link_is_refused_and_never_followed(project, login, server):
    url, requests = server
    page = refusal(upload(login, "b.kml", geodata.kml_with_network_link(url, CODES)))
    assert str(sources.ERROR_KML_NETWORK_LINK) in page
    assert requests == []


def test_an_ogr_vrt_pointing_at_a_url_makes_no_request(project, login, server):
    url, requests = server
    refusal(upload(login, "ssrf.geojson", geodata.fetching_vrt(url)))
    assert requests == []


def test_a_geojson_crs_link_is_refused_and_never_downloaded(project, login, server):
    url, requests = server
    page = refusal(upload(login, "b.geojson", geodata.geojson_with_crs_link(url, CODES)))
    assert str(sources.ERROR_GEOJSON_CRS) in page
    assert requests == []


def test_a_kml_with_a_doctype_is_refused(project, login, tmp_path):
    secret, marker = geodata.secret_file(tmp_path)
    content = geodata.kml(tmp_path / "b.kml", CODES).read_bytes()
    doctype = f'<!DOCTYPE kml [<!ENTITY s SYSTEM "file://{secret}">]>'.encode()
    content = content.replace(b"<kml", doctype + b"<kml", 1).replace(b"1#", b"&s;", 1)
    page = refusal(upload(login, "b.kml", content))
    assert str(sources.ERROR_KML_DOCTYPE) in page
    assert_nowhere(marker, page)


def test_a_geopackage_named_geojson_is_refused(project, login, tmp_path):
    content = geodata.geopackage(tmp_path / "b.gpkg", CODES).read_bytes()
    page = refusal(upload(login, "b.geojson", content))
    assert mismatch("GeoJSON", ".geojson") in page


def test_a_bare_shapefile_is_not_accepted(project, login, tmp_path):
    parts = geodata.shapefile_parts(tmp_path / "parts", CODES)
    response = upload(login, "buildings.shp", parts["buildings.shp"])
    assert str(ERROR_IMPORT_FORMAT) in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_command_refuses_a_vrt_as_the_page_does(project, tmp_path, capsys):
    secret, marker = geodata.secret_file(tmp_path)
    path = tmp_path / "leak.geojson"
    path.write_bytes(geodata.leaking_vrt(secret))
    with pytest.raises(CommandError):
        call_command("import_geometry", "QLS", str(path))
    output = capsys.readouterr()
    assert mismatch("GeoJSON", ".geojson") in output.err
    assert marker not in output.out + output.err


def test_gdal_keeps_only_the_import_drivers_and_no_virtual_file_system():
    assert check_gdal_policy() == []  # `check --deploy` locks GDAL down and says so
    assert set(pyogrio.list_drivers()) == gdal_policy.ALLOWED_DRIVERS
    assert gdal_policy.file_systems() == ["/vsimem/"]


def test_gdal_itself_makes_no_request_whatever_it_is_asked(tmp_path, server):
    """Below our own checks: GDAL opened directly on a /vsicurl/ path, or on a GeoJSON whose
    crs GDAL would download, reaches nothing."""
    url, requests = server
    gdal_policy.lock_down()
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_info(f"/vsicurl/{url}/a.geojson")
    path = tmp_path / "b.geojson"
    path.write_bytes(geodata.geojson_with_crs_link(url, CODES))
    pyogrio.read_info(path)
    assert requests == []


def test_the_crs_field_cannot_make_proj_read_a_server_file(project, login, tmp_path):
    server_file = tmp_path / "init"
    server_file.write_text("<x> +proj=longlat +datum=WGS84 <>\n")
    path = geodata.zipped_shapefile(tmp_path / "b.zip", CODES, with_prj=False)
    page = refusal(upload(login, "b.zip", path.read_bytes(), crs=f"+init={server_file}:x"))
    assert "不是有效的坐标系" in page


def test_the_upload_page_still_checks_the_csrf_token(project, personas, tmp_path):
    """The page installs its upload limit before Django reads the body, so it takes over the
    CSRF check from the middleware: a post without the token is still refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["team"])
    url = reverse("maps:geometry", args=["QLS"])
    content = geodata.geojson(tmp_path / "b.geojson", CODES).read_bytes()
    assert client.post(url, {"file": SimpleUploadedFile("b.geojson", content)}).status_code == 403
    assert not ImportBatch.objects.exists()
    token = client.get(url).cookies["csrftoken"].value
    response = client.post(
        url, {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("b.geojson", content)}
    )
    assert 'data-outcome="imported"' in response.content.decode()
