"""A save that changes nothing writes nothing (no audit row, no new updated_at, no replaced
rows), and a save that changes something is kept, also where a ModelForm has already set the
new values on the object before the service sees it (the admin, the rules page)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from resettlement.progress.services import building_milestones_record
from resettlement.selection.services import event_create
from tests.database_rows import rows_changed, rows_snapshot
from tests.html_forms import page_forms, submit

pytestmark = pytest.mark.django_db


def _form(client, url: str, form_id: str | None = None):
    page = client.get(url).content.decode()
    forms = page_forms(page, f"http://testserver{url}")
    return next(
        f for f in forms if f.method == "post" and (form_id or "") in (f.attrs.get("id") or "")
    )


def _set(form, name: str, value: str) -> None:
    for control in form.controls:
        if control.name == name:
            control.attrs["value"] = value


def test_a_node_changed_in_the_admin_is_saved_and_an_unchanged_one_is_not(world, login):
    node = world.building_a.milestones.get(milestone_type__code="start")
    building_milestones_record(changes=[(node, {"planned_start": datetime.date(2027, 10, 19)})])
    client = login("admin")
    url = reverse("admin:progress_buildingmilestone_change", args=[node.pk])

    before = rows_snapshot()
    assert submit(client, _form(client, url, "buildingmilestone_form")).status_code == 302
    changes = rows_changed(before, rows_snapshot())
    # Django's admin logs every save, even one that changes no field ("[]"); nothing else.
    assert [change for change in changes if not change.startswith("admin.LogEntry")] == []

    form = _form(client, url, "buildingmilestone_form")
    _set(form, "percent", "30")
    _set(form, "actual_start", "2025-03-03")
    assert submit(client, form).status_code == 302
    node.refresh_from_db()
    assert (node.percent, node.actual_start) == (30, datetime.date(2025, 3, 3))
    assert node.planned_start == datetime.date(2027, 10, 19)
    assert node.history.order_by("-history_id").first().percent == 30


def test_changing_one_rule_keeps_the_price_tiers_rows(world, login, personas):
    event = event_create(
        project=world.project_a,
        name="选房日",
        starts_on=datetime.date(2031, 6, 1),
        ends_on=datetime.date(2031, 6, 1),
        queue_source="signing",
        buildings=[world.building_a],
        by=personas["supervisor"],
    )
    tiers = list(event.price_tiers.values_list("pk", flat=True))
    history = event.history.count()
    client = login("supervisor")
    url = reverse("selection:rules", args=[event.pk])
    form = _form(client, url, "rules-form")
    _set(form, "max_flats", "2")
    assert submit(client, form).status_code == 302
    event.refresh_from_db()
    assert event.max_flats == 2
    assert event.allowed_excess == Decimal("30.00")
    assert list(event.price_tiers.values_list("pk", flat=True)) == tiers
    assert event.history.count() == history + 1
