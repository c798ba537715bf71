"""Every number is held to the range of the column it is stored in (issue 8 §3): a value the
column cannot hold is a clear error in the form, the API or the import, never a numeric overflow
on PostgreSQL (a 500) nor a value stored out of range on SQLite. The bounds are read from the
model fields, so they cannot drift from the columns."""

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

import api.serializers
import resettlement
from resettlement.column_ranges import column_range, field_range
from resettlement.households.models import Household
from resettlement.lottery.models import LotteryEntry
from resettlement.lottery.services import lottery_create, roster_build
from resettlement.selection.models import SelectionEvent
from tests.factories import synthetic_id_number
from tests.selection_fixtures import planned_day

pytestmark = pytest.mark.django_db
D = Decimal
HUGE_AREA = "1234567.5"


@pytest.fixture
def planned(world, personas):
    return planned_day(world, by=personas["supervisor"])


def rules(**changes) -> dict:
    data = {
        "max_flats": 2,
        "allowed_excess": "30",
        "shortfall_refund_price": "4000",
        "allowed_layouts": "",
        "absent_rule": "move_to_end",
        "countdown_seconds": 600,
        "extension_seconds": 180,
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-up_to_excess": "30",
        "tiers-0-price_per_m2": "6300",
        "floors-TOTAL_FORMS": "1",
        "floors-INITIAL_FORMS": "0",
        "floors-0-floor_from": "5",
        "floors-0-floor_to": "6",
        "floors-0-per_m2": "100",
    }
    return {**data, **changes}


class TestForms:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("tiers-0-up_to_excess", HUGE_AREA, "99999.99"),
            ("tiers-0-price_per_m2", "123456789012", "99999999.99"),
            ("floors-0-floor_to", "40000", "32767"),
            ("floors-0-per_m2", "123456789012", "99999999.99"),
            ("countdown_seconds", "3000000000", "2147483647"),
            ("max_flats", "40000", "32767"),
        ],
    )
    def test_event_rules_beyond_their_columns_are_refused_and_nothing_is_saved(
        self, planned, login, field, value, message
    ):
        event, _people = planned

        def stored():
            event.refresh_from_db()
            return (
                event.countdown_seconds,
                event.max_flats,
                list(event.price_tiers.values_list("up_to_excess", "price_per_m2")),
                list(event.floor_adjustments.values_list("floor_from", "floor_to", "per_m2")),
            )

        before = stored()
        response = login("supervisor").post(
            reverse("selection:rules", args=[event.pk]), rules(**{field: value})
        )
        assert response.status_code == 200, "the form again, with the error"
        assert message in response.content.decode()
        assert stored() == before

    def test_a_lottery_group_beyond_its_column_is_refused(self, world, login, personas):
        project = world.project_a
        lottery = lottery_create(project=project, name="第一批", by=personas["supervisor"])
        roster_build(lottery=lottery)
        entry = lottery.entries.get()
        group = entry.group
        response = login("supervisor").post(
            reverse("lottery:entry", args=[lottery.pk, entry.pk]),
            {"group": "3000000000"},
            follow=True,
        )
        assert response.status_code == 200
        entry.refresh_from_db()
        assert entry.group == group

    def test_the_household_form_refuses_an_area_beyond_its_column(self, world, login):
        household = world.household_a
        client = login("team")
        response = client.post(
            reverse("households:edit", args=[household.pk]),
            {
                "agreement_no": household.agreement_no,
                "village": household.village_id,
                "head_name": household.head_name,
                "head_id_number": household.head_id_number,
                "phone": "",
                "recognised_persons": 3,
                "original_area": HUGE_AREA,
                "entitled_area": "",
                "compensation_mode": "property_swap",
                "signed_on": "2020-05-01",
                "note": "",
            },
        )
        assert response.status_code in (200, 403)
        household.refresh_from_db()
        assert household.original_area != D(HUGE_AREA)


