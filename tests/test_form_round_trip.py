"""Every form of every page, posted back exactly as a browser would send it untouched, changes
nothing in the database, in Chinese (the default) and in English.

The pages are every route of the site (tests/site_pages.py, which the CSP tests keep complete)
and each other state of a page with forms (tests/form_pages.py). Each POST form found on them
is sent by the rules of tests/html_forms.py, unless it is a button whose press is the action
(ACTIONS). Forms that show stored values must also save (MUST_SAVE): a page that cannot be
saved as shown is broken even if it writes nothing. A route that no visited page posts to must
be named in NOT_FORM_TARGETS, so a new edit page cannot go unchecked.
"""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import ERROR, get_messages
from django.test import Client
from django.urls import resolve, reverse

from tests.database_rows import rows_changed, rows_snapshot
from tests.form_pages import form_site_build, visited_forms
from tests.html_forms import submit
from tests.site_pages import route_names

pytestmark = pytest.mark.django_db

# Forms whose button is the action itself: posting them is meant to change something.
ACTIONS = {
    "logout": "signs the user out",
    "lottery:roster-build": "adds the eligible households to the roster",
    "lottery:freeze": "freezes the roster",
    "lottery:publish": "publishes the result",
    "selection:event-step": "opens or closes the event, or revokes every board link",
    "selection:board-open": "creates a board link and opens the board",
    "selection:board-link-revoke": "revokes the board link",
    "selection:desk-action": "calls the next household to the desk",
    "handover:batch-assign": "gives the batch's households their appointments",
    "handover:batch-close": "closes the handover batch",
    "handover:appointment-step": "records a household come, or its appointment missed",
    "handover:defect-step": "records a defect fixed, accepted or reopened",
    "handover:handover-add": "hands the household its keys (shown until it has them)",
    "handover:print-start": "starts a print job",
    "handover:print-retry": "prints again the households a job could not print",
    "reports:list": "writes a progress report",
    "households:access-code": "issues the household a new access code",
    "household_status:status": "signs a household in (its form: agreement number, ID suffix)",
    "household_status:sign-out": "signs the household out",
}
# Forms that show stored values: sent back unchanged, they save (and write nothing).
MUST_SAVE = {
    "progress:milestone-edit",
    "progress:milestone-template",
    "households:edit",
    "selection:rules",
    "lottery:entry",
    "set_language",
}
# Routes that are pages, files or feeds: no form of the site posts to them.
NOT_FORM_TARGETS = {
    "favicon",
    "healthz",
    "projects:home",
    "projects:dashboard",
    "imports:template",
    "imports:batch",
    "imports:error-report",
    "housing:building-detail",
    "maps:geometry-download",
    "maps:project-image",
    "maps:page",
    "progress:milestone-photo",
    "progress:milestone-photo-thumb",
    "lottery:detail",
    "lottery:notice-preview",
    "lottery:file",
    "lottery:verifier",
    "lottery:notice",
    "lottery:notice-pdf",
    "lottery:notice-file",
    "selection:event",
    "selection:summary",
    "selection:desk-console",
    "selection:confirmation",
    "selection:board",
    "selection:board-data",
    "households:detail",
    "handover:appointment",
    "handover:batch-defects",
    "handover:day",
    "handover:defect-photo",
    "handover:defect-photo-thumb",
    "handover:handover",
    "handover:handover-paper",
    "handover:notice",
    "archive:verify",
    "household_status:document",
    "handover:print-panel",
    "handover:print-job",
    "handover:print-progress",
    "handover:print-pdf",
    "handover:print-zip",
    "reports:detail",
    "reports:progress",
    "reports:pdf",
    "reports:xlsx",
    "api-schema",
    "api-docs",
}
_PER_PAGE = {"csrfmiddlewaretoken", "next"}
_ERRORS = re.compile(r'class="errorlist[^"]*"[^>]*>(.*?)</(?:ul|div|p)>', re.S)


@pytest.fixture
def form_site(world, personas):
    return form_site_build(world, personas)


def _page_errors(response) -> list[str]:
    errors = [
        message.message for message in get_messages(response.wsgi_request) if message.level >= ERROR
    ]
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        text = response.content.decode()
        errors += [
            unescape(re.sub(r"<[^>]+>", " ", part)).strip() for part in _ERRORS.findall(text)
        ]
    return errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_form_posted_back_unchanged_changes_nothing(form_site, personas, language):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    failures, posted, seen = [], set(), set()
    for url, response, form in visited_forms(client, form_site):
        path = urlsplit(form.action).path
        route = resolve(path).view_name
        # The same form twice (the layout's language switcher on every page) is sent once.
        key = (path, tuple(sorted(p for p in form.entries() if p[0] not in _PER_PAGE)))
        if form.method != "post" or not form.submittable() or route in ACTIONS or key in seen:
            continue
        seen.add(key)
        posted.add(route)
        assert response["Content-Language"] == language, url
        client.cookies.pop("messages", None)  # only this request's messages count
        before = rows_snapshot()
        answer = submit(client, form)
        where = f"{url} → form posting to {path} ({route})"
        if answer.status_code not in (200, 302, 422) or (
            answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
        ):
            failures.append(f"{where}: HTTP {answer.status_code}")
        changes = rows_changed(before, rows_snapshot())
        if changes:
            failures.append(f"{where} changed the database:\n    " + "\n    ".join(changes))
        errors = _page_errors(answer)
        if route in MUST_SAVE and (answer.status_code != 302 or errors):
            failures.append(f"{where} could not be saved as shown: {errors}")
    assert not failures, "\n".join(failures)
    unclassified = route_names() - posted - ACTIONS.keys() - NOT_FORM_TARGETS
    assert not unclassified, (
        f"no visited page posts a form to {sorted(unclassified)}: open it in a state that shows "
        "its form (tests/form_pages.py), or name it in ACTIONS or NOT_FORM_TARGETS"
    )
    assert not posted & NOT_FORM_TARGETS, "a form posts there: remove it from NOT_FORM_TARGETS"
