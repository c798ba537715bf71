"""Schemathesis against the API's own OpenAPI schema, in-process: no generated request may get
a server error (5xx), whether sent by a selection supervisor, by a project team or with a
household's token.

The schema is generated from the code (drf-spectacular) and the requests go to the WSGI
application itself, inside the test's transaction (pytest-django rolls back what the writes
did). Examples are derandomized and few per operation, so the run is deterministic and bounded
in time. A 5xx fails with the server's traceback attached.
"""

import json
import traceback

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.checks import not_a_server_error

from resettlement.archive.models import IssuedDocument
from resettlement.handover.models import Appointment, Handover, HandoverBatch
from resettlement.household_status.access import household_token_create
from resettlement.households.models import Household
from resettlement.housing.models import Building, Flat
from resettlement.id_numbers import check_character
from resettlement.lottery.models import Lottery
from resettlement.progress.models import BuildingMilestone
from resettlement.projects.models import Village
from resettlement.selection.models import Selection, SelectionEvent
from tests.selection_fixtures import planned_day

pytestmark = pytest.mark.django_db

PERSONAS = ["supervisor", "team", "household"]
EXAMPLES_PER_OPERATION = 12


def openapi_schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


# The coverage phase sends every boundary case of every parameter (hundreds per operation):
# too slow for each run of the suite; the fuzzing phase sends positive and negative cases.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(openapi_schema(), config=CONFIG)

# Random ids and codes would nearly all miss (404, "unknown project") and test little but the
# lookups. Most generated values are therefore swapped for one of the rows that exist, chosen
# by the value itself so that a run repeats exactly; the rest are sent as generated.
COLLECTIONS = {
    "/api/v1/appointments/": Appointment,
    "/api/v1/buildings/": Building,
    "/api/v1/flats/": Flat,
    "/api/v1/handover-batches/": HandoverBatch,
    "/api/v1/handovers/": Handover,
    "/api/v1/households/": Household,
    "/api/v1/lotteries/": Lottery,
    "/api/v1/me/documents/": IssuedDocument,
    "/api/v1/milestones/": BuildingMilestone,
    "/api/v1/selection-events/": SelectionEvent,
    "/api/v1/selections/": Selection,
    "/api/v1/villages/": Village,
}
PROJECTS = ["PA", "PB"]
NODES = ["start", "foundation", "delivery"]
VALID_ID_NUMBER = "61011319800101123" + check_character("61011319800101123")


def steer(value, choices: list):
    """One of `choices` for most values (picked by the value), else the value unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not choices:
        return value
    key = value if isinstance(value, int) else sum(map(ord, value))
    index = abs(key) % (len(choices) + 1)
    return choices[index] if index < len(choices) else value


@schema.hook
def map_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict):
        return path_parameters
    path = context.operation.path
    if "id" in path_parameters:
        model = next(m for prefix, m in COLLECTIONS.items() if path.startswith(prefix))
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        path_parameters["id"] = steer(path_parameters["id"], ids)
    if "code" in path_parameters:
        path_parameters["code"] = steer(path_parameters["code"], PROJECTS)
    return path_parameters


@schema.hook
def map_query(context, query):
    operation = context.operation
    if operation.method.upper() == "POST" and operation.path == "/api/v1/households/":
        query = {"project": None, **(query if isinstance(query, dict) else {})}  # its project
    if isinstance(query, dict) and "project" in query:
        query["project"] = steer(query["project"], PROJECTS) or PROJECTS[0]
    return query


@schema.hook
def map_body(context, body):
    if not isinstance(body, dict):
        return body
    choices = {
        "project": PROJECTS,
        "node": NODES,
        "buildings": [["*"], ["1#"], ["5#", "6#"]],
        "village": list(
            Village.objects.filter(projects__code=PROJECTS[0]).values_list("code", flat=True)
        ),
        "head_id_number": [VALID_ID_NUMBER],
        "recognised_persons": [2, 3],
        "original_area": ["95.50", "120"],
        "signed_on": ["2021-06-01"],
    }
    for name, options in choices.items():
        if name in body:
            key = body[name] if not isinstance(body[name], list) else len(body[name])
            steered = steer(key, options)
            body[name] = steered if steered is not key else body[name]
    return body


@pytest.fixture(scope="module")
def application():
    """The WSGI application, used as a test client uses it: Django must not close the
    database connection at the end of each request (that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions the application turned into a 500."""
    errors: list[str] = []

    def record(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    got_request_exception.connect(record)
    yield errors
    got_request_exception.disconnect(record)


@pytest.fixture
def session_of(world, personas):
    """Cookies and header of a logged-in browser session (with its CSRF token) for a persona,
    with a lottery and a selection day in project A so every list has rows."""
    planned_day(world, by=personas["supervisor"])

    def session(name: str) -> dict:
        if name == "household":  # a household's token: /api/v1/me/ and nothing else
            household = Household.objects.filter(project=world.project_a).first()
            _token, key = household_token_create(household)
            return {"headers": {"Authorization": f"Bearer {key}"}}
        client = Client()
        client.force_login(personas[name])
        csrf = get_random_string(32)
        return {
            "cookies": {
                settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
                settings.CSRF_COOKIE_NAME: csrf,
            },
            "headers": {"X-CSRFToken": csrf},
        }

    return session


@schema.parametrize()
@pytest.mark.parametrize("persona", PERSONAS)
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_no_request_gets_a_server_error(case, persona, application, session_of, server_errors):
    response = case.call(app=application, **session_of(persona))
    assert response.status_code < 500, "".join(server_errors) or response.text[:2000]
    case.validate_response(response, checks=[not_a_server_error])