class TestAdmin:
    def test_a_flat_on_a_floor_beyond_its_column_is_refused_by_the_admin(self, world, login):
        from resettlement.housing.services import FlatPosition, flats_generate

        building = world.building_a
        flats_generate(
            building=building,
            positions=[FlatPosition(position=1, layout="A", gross_area=D("89.50"))],
        )
        flat = building.flats.first()
        url = reverse("admin:housing_flat_change", args=[flat.pk])
        data = {
            "building": building.pk,
            "stairwell": flat.stairwell,
            "floor": "40000",
            "position": flat.position,
            "room": flat.room,
            "code": flat.code,
            "layout": flat.layout,
            "gross_area": HUGE_AREA,
            "surveyed_area": "",
            "note": "",
        }
        response = login("admin").post(url, data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "须在 1 至 32767 之间" in page and "须在 0.01 至 999999.99 之间" in page
        flat.refresh_from_db()
        assert flat.floor != 40000 and flat.gross_area == D("89.50")

    def test_every_numeric_admin_field_has_its_columns_bounds(self, rf, personas):
        from django.contrib import admin

        request = rf.get("/")
        request.user = personas["admin"]
        unbounded = []
        for model, model_admin in admin.site._registry.items():
            forms_of = [(model, model_admin.get_form(request))]
            for inline in model_admin.get_inline_instances(request):
                forms_of.append((inline.model, inline.get_formset(request).form))
            for form_model, form in forms_of:
                for name, field in form.base_fields.items():
                    if not isinstance(field, NUMERIC_FORM_FIELDS) or field.max_value is None:
                        if isinstance(field, NUMERIC_FORM_FIELDS):
                            unbounded.append(f"{form_model.__name__}.{name}")
                        continue
                    bounds = field_range(form_model._meta.get_field(name))
                    if field.max_value > bounds.maximum or field.min_value < bounds.minimum:
                        unbounded.append(f"{form_model.__name__}.{name}")
        assert not unbounded


class TestApi:
    def test_an_area_beyond_its_column_is_a_400_naming_the_field(self, world, api):
        client = api("admin")
        body = {
            "project": world.project_a.code,
            "agreement_no": "API-1",
            "village": world.project_a.villages.first().code,
            "head_name": "王伟",
            "head_id_number": synthetic_id_number(),
            "recognised_persons": 2,
            "original_area": HUGE_AREA,
        }
        response = client.post(reverse("api:household-list"), body, format="json")
        assert response.status_code == 400
        assert "original_area" in response.json()
        assert not Household.objects.filter(agreement_no="API-1").exists()

    def test_recognised_persons_beyond_their_column_is_a_400(self, world, api):
        client = api("admin")
        body = {
            "project": world.project_a.code,
            "agreement_no": "API-2",
            "village": world.project_a.villages.first().code,
            "head_name": "王伟",
            "head_id_number": synthetic_id_number(),
            "recognised_persons": 40000,
            "original_area": "90",
        }
        response = client.post(reverse("api:household-list"), body, format="json")
        assert response.status_code == 400
        assert "recognised_persons" in response.json()


def _modules(package):
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations" in info.name or info.name.endswith(("settings", "wsgi", "asgi")):
            continue
        yield importlib.import_module(info.name)


def _classes(package, base):
    seen = {}
    for module in _modules(package):
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, base) and value.__module__ == module.__name__:
                seen[f"{value.__module__}.{value.__qualname__}"] = value
    return seen


NUMERIC_FORM_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
NUMERIC_API_FIELDS = (serializers.IntegerField, serializers.DecimalField, serializers.FloatField)


class TestEveryNumberIsBounded:
    """The guard for the next form or serializer: every numeric input has an upper bound, and a
    ModelForm field never allows more than its column."""

    def test_every_numeric_form_field_has_its_columns_bounds(self):
        unbounded = []
        for name, form in _classes(resettlement, forms.BaseForm).items():
            model = getattr(getattr(form, "_meta", None), "model", None)
            for field_name, field in form.base_fields.items():
                if not isinstance(field, NUMERIC_FORM_FIELDS):
                    continue
                if field.max_value is None or field.min_value is None:
                    unbounded.append(f"{name}.{field_name}")
                    continue
                if model is None or field_name not in {f.name for f in model._meta.fields}:
                    continue
                bounds = field_range(model._meta.get_field(field_name))
                if field.max_value > bounds.maximum or field.min_value < bounds.minimum:
                    unbounded.append(f"{name}.{field_name}")
        assert not unbounded

    def test_every_numeric_api_input_has_bounds(self):
        """(Model serializers are the API's output; its input serializers are plain ones.)"""
        unbounded = []
        for name, serializer in _classes(api.serializers, serializers.Serializer).items():
            if issubclass(serializer, serializers.ModelSerializer):
                continue
            for field_name, field in serializer._declared_fields.items():
                if not isinstance(field, NUMERIC_API_FIELDS) or field.read_only:
                    continue
                if field.max_value is None or field.min_value is None:
                    unbounded.append(f"{name}.{field_name}")
        assert not unbounded

    def test_bounds_are_read_from_the_columns(self):
        assert column_range(Household, "original_area").maximum == D("999999.99")
        assert column_range(Household, "original_area").minimum == D("0.01")
        assert column_range(Household, "recognised_persons").maximum == 99  # its validator
        assert column_range(LotteryEntry, "group").maximum == 2147483647
        assert column_range(SelectionEvent, "countdown_seconds").minimum >= 0
