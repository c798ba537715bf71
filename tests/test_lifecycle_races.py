"""Lottery steps claim the lottery's row: a roster edit racing the freeze either lands before
the digest is taken or is refused, and double-submitted steps (a draw, a publication, a
re-draw) happen once, the repeat refused with a clear message instead of an error page.
Proven on PostgreSQL with real threads, each on its own connection, released together."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from resettlement import lottery_verify as v1
from resettlement.households.models import Household
from resettlement.lottery.files import roster_entries
from resettlement.lottery.lifecycle import lottery_draw, lottery_freeze
from resettlement.lottery.models import Lottery, LotteryStatus
from resettlement.lottery.services import entry_update, lottery_create, roster_build
from tests.factories import HouseholdFactory
from tests.selection_fixtures import NOTICE_DETAILS, WITNESSES
from tests.test_lottery_pages import draw_data
from tests.test_selection_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency: PostgreSQL"
    ),
]
EDITORS = 12


@pytest.fixture
def draft(world):
    for _ in range(EDITORS + 3):
        HouseholdFactory(project=world.project_a)
    lottery = lottery_create(project=world.project_a, name="第一批摇号", **NOTICE_DETAILS)
    roster_build(lottery=lottery)
    return lottery


def supervisors(personas, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(personas["supervisor"])
        clients.append(client)
    return clients


def test_a_roster_edit_racing_the_freeze_never_leaves_a_digest_that_does_not_match(draft):
    entries = list(draft.entries.order_by("pk"))[:EDITORS]

    def attempt(index: int):
        if index == EDITORS:
            return lottery_freeze(lottery=Lottery.objects.get(pk=draft.pk))
        entry = draft.entries.select_related("lottery").get(pk=entries[index].pk)
        return entry_update(entry=entry, group=5, pool=None)

    outcomes = race(EDITORS + 1, attempt)
    assert isinstance(outcomes[EDITORS], Lottery), outcomes[EDITORS]
    draft.refresh_from_db()
    assert draft.status == LotteryStatus.FROZEN
    assert v1.roster_digest(roster_entries(draft), draft.mode) == draft.roster_digest
    refused = [outcome for outcome in outcomes[:EDITORS] if isinstance(outcome, Exception)]
    for outcome in refused:
        assert isinstance(outcome, ValidationError), outcome
        assert "名单已冻结" in outcome.messages[0], outcome.messages


def test_a_double_submitted_draw_draws_once(draft, personas):
    lottery_freeze(lottery=draft)
    clients = supervisors(personas, 4)
    url = reverse("lottery:draw", args=[draft.pk])
    outcomes = race(4, lambda index: clients[index].post(url, draw_data()))
    assert all(getattr(o, "status_code", None) == 302 for o in outcomes), outcomes
    draft.refresh_from_db()
    assert draft.status == LotteryStatus.DRAWN
    assert draft.results.count() == draft.entries.count()
    assert draft.witnesses.count() == len(WITNESSES)


def test_a_double_submitted_publication_orders_each_household_once(draft, personas):
    lottery_freeze(lottery=draft)
    lottery_draw(lottery=draft, public_input="07 21 33", witnesses=WITNESSES)
    clients = supervisors(personas, 4)
    url = reverse("lottery:publish", args=[draft.pk])
    outcomes = race(4, lambda index: clients[index].post(url))
    assert all(getattr(o, "status_code", None) == 302 for o in outcomes), outcomes
    draft.refresh_from_db()
    assert draft.status == LotteryStatus.PUBLISHED
    for household in Household.objects.filter(lottery_entries__lottery=draft):
        ordered = household.history.filter(history_change_reason__contains=draft.name)
        assert ordered.count() == 1, household


def test_concurrent_re_draws_make_one_successor(draft, personas):
    lottery_freeze(lottery=draft)
    clients = supervisors(personas, 4)
    url = reverse("lottery:redraw", args=[draft.pk])
    data = {"reason": "见证人未到场", "approved_by": "王主任"}
    outcomes = race(4, lambda index: clients[index].post(url, data))
    assert all(getattr(o, "status_code", None) == 302 for o in outcomes), outcomes
    assert Lottery.objects.filter(replaces=draft).count() == 1
