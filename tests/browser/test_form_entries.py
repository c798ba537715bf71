"""tests/html_forms.py says what a browser sends for a form; Chromium says it too (FormData with
the form's default button). They agree on a page made of the rules' corner cases, and on every
form of every page the round-trip test posts, in both languages."""

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.conftest import BROWSER_LOCALES
from tests.form_pages import form_pages, form_site_build
from tests.html_forms import page_forms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CORNER_CASES = """<!doctype html><html><body>
<form method="post" id="f1">
  <input name="date_iso" type="date" value="2026-05-17">
  <input name="date_zh" type="date" value="2026/05/17">
  <input name="date_no_such_day" type="date" value="2026-02-30">
  <input name="number" type="number" value="-1.5e3">
  <input name="number_grouped" type="number" value="1,234.5">
  <input name="number_comma" type="number" value="86,5">
  <input name="number_dot_last" type="number" value="1.">
  <input name="number_none" type="number" value="None">
  <input name="local_space" type="datetime-local" value="2026-05-17 09:05:00">
  <input name="local_ms" type="datetime-local" value="2026-05-17T09:05:30.500">
  <input name="local_zh" type="datetime-local" value="2026/05/17 09:05">
  <input name="time" type="time" value="09:05">
  <input name="time_short" type="time" value="9:05">
  <input name="text_newline" value="a&#10;b">
  <input name="untyped">
  <input name="unknown_type" type="bogus" value="x">
  <input name="email" type="email" value="  a@b.cn ">
  <input name="hidden_newline" type="hidden" value="a&#10;b">
  <input name="box_on" type="checkbox" checked>
  <input name="box_off" type="checkbox" value="x">
  <input name="radio" type="radio" value="1"><input name="radio" type="radio" value="2" checked>
  <input name="disabled" value="x" disabled>
  <fieldset disabled><input name="in_disabled_fieldset" value="y"></fieldset>
  <select name="none_selected"><option value="" disabled>pick</option>
    <option>  first   choice </option><option value="b">B</option></select>
  <select name="two_selected"><option value="a" selected>A</option>
    <option value="b" selected>B</option></select>
  <select name="multiple" multiple><option value="a" selected>A</option><option value="b">B</option>
    <option value="c" selected disabled>C</option></select>
  <select name="multiple_none" multiple><option value="a">A</option></select>
  <select name="grouped"><optgroup label="g" disabled><option value="a">A</option></optgroup>
    <option value="b">B</option></select>
  <textarea name="text">
line one
line two</textarea>
  <textarea name="two_newlines">

after a blank line</textarea>
  <input type="file" name="upload">
  <button type="button" name="not_a_submit" value="n">no</button>
  <button name="go" value="1">Go</button>
  <button name="other" value="2">Other</button>
</form>
<input name="owned_from_outside" form="f1" value="o">
<form method="post"><input name="a" value="1"><input type="image" name="map" alt="map"></form>
<form method="post"><input name="b" value="2"><input type="submit" disabled><button>x</button></form>
</body></html>"""

FORM_DATA = """(index) => {
  const form = document.forms[index];
  const submitter = [...document.querySelectorAll(":default")].find(
    (e) => e.form === form && (e.type === "submit" || e.type === "image"));
  const data = submitter && !submitter.disabled ? new FormData(form, submitter) : new FormData(form);
  return [...data].filter(([, value]) => typeof value === "string");
}"""


def _crlf(pairs):
    return [[name.replace("\n", "\r\n"), value.replace("\n", "\r\n")] for name, value in pairs]


def _compare(page, html: str, url: str) -> list[str]:
    page.set_content(html)
    differences = []
    for index, form in enumerate(page_forms(html, url)):
        if form.method != "post":
            continue
        ours = [list(pair) for pair in form.entries()]
        chromium = _crlf(page.evaluate(FORM_DATA, index))
        if ours != chromium:
            differences.append(f"{url} form {index}:\n  ours     {ours}\n  chromium {chromium}")
    return differences


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_form_entries_are_what_chromium_sends(world, personas, browser, language):
    page = browser.new_context(locale=BROWSER_LOCALES[language]).new_page()
    differences = _compare(page, CORNER_CASES, "http://testserver/corner-cases/")
    client = Client()
    client.force_login(personas["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in form_pages(form_site_build(world, personas)):
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            differences += _compare(page, response.content.decode(), f"http://testserver{url}")
    assert not differences, "\n".join(differences)
