"""The permission matrix: every route of the site and every API endpoint, read (GET) and written
(POST, with an empty body, rolled back), by every role, a household signed in at /my/ and an
anonymous visitor, on objects of a project in their scope and then out of it. Each answer's
status must be the one written in MATRIX.

The routes come from the URL configuration (the site's named routes, the API's patterns): a new
route without its rows fails the suite, printing the rows it answered so that they can be
reviewed and written down. Out of scope: the scoped roles (project team and supervisor,
selection clerk and supervisor) are reassigned to project B, and the household is one of
project B; administrators and leaders see every project, so their answers do not change.

Each row is "<in scope> / <out of scope>": the statuses of PERSONAS in order, then those of
OUT_OF_SCOPE in order.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from api import urls as api_urls
from resettlement import urls as root_urls
from resettlement.archive.models import IssuedKind
from resettlement.handover.documents import paper_issue
from resettlement.households.access_codes import access_code
from tests.site_pages import Site, page_urls, route_names, site_build

pytestmark = pytest.mark.django_db

PERSONAS = (
    "admin",
    "team",
    "lead",
    "clerk",
    "supervisor",
    "leader",
    "outsider",
    "household",
    "anonymous",
)
OUT_OF_SCOPE = ("team", "lead", "clerk", "supervisor", "household")
METHODS = ("GET", "POST")


class _Rollback(Exception):
    pass


def api_routes(site: Site) -> dict[str, str]:
    """An address for every pattern of the API, on site's objects (project A)."""
    handover = site.handover
    objects = {
        "project-detail": site.project.code,
        "village-detail": site.project.villages.order_by("pk").first().pk,
        "building-detail": site.building.pk,
        "flat-detail": site.selection.flats.first().flat_id,
        "milestone-detail": site.milestone.pk,
        "milestone-exceptions": site.milestone.pk,
        "milestone-photos": site.milestone.pk,
        "household-detail": site.household.pk,
        "lottery-detail": site.lottery.pk,
        "lottery-results": site.lottery.pk,
        "selection-event-detail": site.event.pk,
        "selection-detail": site.selection.pk,
        "handover-batch-detail": handover.batch_id,
        "appointment-detail": handover.appointment_id,
        "handover-detail": handover.pk,
        "me-document": handover.household.issued_documents.order_by("pk").first().pk,
    }
    names = {
        pattern.name
        for pattern in api_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name
    }
    # A new endpoint that takes an argument and has none here fails with NoReverseMatch.
    return {
        f"api:{name}": reverse(f"api:{name}", args=[objects[name]] if name in objects else [])
        for name in sorted(names)
    }


def clients(personas, household) -> dict[str, Client]:
    made = {}
    for name in PERSONAS:
        client = Client()
        if name == "household":
            response = client.post(
                "/my/",
                {
                    "project": household.project.code,
                    "agreement_no": household.agreement_no,
                    "id_suffix": household.head_id_number[-6:],
                    "access_code": access_code(household),
                },
            )
            assert response.status_code == 302, response.content[:300]
        elif name != "anonymous":
            client.force_login(personas[name])
        made[name] = client
    return made


