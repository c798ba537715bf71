"""Board links (the projector's address, no login) expire, can be revoked one by one or all at
once by a selection supervisor on the event page and by an administrator in the admin, and
then say so in Chinese; the data the board polls is refused too."""

import datetime

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from resettlement.selection.board import board_link_create
from resettlement.selection.lifecycle import event_open
from resettlement.selection.models import BoardLink, LogAction, SelectionLog
from resettlement.selection.services import event_create
from tests.selection_fixtures import households, planned_day, project_with_flats, published_lottery

pytestmark = pytest.mark.django_db
START = datetime.datetime(2025, 6, 1, 0, 30, tzinfo=datetime.UTC)  # 08:30 in Xi'an
GONE_EXPIRED = "此大屏链接已于 2025-06-02 08:30 过期。请在选房活动页面重新打开大屏。"
GONE_REVOKED = "此大屏链接已被撤销。请在选房活动页面重新打开大屏。"


@pytest.fixture
def event(world, personas):
    event, _people = planned_day(world, by=personas["supervisor"])
    return event_open(event=event)


def urls(token: str) -> tuple[str, str]:
    return reverse("selection:board", args=[token]), reverse("selection:board-data", args=[token])


def open_board(client, event) -> str:
    response = client.post(reverse("selection:board-open", args=[event.pk]))
    assert response.status_code == 302
    return response["Location"].removeprefix("/board/").removesuffix("/")


def assert_gone(token: str, message: str) -> None:
    page_url, data_url = urls(token)
    page = Client().get(page_url)
    assert page.status_code == 410
    assert message in page.content.decode()
    data = Client().get(data_url)
    assert data.status_code == 410 and data.json() == {"detail": message}


def test_a_board_link_works_for_the_configured_hours_then_says_it_expired(event, login):
    with time_machine.travel(START, tick=False):
        token = open_board(login("clerk"), event)
    link = BoardLink.objects.get()
    assert link.expires_at == START + datetime.timedelta(hours=24)
    with time_machine.travel(START + datetime.timedelta(hours=23, minutes=59), tick=False):
        page_url, data_url = urls(token)
        assert Client().get(page_url).status_code == 200
        assert Client().get(data_url).status_code == 200
    with time_machine.travel(START + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert_gone(token, GONE_EXPIRED)


@override_settings(BOARD_LINK_HOURS=2)
def test_the_board_link_lifetime_comes_from_the_settings(event, personas):
    with time_machine.travel(START, tick=False):
        link, token = board_link_create(event=event, by=personas["clerk"])
    assert link.expires_at == START + datetime.timedelta(hours=2)
    with time_machine.travel(START + datetime.timedelta(hours=3), tick=False):
        assert Client().get(urls(token)[1]).status_code == 410


def test_the_address_is_kept_only_as_a_hash(event, login):
    token = open_board(login("clerk"), event)
    stored = {str(value) for value in BoardLink.objects.values().get().values()}
    assert not any(token in value for value in stored) and len(token) >= 43


def test_a_supervisor_lists_and_revokes_one_link_on_the_event_page(event, login, personas):
    kept = open_board(login("clerk"), event)
    revoked = open_board(login("supervisor"), event)
    supervisor = login("supervisor")
    page = supervisor.get(event.get_absolute_url()).content.decode()
    assert 'id="board-links"' in page and page.count("data-link=") == 2
    link = BoardLink.objects.get(created_by=personas["supervisor"])
    url = reverse("selection:board-link-revoke", args=[event.pk, link.pk])
    response = supervisor.post(url)
    assert response.status_code == 302
    assert_gone(revoked, GONE_REVOKED)
    again = supervisor.post(url, follow=True)  # a double submit, or a colleague was quicker
    assert again.status_code == 200 and "此大屏链接已被撤销或已过期。" in again.content.decode()
    assert Client().get(urls(kept)[1]).status_code == 200
    page = supervisor.get(event.get_absolute_url()).content.decode()
    assert page.count("data-link=") == 1, "only active links are listed"
    log = SelectionLog.objects.get(event=event, action=LogAction.BOARD)
    assert log.user == personas["supervisor"]


def test_a_supervisor_revokes_every_link_of_the_event(event, login):
    tokens = [open_board(login("clerk"), event) for _ in range(2)]
    login("supervisor").post(reverse("selection:event-step", args=[event.pk, "board"]))
    for token in tokens:
        assert_gone(token, GONE_REVOKED)
    assert open_board(login("clerk"), event), "a new link works again"


@pytest.mark.parametrize("persona", ["leader", "team", "outsider"])
def test_only_staff_who_run_the_day_may_make_a_board_link_and_only_by_a_form(event, login, persona):
    opening = reverse("selection:board-open", args=[event.pk])
    assert login("clerk").get(opening).status_code == 405, "never by following a link"
    assert login(persona).post(opening).status_code in (403, 404)
    assert not BoardLink.objects.exists()


@pytest.mark.parametrize("persona", ["clerk", "leader"])
def test_staff_who_open_or_watch_the_board_cannot_list_or_revoke_its_links(event, login, persona):
    token = open_board(login("clerk"), event)
    client = login(persona)
    assert 'id="board-links"' not in client.get(event.get_absolute_url()).content.decode()
    link = BoardLink.objects.get()
    url = reverse("selection:board-link-revoke", args=[event.pk, link.pk])
    assert client.post(url).status_code == 403
    assert Client().get(urls(token)[1]).status_code == 200


def event_of_project_b(world):
    project, buildings = project_with_flats(project=world.project_b, numbers=(7,))
    households(project, 1)
    event = event_create(
        project=project,
        name="乙项目选房",
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2025, 6, 1),
        queue_source="lottery",
        lottery=published_lottery(project),
        buildings=buildings,
    )
    return event


def test_another_projects_link_cannot_be_revoked_through_this_event(event, world, login):
    other_event = event_of_project_b(world)
    link, token = board_link_create(event=other_event)
    url = reverse("selection:board-link-revoke", args=[event.pk, link.pk])
    assert login("supervisor").post(url).status_code == 404
    assert Client().get(urls(token)[1]).status_code == 200


def test_an_administrator_lists_and_revokes_board_links_in_the_admin(event, login):
    token = open_board(login("clerk"), event)
    admin = login("admin")
    changelist = reverse("admin:selection_boardlink_changelist")
    page = admin.get(changelist, {"state": "active"}).content.decode()
    assert event.name in page and token not in page
    link = BoardLink.objects.get()
    admin.post(changelist, {"action": "revoke", "_selected_action": [link.pk]})
    assert_gone(token, GONE_REVOKED)
    log = SelectionLog.objects.get(event=event, action=LogAction.BOARD)
    assert log.user.username == "admin", "in the event's log, as on the event page"


@pytest.mark.parametrize("persona", ["team", "lead", "clerk", "supervisor", "leader"])
def test_only_administrators_see_board_links_in_the_admin(event, login, persona):
    response = login(persona).get(reverse("admin:selection_boardlink_changelist"))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_an_unknown_link_is_not_found_in_chinese(db):
    page_url, data_url = urls("forged-token")
    page = Client().get(page_url)
    assert page.status_code == 404
    assert "此大屏链接无效。请在选房活动页面重新打开大屏。" in page.content.decode()
    assert Client().get(data_url).status_code == 404
