"""Every form of every page is refused without its CSRF token: posted as the browser would,
but for the token, each answers 403 and changes nothing. The forms are those the form round
trip finds (tests/test_form_round_trip.py: every route of the site and each other state of a
page with forms), the action buttons included, so a new form is checked as it appears."""

from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import resolve

from tests.database_rows import rows_changed, rows_snapshot
from tests.form_pages import form_pages, form_site_build
from tests.html_forms import page_forms
from tests.site_pages import route_names
from tests.test_form_round_trip import ACTIONS, NOT_FORM_TARGETS

pytestmark = pytest.mark.django_db
TOKEN = "csrfmiddlewaretoken"


def _post_without_token(client, form):
    pairs = [(name, value) for name, value in form.entries() if name != TOKEN]
    if form.enctype == "multipart/form-data":
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        body, content_type = encode_multipart(BOUNDARY, data), MULTIPART_CONTENT
    else:
        body, content_type = urlencode(pairs), "application/x-www-form-urlencoded"
    return client.generic("POST", form.action, body, content_type=content_type)


def test_every_form_without_its_csrf_token_is_refused_and_changes_nothing(world, personas):
    site = form_site_build(world, personas)
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    failures, refused, seen = [], set(), set()
    for url in form_pages(site):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for form in page_forms(response.content.decode(), f"http://testserver{url}"):
            path = urlsplit(form.action).path
            if form.method != "post" or path in seen:
                continue
            seen.add(path)
            assert any(name == TOKEN for name, _value in form.entries()), f"{url}: {path}"
            before = rows_snapshot()
            answer = _post_without_token(client, form)
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
