"""No copy of personal data stays behind: every staff page, download and API answer is
`Cache-Control: private, no-store` for each role that sees it; the public responses that are
meant to be cached (the board data, static files) say so themselves."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import reverse

from resettlement.imports.models import ImportBatch, ImportKind, ImportOutcome
from resettlement.lottery.models import Lottery
from resettlement.selection.board import board_link_create
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next, event_open
from resettlement.selection.services import flats_hold
from tests.selection_fixtures import planned_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world, personas):
    """An open selection day with one confirmed selection, its lottery and an error workbook."""
    event, people = planned_day(world, by=personas["supervisor"])
    event_open(event=event)
    desk = event.desks.get(number=1)
    entry = desk_call_next(desk=desk)
    flat = event.buildings.first().flats.get(code="5-1-101")
    flats_hold(entry=entry, desk=desk, flats=[flat])
    selection = selection_confirm(
        entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4()
    )
    batch = ImportBatch.objects.create(
        project=world.project_a,
        kind=ImportKind.HOUSEHOLDS,
        filename="register.xlsx",
        outcome=ImportOutcome.REJECTED,
        error_count=1,
    )
    batch.error_report.save("errors.xlsx", ContentFile(b"PK workbook with ID numbers"))
    return {
        "event": event,
        "household": people[0],
        "selection": selection,
        "lottery": Lottery.objects.get(project=world.project_a),
        "batch": batch,
    }


def personal_urls(day) -> dict[str, str]:
    """Each page, download and API answer with personal data -> its address."""
    event, household, selection = day["event"], day["household"], day["selection"]
    lottery = day["lottery"]
    return {
        "household search": reverse("households:search") + "?id_digits=1234",
        "household page": reverse("households:detail", args=[household.pk]),
        "household edit": reverse("households:edit", args=[household.pk]),
        "household API list": "/api/v1/households/",
        "household API record": f"/api/v1/households/{household.pk}/",
        "selection API": "/api/v1/selections/",
        "import error workbook": reverse("imports:error-report", args=[day["batch"].pk]),
        "selection event with its queue": event.get_absolute_url(),
        "desk console": reverse("selection:desk-console", args=[event.pk, 1]),
        "day summary": reverse("selection:summary", args=[event.pk]),
        "day summary PDF": reverse("selection:summary", args=[event.pk]) + "?format=pdf",
        "selection page": selection.get_absolute_url(),
        "confirmation PDF": reverse("selection:confirmation", args=[selection.pk]),
        "lottery page with its roster": reverse("lottery:detail", args=[lottery.pk]),
        "roster download": reverse("lottery:file", args=[lottery.pk, "roster.csv"]),
        "project dashboard": reverse("projects:dashboard", args=[event.project.code]),
    }


NOT_FOR = {  # what each role may not open at all (the others see every address above)
    "clerk": {"household edit", "import error workbook"},
    "leader": {"household edit", "import error workbook", "desk console"},
}


def is_private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def assert_private(response, what: str) -> None:
    assert response.status_code == 200, what
    assert is_private(response), f"{what}: {response.get('Cache-Control')}"


@pytest.mark.parametrize("persona", ["admin", "supervisor", "clerk", "leader"])
def test_pages_downloads_and_api_answers_with_personal_data_are_never_stored(day, login, persona):
    client = login(persona)
    stored = []
    for what, url in personal_urls(day).items():
        if what in NOT_FOR.get(persona, set()):
            continue
        response = client.get(url)
        assert response.status_code == 200, f"{persona}: {what}"
        if not is_private(response):
            stored.append(what)
    assert stored == [], f"{persona} may keep a copy of: {stored}"


def test_a_token_clients_api_answers_are_never_stored(day, personas):
    from rest_framework.test import APIClient

    from resettlement.accounts.tokens import api_token_create

    _token, key = api_token_create(user=personas["supervisor"], name="reports")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert_private(client.get("/api/v1/households/"), "household API list by token")


def test_admin_household_pages_are_never_stored(day, login):
    """Django's admin marks its pages no-store itself (never_cache); kept so it stays so."""
    client = login("admin")
    household = day["household"]
    assert_private(client.get(reverse("admin:households_household_changelist")), "admin list")
    change = reverse("admin:households_household_change", args=[household.pk])
    assert_private(client.get(change), "admin household page")


def test_the_public_board_data_is_revalidated_not_forbidden_from_caching(day, personas):
    _link, token = board_link_create(event=day["event"], by=personas["clerk"])
    response = Client().get(reverse("selection:board-data", args=[token]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache" and response.has_header("ETag")


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_static_files_keep_their_public_cache_headers(db):
    response = Client().get("/static/selection/board.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]
