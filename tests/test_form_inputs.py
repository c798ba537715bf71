"""Dates, times and numbers reach the browser in the one form its inputs read, in Chinese as in
English, and come back as they were: a save that changes one field keeps all the others."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

import resettlement.urls  # noqa: F401  (every view, so every form class, is imported)
from resettlement.forms import BrowserInputs, Form
from resettlement.progress.services import building_milestones_record
from tests.html_forms import page_forms, submit

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLANNED = {
    "planned_start": datetime.date(2027, 10, 19),
    "planned_finish": datetime.date(2027, 11, 27),
}
ROOT = Path(__file__).resolve().parent.parent


class EveryKindForm(Form):
    day = forms.DateField()
    moment = forms.DateTimeField()
    clock = forms.TimeField()
    # Localised fields keep Django's text input unless told otherwise: told here.
    area = forms.DecimalField(
        max_digits=12, decimal_places=2, localize=True, widget=forms.NumberInput
    )
    count = forms.IntegerField(localize=True, widget=forms.NumberInput)
    ratio = forms.FloatField()
    note = forms.CharField(widget=forms.Textarea)


STORED = {
    "day": datetime.date(2026, 5, 17),
    "moment": datetime.datetime(2026, 5, 17, 9, 5, 30, tzinfo=ZoneInfo(settings.TIME_ZONE)),
    "clock": datetime.time(18, 45),
    "area": Decimal("1234567.50"),
    "count": 123456,
    "ratio": 0.125,
    "note": "第一行\n第二行",
}


def _sent(form) -> dict[str, str]:
    html = f'<form method="post">{form.as_div()}<button>OK</button></form>'
    moment = next(
        c for c in page_forms(html, "http://testserver/")[0].controls if c.name == "moment"
    )
    assert moment.attrs["step"] == "1", "with a minute's step the browser refuses the seconds"
    return dict(page_forms(html, "http://testserver/")[0].entries())


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_every_kind_of_value_goes_to_the_browser_and_back_unchanged(language):
    with translation.override(language):
        sent = _sent(EveryKindForm(initial=STORED))
        assert sent == {
            "day": "2026-05-17",
            "moment": "2026-05-17T09:05:30",
            "clock": "18:45",
            "area": "1234567.50",
            "count": "123456",
            "ratio": "0.125",
            "note": "第一行\r\n第二行",
        }
        returned = EveryKindForm(data=sent)
        assert returned.is_valid(), returned.errors
        assert returned.cleaned_data == STORED


def test_date_inputs_are_date_inputs_however_the_form_declared_them():
    class Declared(Form):
        plain = forms.DateField(widget=forms.DateInput)
        typed = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "max": "2100-12-31"}))

    form = Declared(
        initial={"plain": datetime.date(2026, 5, 17), "typed": datetime.date(2026, 5, 17)}
    )
    with translation.override("zh-hans"):
        html = form.as_div()
    assert html.count('type="date"') == 2
    assert 'max="2100-12-31"' in html
    assert "2026/05/17" not in html


def test_every_form_of_the_product_uses_the_browser_inputs():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    own = [
        form
        for form in subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in ("resettlement", "maps", "api")
    ]
    assert len(own) > 20
    assert [form for form in own if not issubclass(form, BrowserInputs)] == []


_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_TYPED = re.compile(r'type="(date|datetime-local|time|month|week|number|range)"')
_VALUE = re.compile(r'value="(\{\{.*?\}\})"')
_UNLOCALIZED = re.compile(r'\|(unlocalize|date:"(Y-m-d|Y-m-d\\TH:i|H:i)")\s*\}\}$')


def test_hand_written_date_and_number_inputs_in_templates_are_not_localised():
    written = []
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in _INPUT.findall(path.read_text()):
            value = _VALUE.search(tag)
            if _TYPED.search(tag) and value:
                written.append((path.name, value[1]))
    assert written, "the lottery roster writes its group inputs by hand"
    assert [(name, v) for name, v in written if not _UNLOCALIZED.search(v)] == []


def _edit_page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    form = next(
        form
        for form in page_forms(response.content.decode(), f"http://testserver{url}")
        if form.action.endswith(url)
    )
    return form, dict(form.entries())


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_note_typed_on_a_node_not_started_keeps_its_planned_dates(world, login, language):
    """The reported case (/milestones/431/edit/: 2027-10-19 → 2027-11-27 became "— → —")."""
    node = world.building_a.milestones.get(milestone_type__code="start")
    building_milestones_record(changes=[(node, PLANNED)])
    client = login("team")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("progress:milestone-edit", args=[node.pk])
    form, shown = _edit_page(client, url)
    assert {name: shown[name] for name in PLANNED} == {
        "planned_start": "2027-10-19",
        "planned_finish": "2027-11-27",
    }

    for control in form.controls:
        if control.name == "note":
            control.text = "\n混凝土浇筑完成"
    assert submit(client, form).status_code == 302
    node.refresh_from_db()
    assert node.note == "混凝土浇筑完成"
    assert {name: getattr(node, name) for name in PLANNED} == PLANNED
    latest = node.history.order_by("-history_id").first()
    assert {name: getattr(latest, name) for name in PLANNED} == PLANNED


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_node_under_way_saves_as_shown(world, login, language):
    node = world.building_a.milestones.get(milestone_type__code="start")
    started = datetime.date(2025, 3, 3)
    building_milestones_record(changes=[(node, {"percent": 40, "actual_start": started})])
    client = login("team")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form, shown = _edit_page(client, reverse("progress:milestone-edit", args=[node.pk]))
    assert shown["actual_start"] == "2025-03-03"
    for control in form.controls:
        if control.name == "percent":
            control.attrs["value"] = "45"
    response = submit(client, form)
    assert response.status_code == 302, response.content.decode()
    node.refresh_from_db()
    assert (node.percent, node.actual_start) == (45, started)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_household_note_change_keeps_its_signing_date(world, login, language):
    household = world.household_a
    client = login("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form, shown = _edit_page(client, reverse("households:edit", args=[household.pk]))
    assert shown["signed_on"] == household.signed_on.isoformat()
    for control in form.controls:
        if control.name == "note":
            control.text = "\n户主电话已更新\n请核对"
    assert submit(client, form).status_code == 302
    household.refresh_from_db()
    assert household.signed_on == datetime.date(2020, 3, 1)
    assert household.note == "户主电话已更新\n请核对"