def answer(client: Client, method: str, url: str) -> int:
    """The status of one request; what it wrote is rolled back, and the client keeps its
    session (a sign-out would end it)."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    try:
        with transaction.atomic():
            status = client.generic(method, url).status_code
            raise _Rollback
    except _Rollback:
        pass
    client.cookies = cookies
    return status


def routes(site: Site) -> dict[str, str]:
    pages = page_urls(site)
    assert set(pages) == route_names(), "tests/site_pages.py: page_urls misses a route"
    return {**pages, **api_routes(site), "admin:index": reverse("admin:index")}


def observed(world, personas) -> dict[str, str]:
    site = site_build(world, personas)
    # The household's handover notice, printed: its own document to fetch.
    notice = paper_issue(IssuedKind.HANDOVER_NOTICE, site.handover.appointment)
    everything = {
        **routes(site),
        "household_status:document": reverse("household_status:document", args=[notice.pk]),
        "api:me-document": reverse("api:me-document", args=[notice.pk]),
    }
    inside = clients(personas, site.handover.household)  # the household of the notice
    rows = {
        f"{method} {route}": [answer(inside[name], method, url) for name in PERSONAS]
        for route, url in everything.items()
        for method in METHODS
    }
    for name in OUT_OF_SCOPE[:-1]:
        personas[name].projects.set([world.project_b])
    outside = clients(personas, world.household_b)
    for route, url in everything.items():
        for method in METHODS:
            rows[f"{method} {route}"] += [
                answer(outside[name], method, url) for name in OUT_OF_SCOPE
            ]
    return {
        key: " ".join(map(str, values[: len(PERSONAS)]))
        + " / "
        + " ".join(map(str, values[len(PERSONAS) :]))
        for key, values in rows.items()
    }


def test_every_route_answers_every_role_in_and_out_of_scope_as_written(world, personas):
    seen = observed(world, personas)
    unwritten = {key: row for key, row in seen.items() if key not in MATRIX}
    assert not unwritten, "routes without rows in MATRIX (review, then add):\n" + "\n".join(
        f'    "{key}": "{row}",' for key, row in sorted(unwritten.items())
    )
    assert not MATRIX.keys() - seen.keys(), f"rows for no route: {MATRIX.keys() - seen.keys()}"
    differ = {key: (MATRIX[key], row) for key, row in seen.items() if MATRIX[key] != row}
    assert not differ, "\n".join(
        f"{key}:\n    written  {written}\n    answered {row}"
        for key, (written, row) in sorted(differ.items())
    )


def test_the_matrix_covers_the_whole_url_configuration():
    """Every pattern of the root configuration is a site route, in the API or the admin (their
    routes are rows too), or the language switch."""
    site_namespaces = {name.split(":")[0] for name in route_names() if ":" in name}
    for pattern in root_urls.urlpatterns:
        if isinstance(pattern, URLResolver):
            known = pattern.namespace in {*site_namespaces, "api", "admin"}
            assert known or str(pattern.pattern) == "i18n/", pattern
        else:
            assert pattern.name in route_names() or settings.DEBUG, pattern


# admin team lead clerk supervisor leader outsider household anonymous / out of scope: team lead
# clerk supervisor household. 302 for a page is the sign-in page (or /my/ for a household's own
# address); 401 for the API. A page that reads no project's data answers everyone alike.
MATRIX: dict[str, str] = {
    "GET admin:index": "200 302 302 302 302 302 302 302 302 / 302 302 302 302 302",
    "GET api-docs": "200 200 200 200 200 200 200 302 302 / 200 200 200 200 302",
    "GET api-schema": "200 200 200 200 200 200 200 401 401 / 200 200 200 200 401",
    "GET api:api-root": "200 200 200 200 200 200 200 401 401 / 200 200 200 200 401",
    "GET api:appointment-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:appointment-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:building-detail": "200 200 200 200 200 200 403 401 401 / 404 404 404 404 401",
    "GET api:building-list": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET api:flat-detail": "200 200 200 200 200 200 403 401 401 / 404 404 404 404 401",
    "GET api:flat-list": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET api:geo-buildings": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET api:geo-villages": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET api:handover-batch-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:handover-batch-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:handover-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:handover-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:household-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:household-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:lottery-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:lottery-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:lottery-results": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:me": "401 401 401 401 401 401 401 401 401 / 401 401 401 401 401",
    "GET api:me-document": "401 401 401 401 401 401 401 401 401 / 401 401 401 401 401",
    "GET api:me-token": "401 401 401 401 401 401 401 401 401 / 401 401 401 401 401",
    "GET api:milestone-bulk": "405 405 405 405 405 405 403 401 401 / 405 405 405 405 401",
    "GET api:milestone-detail": "200 200 200 200 200 200 403 401 401 / 404 404 404 404 401",
    "GET api:milestone-exceptions": "405 405 405 405 405 405 403 401 401 / 405 405 405 405 401",
    "GET api:milestone-list": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET api:milestone-photos": "405 405 405 405 405 405 403 401 401 / 405 405 405 405 401",
    "GET api:project-detail": "200 200 200 200 200 200 403 401 401 / 404 404 404 404 401",
    "GET api:project-list": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET api:report-progress": "200 200 200 403 200 200 403 401 401 / 200 200 403 200 401",
    "GET api:selection-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:selection-event-detail": "200 403 403 200 200 200 403 401 401 / 403 403 404 404 401",
    "GET api:selection-event-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:selection-list": "200 403 403 200 200 200 403 401 401 / 403 403 200 200 401",
    "GET api:village-detail": "200 200 200 200 200 200 403 401 401 / 404 404 404 404 401",
    "GET api:village-list": "200 200 200 200 200 200 403 401 401 / 200 200 200 200 401",
    "GET archive:verify": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET favicon": "302 302 302 302 302 302 302 302 302 / 302 302 302 302 302",
    "GET handover:appointment": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET handover:appointment-step": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:batch": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET handover:batch-assign": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:batch-close": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:batch-defects": "200 200 200 200 200 200 403 302 302 / 404 404 404 404 302",
    "GET handover:day": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET handover:defect-photo": "404 404 404 404 404 404 403 302 302 / 404 404 404 404 302",
    "GET handover:defect-photo-thumb": "404 404 404 404 404 404 403 302 302 / 404 404 404 404 302",
    "GET handover:defect-step": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:handover": "302 403 403 302 302 302 403 302 302 / 403 403 404 404 302",
    "GET handover:handover-add": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:handover-paper": "200 403 403 200 200 404 403 302 302 / 403 403 404 404 302",
    "GET handover:handover-undo": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:inspection-add": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:notice": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET handover:print-job": "200 403 403 200 200 403 404 302 302 / 404 404 404 404 302",
    "GET handover:print-panel": "200 403 403 200 200 403 404 302 302 / 404 404 404 404 302",
    "GET handover:print-pdf": "404 403 403 404 404 403 404 302 302 / 404 404 404 404 302",
    "GET handover:print-progress": "302 403 403 302 302 403 404 302 302 / 404 404 404 404 302",
    "GET handover:print-retry": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:print-start": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET handover:print-zip": "404 403 403 404 404 403 404 302 302 / 404 404 404 404 302",
    "GET handover:project": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET healthz": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET household_status:document": "302 302 302 302 302 302 302 200 302 / 302 302 302 302 404",
    "GET household_status:sign-out": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "GET household_status:status": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET households:access-code": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET households:create": "200 403 403 403 200 403 404 302 302 / 404 404 404 404 302",
    "GET households:detail": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET households:edit": "200 403 403 403 200 403 403 302 302 / 403 403 404 404 302",
    "GET households:search": "200 403 403 200 200 200 403 302 302 / 403 403 200 200 302",
    "GET housing:building-detail": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET housing:building-generate-flats": "200 200 200 403 200 403 404 302 302 / 404 404 404 404 302",
    "GET imports:batch": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "GET imports:error-report": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "GET imports:page": "200 200 200 403 200 403 404 302 302 / 404 404 404 404 302",
    "GET imports:template": "200 200 200 403 200 403 404 302 302 / 404 404 404 404 302",
    "GET login": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET logout": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "GET lottery:cancel": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:detail": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET lottery:draw": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:entry": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:file": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET lottery:freeze": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:groups": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:list": "200 403 403 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET lottery:notary-import": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:notice": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET lottery:notice-details": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:notice-file": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET lottery:notice-pdf": "503 503 503 503 503 503 503 503 503 / 503 503 503 503 503",
    "GET lottery:notice-preview": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET lottery:pool": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:publish": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:redraw": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:roster-build": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET lottery:verifier": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET maps:geometry": "200 200 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "GET maps:geometry-download": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET maps:page": "200 200 200 200 200 200 200 302 302 / 200 200 200 200 302",
    "GET maps:project-image": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET progress:milestone-bulk": "200 200 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "GET progress:milestone-edit": "200 200 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "GET progress:milestone-exception": "200 403 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "GET progress:milestone-photo": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "GET progress:milestone-photo-thumb": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "GET progress:milestone-template": "200 403 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "GET projects:dashboard": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET projects:home": "200 200 200 200 200 200 200 302 302 / 200 200 200 200 302",
    "GET reports:detail": "200 200 200 403 200 200 403 302 302 / 404 404 403 404 302",
    "GET reports:list": "200 200 200 403 200 200 403 302 302 / 200 200 403 200 302",
    "GET reports:pdf": "200 200 200 403 200 200 403 302 302 / 404 404 403 404 302",
    "GET reports:progress": "302 302 302 403 302 302 403 302 302 / 404 404 403 404 302",
    "GET reports:xlsx": "200 200 200 403 200 200 403 302 302 / 404 404 403 404 302",
    "GET selection:board": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET selection:board-data": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "GET selection:board-link-revoke": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET selection:board-open": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET selection:confirmation": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET selection:desk-action": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET selection:desk-console": "200 403 403 200 200 403 403 302 302 / 403 403 404 404 302",
    "GET selection:detail": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET selection:event": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "GET selection:event-step": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "GET selection:events": "200 403 403 200 200 200 404 302 302 / 404 404 404 404 302",
    "GET selection:rules": "200 403 403 403 200 403 403 302 302 / 403 403 403 404 302",
    "GET selection:summary": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST admin:index": "200 302 302 302 302 302 302 302 302 / 302 302 302 302 302",
    "POST api-docs": "405 405 405 405 405 405 405 302 302 / 405 405 405 405 302",
    "POST api-schema": "405 405 405 405 405 405 405 401 401 / 405 405 405 405 401",
    "POST api:api-root": "405 405 405 405 405 405 405 401 401 / 405 405 405 405 401",
    "POST api:appointment-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:appointment-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:building-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:building-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:flat-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:flat-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:geo-buildings": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:geo-villages": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:handover-batch-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:handover-batch-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:handover-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:handover-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:household-detail": "405 403 403 403 405 403 403 401 401 / 403 403 403 405 401",
    "POST api:household-list": "400 403 403 403 400 403 403 401 401 / 403 403 403 400 401",
    "POST api:lottery-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:lottery-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:lottery-results": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:me": "401 401 401 401 401 401 401 401 401 / 401 401 401 401 401",
    "POST api:me-document": "401 401 401 401 401 401 401 401 401 / 401 401 401 401 401",
    "POST api:me-token": "400 400 400 400 400 400 400 400 400 / 400 400 400 400 400",
    "POST api:milestone-bulk": "400 400 400 403 403 403 403 401 401 / 400 400 403 403 401",
    "POST api:milestone-detail": "405 405 405 403 403 403 403 401 401 / 405 405 403 403 401",
    "POST api:milestone-exceptions": "400 403 400 403 403 403 403 401 401 / 404 404 403 403 401",
    "POST api:milestone-list": "405 405 405 403 403 403 403 401 401 / 405 405 403 403 401",
    "POST api:milestone-photos": "400 400 400 403 403 403 403 401 401 / 404 404 403 403 401",
    "POST api:project-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:project-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:report-progress": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:selection-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:selection-event-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:selection-event-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:selection-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:village-detail": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST api:village-list": "403 403 403 403 403 403 403 401 401 / 403 403 403 403 401",
    "POST archive:verify": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST favicon": "302 302 302 302 302 302 302 302 302 / 302 302 302 302 302",
    "POST handover:appointment": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST handover:appointment-step": "302 403 403 302 302 403 403 302 302 / 403 403 404 404 302",
    "POST handover:batch": "200 403 403 403 200 403 403 302 302 / 403 403 404 404 302",
    "POST handover:batch-assign": "302 403 403 403 302 403 403 302 302 / 403 403 403 404 302",
    "POST handover:batch-close": "302 403 403 403 302 403 403 302 302 / 403 403 403 404 302",
    "POST handover:batch-defects": "200 200 200 200 200 200 403 302 302 / 404 404 404 404 302",
    "POST handover:day": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST handover:defect-photo": "404 404 404 404 404 404 403 302 302 / 404 404 404 404 302",
    "POST handover:defect-photo-thumb": "404 404 404 404 404 404 403 302 302 / 404 404 404 404 302",
    "POST handover:defect-step": "302 302 302 302 302 403 403 302 302 / 404 404 404 404 302",
    "POST handover:handover": "302 403 403 302 302 302 403 302 302 / 403 403 404 404 302",
    "POST handover:handover-add": "422 403 403 422 422 403 403 302 302 / 403 403 404 404 302",
    "POST handover:handover-paper": "200 403 403 200 200 404 403 302 302 / 403 403 404 404 302",
    "POST handover:handover-undo": "422 403 403 403 422 403 403 302 302 / 403 403 403 404 302",
    "POST handover:inspection-add": "422 403 403 422 422 403 403 302 302 / 403 403 404 404 302",
    "POST handover:notice": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST handover:print-job": "200 403 403 200 200 403 404 302 302 / 404 404 404 404 302",
    "POST handover:print-panel": "200 403 403 200 200 403 404 302 302 / 404 404 404 404 302",
    "POST handover:print-pdf": "404 403 403 404 404 403 404 302 302 / 404 404 404 404 302",
    "POST handover:print-progress": "302 403 403 302 302 403 404 302 302 / 404 404 404 404 302",
    "POST handover:print-retry": "302 403 403 302 302 403 404 302 302 / 404 404 404 404 302",
    "POST handover:print-start": "404 403 403 404 404 403 404 302 302 / 404 404 404 404 302",
    "POST handover:print-zip": "404 403 403 404 404 403 404 302 302 / 404 404 404 404 302",
    "POST handover:project": "200 403 403 403 200 403 404 302 302 / 404 404 404 404 302",
    "POST healthz": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST household_status:document": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST household_status:sign-out": "302 302 302 302 302 302 302 302 302 / 302 302 302 302 302",
    "POST household_status:status": "400 400 400 400 400 400 400 400 400 / 400 400 400 400 400",
    "POST households:access-code": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST households:create": "200 403 403 403 200 403 404 302 302 / 404 404 404 404 302",
    "POST households:detail": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST households:edit": "200 403 403 403 200 403 403 302 302 / 403 403 404 404 302",
    "POST households:search": "302 403 403 302 302 302 403 302 302 / 403 403 302 302 302",
    "POST housing:building-detail": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "POST housing:building-generate-flats": "200 200 200 403 200 403 404 302 302 / 404 404 404 404 302",
    "POST imports:batch": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "POST imports:error-report": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "POST imports:page": "403 403 403 403 403 403 404 302 302 / 404 404 404 404 302",
    "POST imports:template": "200 200 200 403 200 403 404 302 302 / 404 404 404 404 302",
    "POST login": "200 200 200 200 200 200 200 200 200 / 200 200 200 200 200",
    "POST logout": "302 302 302 302 302 302 302 302 302 / 302 302 302 302 302",
    "POST lottery:cancel": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:detail": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST lottery:draw": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:entry": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:file": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST lottery:freeze": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:groups": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:list": "200 403 403 403 200 403 404 302 302 / 404 404 404 404 302",
    "POST lottery:notary-import": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:notice": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST lottery:notice-details": "200 403 403 403 200 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:notice-file": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST lottery:notice-pdf": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST lottery:notice-preview": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST lottery:pool": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:publish": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:redraw": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:roster-build": "302 403 403 403 302 403 403 302 302 / 403 403 404 404 302",
    "POST lottery:verifier": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST maps:geometry": "200 200 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "POST maps:geometry-download": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "POST maps:page": "200 200 200 200 200 200 200 302 302 / 200 200 200 200 302",
    "POST maps:project-image": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "POST progress:milestone-bulk": "200 200 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "POST progress:milestone-edit": "200 200 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "POST progress:milestone-exception": "200 403 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "POST progress:milestone-photo": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "POST progress:milestone-photo-thumb": "404 404 404 404 404 404 404 302 302 / 404 404 404 404 302",
    "POST progress:milestone-template": "200 403 200 403 403 403 404 302 302 / 404 404 404 404 302",
    "POST projects:dashboard": "200 200 200 200 200 200 404 302 302 / 404 404 404 404 302",
    "POST projects:home": "200 200 200 200 200 200 200 302 302 / 200 200 200 200 302",
    "POST reports:detail": "200 200 200 403 200 200 403 302 302 / 404 404 403 404 302",
    "POST reports:list": "422 422 422 403 422 422 403 302 302 / 422 422 403 422 302",
    "POST reports:pdf": "200 200 200 403 200 200 403 302 302 / 404 404 403 404 302",
    "POST reports:progress": "302 302 302 403 302 302 403 302 302 / 404 404 403 404 302",
    "POST reports:xlsx": "200 200 200 403 200 200 403 302 302 / 404 404 403 404 302",
    "POST selection:board": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST selection:board-data": "405 405 405 405 405 405 405 405 405 / 405 405 405 405 405",
    "POST selection:board-link-revoke": "302 403 403 403 302 403 403 302 302 / 403 403 403 404 302",
    "POST selection:board-open": "302 403 403 302 302 403 403 302 302 / 403 403 404 404 302",
    "POST selection:confirmation": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST selection:desk-action": "302 403 403 302 302 403 403 302 302 / 403 403 404 404 302",
    "POST selection:desk-console": "200 403 403 200 200 403 403 302 302 / 403 403 404 404 302",
    "POST selection:detail": "200 403 403 403 200 403 403 302 302 / 403 403 404 404 302",
    "POST selection:event": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
    "POST selection:event-step": "302 403 403 403 302 403 403 302 302 / 403 403 403 404 302",
    "POST selection:events": "200 403 403 403 200 403 404 302 302 / 404 404 404 404 302",
    "POST selection:rules": "200 403 403 403 200 403 403 302 302 / 403 403 403 404 302",
    "POST selection:summary": "200 403 403 200 200 200 403 302 302 / 403 403 404 404 302",
}
