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
    appointment = site.handover.appointment
    paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)  # a stored document to fetch
    everything = routes(site)
    inside = clients(personas, site.household)
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


MATRIX: dict[str, str] = {}
