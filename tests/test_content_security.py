"""The Content-Security-Policy: on every response (pages, downloads, API, admin, docs, error
pages), for every role and for visitors without a login; scripts and styles from this origin
only, nothing inline, no eval, no framing. The pages hold nothing the policy would block."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import path

from maps.palette import PHASE_STYLES
from resettlement import urls as root_urls
from resettlement.content_security import tile_source
from tests.site_pages import admin_urls, api_urls, page_urls, route_names, site_build

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
ROOT = Path(__file__).resolve().parent.parent
PERSONAS = [None, "admin", "team", "lead", "clerk", "supervisor", "leader", "outsider"]


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    return {
        directive: sources
        for directive, *sources in (part.split() for part in header.split(";") if part.strip())
    }


def assert_policy(response, where: str) -> None:
    try:
        directives = policy(response)
    except AssertionError as error:
        raise AssertionError(f"{where}: {error}") from None
    for directive, sources in REQUIRED.items():
        assert directives.get(directive) == sources, (where, directive, directives)
    assert directives["img-src"][:3] == ["'self'", "data:", "blob:"], (where, directives)
    assert directives["font-src"] == ["'self'", "data:"], (where, directives)


@pytest.fixture
def site(world, personas):
    return site_build(world, personas)


def everything(site) -> list[str]:
    return [
        *page_urls(site).values(),
        *api_urls(site),
        *admin_urls(site),
        "/no-such-page/",
        "/i18n/setlang/",
    ]


def test_every_route_of_the_site_is_visited(site):
    assert set(page_urls(site)) == route_names(), "add the new route to tests/site_pages.py"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_response_carries_the_policy(site, login, persona):
    client = Client() if persona is None else login(persona)
    statuses = set()
    for url in everything(site):
        response = client.get(url)
        statuses.add(response.status_code)
        assert_policy(response, f"{persona or 'anonymous'} GET {url} ({response.status_code})")
    response = client.post(page_urls(site)["login"], {"username": "admin", "password": "wrong"})
    assert_policy(response, "POST login")
    assert {200, 404} <= statuses, statuses


def boom(request):
    raise RuntimeError("an error page")


urlpatterns = [path("boom/", boom), *root_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_server_error_page_carries_the_policy(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_policy(response, "500 page")


def test_csrf_failure_page_carries_the_policy_and_no_inline_style(site):
    response = Client(enforce_csrf_checks=True).post(
        page_urls(site)["login"], {"username": "admin", "password": "pw"}
    )
    assert response.status_code == 403
    assert_policy(response, "CSRF failure page")
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []
    assert "CSRF 验证失败" in response.content.decode()


def test_tile_server_is_the_only_other_image_source():
    assert tile_source("") is None
    assert tile_source("/tiles/{z}/{x}/{y}.png") is None
    assert (
        tile_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
        == "https://*.tile.openstreetmap.org"
    )
    assert (
        tile_source("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY")
        == "https://*.tianditu.gov.cn"
    )
    assert (
        tile_source("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}")
        == "https://*.is.autonavi.com"
    )
    assert tile_source("http://tiles.example.org:8080/{z}/{x}/{y}.png") == (
        "http://tiles.example.org:8080"
    )
    for unusable in ("https://{s}.org/{z}/{x}/{y}.png", "ftp://tiles.example.org/{z}.png"):
        with pytest.raises(ImproperlyConfigured):
            tile_source(unusable)


def policy_with(tiles_url: str) -> subprocess.CompletedProcess:
    """The policy the settings build with this MAP_TILES_URL, in a fresh process."""
    env = {
        "PATH": os.environ["PATH"],
        "DOTENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": "sqlite:///:memory:",
        "PUBLIC_BASE_URL": "https://huiqian.example.org",
        "MAP_TILES_URL": tiles_url,
    }
    command = "from csp.utils import build_policy; print('POLICY', build_policy())"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_configured_tile_server_is_allowed_for_images_only():
    result = policy_with("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}")
    assert result.returncode == 0, result.stderr
    [header] = [line[7:] for line in result.stdout.splitlines() if line.startswith("POLICY ")]
    directives = {directive: sources for directive, *sources in map(str.split, header.split(";"))}
    assert directives["img-src"] == ["'self'", "data:", "blob:", "https://*.tianditu.gov.cn"]
    assert header.count("tianditu") == 1, header


def test_unusable_tile_url_stops_the_start():
    result = policy_with("https://{s}.org/{z}/{x}/{y}.png")
    assert result.returncode != 0
    assert "MAP_TILES_URL" in result.stderr


class InlineCode(HTMLParser):
    """What a page holds that the policy would block: inline scripts, event-handler and style
    attributes, <style> elements, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in values and values.get("type") != "application/json":
            self.found.append(f"inline <script {values}>")


@pytest.mark.parametrize("persona", ["admin", "team", "clerk", "supervisor", None])
def test_pages_hold_no_inline_script_or_style(site, login, persona):
    client = Client() if persona is None else login(persona)
    urls = [*page_urls(site).values(), *admin_urls(site)]
    pages = 0
    for url in urls:
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.headers["Content-Type"]:
            continue
        pages += 1
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], (persona, url, parser.found)
    assert pages >= (3 if persona is None else 8), pages


def test_desk_panel_swapped_by_htmx_holds_no_inline_code(site, login):
    """The panel htmx swaps in after a call: the household, the lock and the offer."""
    response = login("clerk").post(
        page_urls(site)["selection:desk-action"], headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="household-card"' in response.content.decode()
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []


SERVED_TEMPLATES = [
    path
    for path in (ROOT / "templates").rglob("*.html")
    if "documents" not in path.relative_to(ROOT / "templates").parts  # WeasyPrint, not browsers
]
PRODUCT_SCRIPTS = [
    path
    for folder in ("resettlement", "maps", "api")
    for path in (ROOT / folder).rglob("*.js")
    if "htmx-" not in path.name  # vendored
]


@pytest.mark.parametrize("template", SERVED_TEMPLATES, ids=lambda path: path.name)
def test_no_served_template_holds_inline_code(template):
    """Every state of every page, including those no test renders."""
    parser = InlineCode()
    parser.feed(template.read_text(encoding="utf-8"))
    assert parser.found == []


@pytest.mark.parametrize("script", PRODUCT_SCRIPTS, ids=lambda path: path.name)
def test_no_product_script_writes_markup(script):
    """Data reaches the page as text through the DOM, never parsed as HTML."""
    code = script.read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, f"{script.name}: {sink}"


def test_phase_colours_of_the_stylesheet_follow_the_palette():
    css = Path(finders.find("resettlement/css/app.css")).read_text(encoding="utf-8")
    for style in PHASE_STYLES.values():
        rule = (
            f".phase-{style.phase.value} {{ background: {style.colour}; "
            f"color: {style.text_colour}; border-color: {style.colour}; }}"
        )
        assert rule in css, rule
