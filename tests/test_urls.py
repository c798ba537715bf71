"""Each app owns its URLs under a namespace, and the addresses stay what external links,
printed QR codes, published lottery notices and board links point to."""

import importlib
import uuid

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, resolve, reverse

from resettlement import urls as root_urls

# Each app's URL module and the namespace its routes are named in.
APP_URLS = {
    "resettlement.projects.urls": "projects",
    "resettlement.imports.urls": "imports",
    "resettlement.households.urls": "households",
    "resettlement.housing.urls": "housing",
    "resettlement.progress.urls": "progress",
    "resettlement.lottery.urls": "lottery",
    "resettlement.selection.urls": "selection",
    "resettlement.handover.urls": "handover",
    "resettlement.archive.urls": "archive",
    "maps.urls": "maps",
}
# The only routes the project's own urls.py names itself.
PROJECT_ROUTES = {"login", "logout", "api-schema", "api-docs", "favicon", "healthz"}

TOKEN = uuid.UUID("6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b")
# Addresses that must never move, and the route each one is.
PUBLISHED_PATHS = {
    "/": "projects:home",
    "/my/": "household_status:status",  # printed as a QR code on every household's documents
    "/projects/PA/": "projects:dashboard",
    "/projects/PA/imports/": "imports:page",
    "/projects/PA/imports/template-flats.xlsx": "imports:template",
    "/imports/4/errors.xlsx": "imports:error-report",
    "/projects/PA/households/new/": "households:create",
    "/households/": "households:search",
    "/households/12/": "households:detail",
    "/households/12/edit/": "households:edit",
    "/buildings/3/": "housing:building-detail",
    "/milestones/8/edit/": "progress:milestone-edit",
    "/photos/9/thumbnail/": "progress:milestone-photo-thumb",
    "/projects/PA/geodata/": "maps:geometry",
    "/projects/PA/geodata/buildings.geojson": "maps:geometry-download",
    "/projects/PA/map.png": "maps:project-image",
    "/map/": "maps:page",
    "/projects/PA/lotteries/": "lottery:list",
    "/lotteries/3/": "lottery:detail",
    "/lotteries/3/result.csv": "lottery:file",
    "/notices/lottery_verify.py": "lottery:verifier",
    f"/notices/lotteries/{TOKEN}/": "lottery:notice",
    f"/notices/lotteries/{TOKEN}/notice.pdf": "lottery:notice-pdf",
    f"/notices/lotteries/{TOKEN}/result.csv": "lottery:notice-file",
    "/projects/PA/selection/": "selection:events",
    "/selection/5/": "selection:event",
    "/selection/5/desks/2/call/": "selection:desk-action",
    "/selections/6/confirmation.pdf": "selection:confirmation",
    "/board/b0a7d/": "selection:board",
    "/board/b0a7d/data/": "selection:board-data",
    "/projects/PA/handover/": "handover:project",
    "/handover/batches/2/": "handover:batch",
    "/handover/appointments/7/": "handover:appointment",
    "/handover/appointments/7/notice.pdf": "handover:notice",
    "/handover/handovers/3/confirmation.pdf": "handover:handover-paper",
    "/verify/Xk3_9aB-cD4eF5gH6iJ7/": "archive:verify",
    "/accounts/login/": "login",
    "/api/schema/": "api-schema",
    "/api/docs/": "api-docs",
}


def _included_modules() -> dict[str, str]:
    return {
        pattern.urlconf_module.__name__: pattern.namespace
        for pattern in root_urls.urlpatterns
        if isinstance(pattern, URLResolver) and hasattr(pattern.urlconf_module, "__name__")
    }


@pytest.mark.parametrize(("module", "namespace"), APP_URLS.items())
def test_each_app_names_its_urls_in_its_own_namespace(module, namespace):
    assert importlib.import_module(module).app_name == namespace


def test_the_project_urls_include_every_app_under_its_namespace():
    included = _included_modules()
    assert {module: included.get(module) for module in APP_URLS} == APP_URLS


def test_the_project_urls_name_only_project_level_routes():
    own = {
        pattern.name
        for pattern in root_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name
    }
    assert own == PROJECT_ROUTES


@pytest.mark.parametrize(("path", "view_name"), PUBLISHED_PATHS.items())
def test_published_addresses_still_lead_to_their_pages(path, view_name):
    match = resolve(path)
    assert match.view_name == view_name
    assert reverse(view_name, args=match.args, kwargs=match.kwargs) == path


def test_sign_in_settings_name_routes_that_exist():
    assert resolve_url(settings.LOGIN_URL) == "/accounts/login/"
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == "/"
    assert resolve_url(settings.LOGOUT_REDIRECT_URL) == "/accounts/login/"
