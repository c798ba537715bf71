"""The Django admin for everything: each registered model's list and an object's page open for
an administrator; the lottery and the selections are read-only there."""

import uuid

import pytest
from django.contrib import admin
from django.urls import reverse

from resettlement.lottery.models import Lottery, LotteryResult
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next, event_open
from resettlement.selection.models import Selection
from resettlement.selection.services import flats_hold
from tests.selection_fixtures import planned_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(world, personas):
    event, _people = planned_day(world, by=personas["supervisor"])
    event_open(event=event)
    desk = event.desks.get(number=1)
    entry = desk_call_next(desk=desk)
    flat = event.buildings.first().flats.get(code="5-1-101")
    flats_hold(entry=entry, desk=desk, flats=[flat])
    selection_confirm(entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4())
    return event


def test_every_admin_list_and_object_page_opens(populated, login):
    client = login("admin")
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        instance = model._default_manager.first()
        if instance is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
            assert client.get(change).status_code == 200, change


def test_lottery_results_and_selections_cannot_be_changed_in_the_admin(populated, login):
    client = login("admin")
    lottery = Lottery.objects.get()
    result = LotteryResult.objects.first()
    selection = Selection.objects.get()
    for obj, name in [(lottery, "lottery"), (result, "lotteryresult"), (selection, "selection")]:
        app = obj._meta.app_label
        url = reverse(f"admin:{app}_{name}_change", args=[obj.pk])
        page = client.get(url).content.decode()
        assert 'name="_save"' not in page, name
        assert client.post(url, {}).status_code == 403, name
        assert client.get(reverse(f"admin:{app}_{name}_delete", args=[obj.pk])).status_code == 403
    page = client.get(reverse("admin:lottery_lottery_change", args=[lottery.pk])).content.decode()
    assert lottery.secret not in page, "the secret is shown on the lottery page, once revealed"


def test_an_open_events_price_rules_are_read_only_in_the_admin(populated, login):
    """Desks settle every household of the day by the same rules: fixed once the event opens."""
    client = login("admin")
    url = reverse("admin:selection_selectionevent_change", args=[populated.pk])
    page = client.get(url).content.decode()
    assert populated.price_tiers.exists()
    assert 'name="price_tiers-0-price_per_m2"' not in page
    populated.status = "planned"
    populated.save(update_fields=["status"])
    page = client.get(url).content.decode()
    assert 'name="price_tiers-0-price_per_m2"' in page
