"""Every form of every page is refused without its CSRF token: posted as the browser would,
but for the token, each answers 403 and changes nothing. The forms are those the form round
trip finds (tests/test_form_round_trip.py: every route of the site and each other state of a
page with forms), the action buttons included, so a new form is checked as it appears."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from tests.database_rows import rows_changed, rows_snapshot
from tests.form_pages import form_site_build, visited_forms
from tests.html_forms import submit
from tests.site_pages import route_names
from tests.test_form_round_trip import ACTIONS, NOT_FORM_TARGETS

pytestmark = pytest.mark.django_db
TOKEN = "csrfmiddlewaretoken"


def test_every_form_without_its_csrf_token_is_refused_and_changes_nothing(world, personas):
    site = form_site_build(world, personas)
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    failures, refused, seen = [], set(), set()
    for url, _response, form in visited_forms(client, site):
        path = urlsplit(form.action).path
        if form.method != "post" or path in seen:
            continue
        seen.add(path)
        assert any(name == TOKEN for name, _value in form.entries()), f"{url}: {path}"
        before = rows_snapshot()
        answer = submit(client, form, without=(TOKEN,))
        if answer.status_code != 403:
            failures.append(f"{url} → {path}: HTTP {answer.status_code}")
        if changes := rows_changed(before, rows_snapshot()):
            failures.append(f"{url} → {path} changed the database: {changes}")
        refused.add(resolve(path).view_name)
    assert not failures, "\n".join(failures)
    # Every route an edit form posts to was tried (the round trip finds the same forms), and
    # the action buttons the visited pages show.
    untried = route_names() - NOT_FORM_TARGETS - ACTIONS.keys() - refused
    assert not untried, sorted(untried)
    assert len(refused & ACTIONS.keys()) >= 10, sorted(refused & ACTIONS.keys())
