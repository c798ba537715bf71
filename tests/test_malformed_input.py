"""Malformed input is answered with a 4xx and a clear message, never a 500 (issue 7 §5):
deeply nested or oversized JSON, bodies that are not objects, control characters in addresses,
huge lists, numbers that are not numbers, dates outside any plausible range."""

import datetime
import io
import json
import time
from urllib.parse import urlencode
from uuid import uuid4

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from api.parsers import (
    ERROR_FORBIDDEN_CHARACTERS,
    ERROR_NOT_AN_OBJECT,
    ERROR_TOO_DEEP,
    ERROR_TOO_LARGE,
    MAX_BYTES,
    MAX_DEPTH,
)
from api.serializers.progress import ERROR_TOO_MANY_BUILDINGS, MAX_BULK_BUILDINGS
from api.views import ERROR_BUILDINGS_UNKNOWN_MANY
from resettlement.housing.codes import ERROR_BUILDING_CODE
from resettlement.housing.models import Flat, FlatStatus
from resettlement.imports.models import ImportBatch
from resettlement.input_values import ERROR_DATE_RANGE
from resettlement.lottery.models import LotteryStatus
from resettlement.lottery.services import lottery_create
from resettlement.progress.models import BuildingMilestone
from resettlement.progress.photos import ERROR_NOT_AN_IMAGE
from resettlement.request_check import ERROR_FORM, ERROR_URL
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.forms import ERROR_NOT_A_FLAT
from resettlement.selection.lifecycle import desk_call_next, desk_current, event_open, queue_present
from resettlement.selection.models import FlatHold, SelectionStatus
from resettlement.selection.services import flats_hold
from tests.api_checks import assert_client_error
from tests.factories import synthetic_id_number
from tests.selection_fixtures import planned_day
from tests.workbooks import HOUSEHOLD_HEADER, register

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)
HTMX = {"HTTP_HX_REQUEST": "true"}
DATE_RANGE = ERROR_DATE_RANGE % {"earliest": "1949-10-01", "latest": "2100-12-31"}


def post_json(client, url: str, body: str):
    return client.generic("POST", url, body, content_type="application/json")


# JSON bodies


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 5_000 + "1" + "}" * 5_000,
        "[" * 100_000,  # never closed
        '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),
    ],
    ids=["arrays-100000-deep", "objects-5000-deep", "unbalanced", "one-level-too-deep"],
)
def test_deeply_nested_json_is_refused(world, api, body):
    response = post_json(api("supervisor"), "/api/v1/households/?project=PA", body)
    assert_client_error(response, 400, str(ERROR_TOO_DEEP % {"limit": MAX_DEPTH}))


def test_a_body_full_of_escaped_quotes_is_parsed_in_linear_time(world, api):
    body = '{"project": "PA", "note": "' + '\\"' * 400_000 + '"}'
    started = time.perf_counter()
    response = post_json(api("supervisor"), "/api/v1/households/", body)
    assert response.status_code == 400 and "agreement_no" in response.json()
    assert time.perf_counter() - started < 5


def test_nesting_within_the_limit_reaches_the_serializer(world, api):
    body = '{"project": "PA", "members": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = post_json(api("supervisor"), "/api/v1/households/", body)
    assert response.status_code == 400 and "agreement_no" in response.json()


@pytest.mark.parametrize("body", ["[]", '["PA"]', '"PA"', "null", "42", "true"])
def test_a_body_that_is_not_an_object_is_refused(world, api, body):
    client = api("supervisor")
    for url in ("/api/v1/households/", "/api/v1/households/?project=PA"):
        response = post_json(client, url, body)
        assert_client_error(response, 400, str(ERROR_NOT_AN_OBJECT))
    milestone = BuildingMilestone.objects.filter(building=world.building_a).first()
    response = api("team").generic(
        "PATCH", f"/api/v1/milestones/{milestone.pk}/", body, content_type="application/json"
    )
    assert_client_error(response, 400, str(ERROR_NOT_AN_OBJECT))


def test_a_body_larger_than_the_limit_is_refused(world, api):
    body = json.dumps({"project": "PA", "note": "x" * MAX_BYTES})
    response = post_json(api("supervisor"), "/api/v1/households/", body)
    assert_client_error(response, 413, str(ERROR_TOO_LARGE % {"limit": MAX_BYTES // 1024}))


def test_nul_and_lone_surrogates_in_json_strings_are_refused(world, api):
    client = api("supervisor")
    for text in ("PA\\u0000", "\\ud800"):
        response = post_json(client, "/api/v1/households/", f'{{"project": "{text}"}}')
        assert_client_error(response, 400, str(ERROR_FORBIDDEN_CHARACTERS))


def test_line_breaks_and_paired_surrogates_in_json_strings_are_text(world, api):
    response = post_json(
        api("supervisor"),
        "/api/v1/households/",
        '{"project": "PA", "note": "a\\n\\t\\ud83d\\ude00"}',
    )
    assert response.status_code == 400 and "agreement_no" in response.json()


# Addresses


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/geo/buildings/?project=%00",
        "/api/v1/geo/villages/?project=PA%00",
        "/api/v1/projects/%00/",
        "/api/v1/households/?project=PA%00x",
        "/api/v1/households/?q=%01",
        "/api/v1/flats/?%00=1",
        "/api/v1/buildings/?project=%ff%fe",  # not UTF-8
        "/api/v1/buildings/?project=%ed%a0%80",  # an encoded lone surrogate
        "/projects/%00/",
        "/households/?q=a%00b",
    ],
)
def test_control_characters_and_broken_utf8_in_the_address_are_refused(world, login, url):
    response = login("supervisor").get(url)
    assert_client_error(response, 400, str(ERROR_URL))


def test_ordinary_addresses_still_work(world, login):
    client = login("supervisor")
    assert client.get("/api/v1/households/?project=PA&q=张").status_code == 200
    assert client.get("/api/v1/households/?q=%E5%BC%A0%20%E4%B8%89").status_code == 200
    assert client.get("/api/v1/projects/PA/").status_code == 200


@override_settings(REQUEST_MAX_MB=1)
def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(world, login, api):
    """Every upload has its own limit (registers, GIS files, photos); beyond the largest
    request any of them makes, the body is refused unread, pages and API alike."""
    big = SimpleUploadedFile("花名册.xlsx", b"x" * (1024 * 1024 + 1))
    page = login("supervisor").post(
        reverse("imports:page", args=["PA"]), {"kind": "households", "households-file": big}
    )
    assert page.status_code == 413 and "请求内容超过 1 MB" in page.content.decode()
    milestone = world.building_a.milestones.first()
    photo = SimpleUploadedFile("a.jpg", b"x" * (1024 * 1024 + 1), content_type="image/jpeg")
    response = api("team").post(
        f"/api/v1/milestones/{milestone.pk}/photos/", {"photos": [photo]}, format="multipart"
    )
    assert_client_error(response, 413, "请求内容超过 1 MB，大于任何上传所允许的大小。")
    assert not ImportBatch.objects.exists()


def test_a_nul_in_a_form_is_refused_and_line_breaks_are_not(world, login, personas):
    lottery = lottery_create(project=world.project_a, name="第一批摇号")
    client = login("supervisor")
    url = reverse("lottery:cancel", args=[lottery.pk])

    def post_form(reason: str):  # as a browser posts a form without enctype
        return client.post(
            url, urlencode({"reason": reason}), content_type="application/x-www-form-urlencoded"
        )

    assert_client_error(post_form("重复\x00创建"), 400, str(ERROR_FORM))
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAFT
    assert post_form("重复创建\r\n作废").status_code == 302
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.CANCELLED


# Lists


@time_machine.travel(TODAY)
def test_bulk_milestones_refuse_a_huge_list_of_buildings(world, api):
    body = {
        "project": "PA",
        "node": "start",
        "buildings": [f"{number}#" for number in range(100_000)],
        "percent": 10,
        "actual_start": "2025-06-01",
    }
    response = post_json(api("team"), "/api/v1/milestones/bulk/", json.dumps(body))
    assert response.status_code == 400
    limit = {"limit": MAX_BULK_BUILDINGS}
    assert response.json() == {"buildings": [str(ERROR_TOO_MANY_BUILDINGS % limit)]}
    assert not BuildingMilestone.objects.filter(percent=10).exists()


@time_machine.travel(TODAY)
def test_bulk_milestones_name_at_most_a_few_unknown_buildings(world, api):
    body = {
        "project": "PA",
        "node": "start",
        "buildings": ["1#", *(f"{number}#" for number in range(100, 1099))],
        "percent": 10,
        "actual_start": "2025-06-01",
    }
    response = post_json(api("team"), "/api/v1/milestones/bulk/", json.dumps(body))
    named = "、".join(sorted(f"{number}#" for number in range(100, 1099))[:10])
    message = ERROR_BUILDINGS_UNKNOWN_MANY % {"count": 999, "codes": named}
    assert_client_error(response, 400, str(message))
    assert len(response.content) < 2_000


@time_machine.travel(TODAY)
def test_bulk_milestones_refuse_a_malformed_building_code(world, api):
    body = {"project": "PA", "node": "start", "buildings": ["1#", "!!"], "percent": 0}
    response = api("team").post("/api/v1/milestones/bulk/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"buildings": {"1": [str(ERROR_BUILDING_CODE)]}}


# The desk console


@pytest.fixture
def desk_with_household(world, personas):
    event, _people = planned_day(world, by=personas["supervisor"])
    event_open(event=event, by=personas["supervisor"])
    desk = event.desks.get(number=1)
    entry = desk_call_next(desk=desk, by=personas["clerk"])
    queue_present(entry=entry, desk=desk, by=personas["clerk"])
    return event, desk


@pytest.mark.parametrize(
    "flats", [["abc"], ["1e3"], ["99999999999999999999999"], ["-1"], ["1", "x"]]
)
def test_the_desk_refuses_flats_that_are_not_flat_numbers(desk_with_household, login, flats):
    event, desk = desk_with_household
    url = reverse("selection:desk-action", args=[event.pk, desk.number, "hold"])
    response = login("clerk").post(url, {"flats": flats}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="desk-error"' in html
    assert str(ERROR_NOT_A_FLAT % {"value": flats[-1][:20]}) in html
    assert not FlatHold.objects.exists()
    assert not Flat.objects.exclude(status=FlatStatus.AVAILABLE).exists()


def test_the_desk_still_holds_a_real_flat(desk_with_household, login):
    event, desk = desk_with_household
    flat = Flat.objects.get(code="5-1-101")
    url = reverse("selection:desk-action", args=[event.pk, desk.number, "hold"])
    response = login("clerk").post(url, {"flats": [str(flat.pk)]}, **HTMX)
    assert response.status_code == 200
    flat.refresh_from_db()
    assert flat.status == FlatStatus.RESERVED


def test_a_long_reason_is_recorded_whole_in_the_history(desk_with_household, login):
    _event, desk = desk_with_household
    entry = desk_current(desk)
    flat = Flat.objects.get(code="5-1-101")
    flats_hold(entry=entry, desk=desk, flats=[flat])
    selection = selection_confirm(entry=entry, desk=desk, flats=[flat], idempotency_key=uuid4())
    reason = "户主申请重新选房，" * 20
    page = login("supervisor").post(
        selection.get_absolute_url(), {"void": "confirmed", "reason": reason}
    )
    assert page.status_code == 302
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.VOIDED and selection.void_reason == reason
    for record in (flat.history.first(), selection.household.history.first()):
        assert record.history_change_reason == reason


# Dates


def start_node(world) -> BuildingMilestone:
    return world.building_a.milestones.get(milestone_type__code="start")


@time_machine.travel(TODAY)
@pytest.mark.parametrize("value", ["0001-01-01", "1900-12-31", "1949-09-30"])
def test_implausible_milestone_dates_are_refused_by_the_api(world, api, value):
    milestone = start_node(world)
    response = api("team").patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"percent": 10, "actual_start": value},
        format="json",
    )
    assert_client_error(response, 400, str(DATE_RANGE))
    milestone.refresh_from_db()
    assert milestone.actual_start is None and milestone.percent == 0


@time_machine.travel(TODAY)
def test_far_future_planned_dates_are_refused_by_the_api(world, api):
    milestone = start_node(world)
    response = api("team").patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"planned_start": "2025-01-01", "planned_finish": "9999-12-31"},
        format="json",
    )
    assert_client_error(response, 400, str(DATE_RANGE))


@time_machine.travel(TODAY)
def test_implausible_dates_are_refused_by_the_bulk_api_and_the_pages(world, api, login):
    body = {
        "project": "PA",
        "node": "start",
        "buildings": ["*"],
        "percent": 10,
        "actual_start": "0001-01-01",
    }
    response = api("team").post("/api/v1/milestones/bulk/", body, format="json")
    assert_client_error(response, 400, str(DATE_RANGE))
    milestone = start_node(world)
    page = login("team").post(
        reverse("progress:milestone-edit", args=[milestone.pk]),
        {"percent": 10, "actual_start": "0001-01-01"},
    )
    assert page.status_code == 200 and str(DATE_RANGE) in page.content.decode()
    milestone.refresh_from_db()
    assert milestone.actual_start is None


@time_machine.travel(TODAY)
def test_an_agreement_signed_in_year_one_is_refused(world, api, login):
    client = api("supervisor")
    body = {
        "project": "PA",
        "agreement_no": "PA-OLD-1",
        "village": world.project_a.villages.first().code,
        "head_name": "孙丽",
        "head_id_number": synthetic_id_number(male=False),
        "recognised_persons": 2,
        "original_area": "95.50",
        "signed_on": "0001-01-01",
    }
    response = client.post("/api/v1/households/", body, format="json")
    assert_client_error(response, 400, str(DATE_RANGE))
    assert "signed_on" in response.json()


def test_a_lottery_or_selection_day_in_year_one_is_refused_by_the_pages(world, login):
    client = login("supervisor")
    lottery = {
        "name": "第一批摇号",
        "mode": "order",
        "group_rule": "flags",
        "draw_method": "system",
        "scheduled_on": "0001-01-01",
    }
    page = client.post(reverse("lottery:list", args=["PA"]), lottery)
    assert page.status_code == 200 and str(DATE_RANGE) in page.content.decode()
    assert not world.project_a.lotteries.exists()
    event = {
        "name": "回迁选房日",
        "starts_on": "2025-06-01",
        "ends_on": "2205-06-01",
        "queue_source": "signing",
        "buildings": [world.building_a.pk],
        "desks": 2,
        "max_flats": 2,
        "absent_rule": "move_to_end",
        "countdown_seconds": 600,
        "extension_seconds": 180,
    }
    page = client.post(reverse("selection:events", args=["PA"]), event)
    assert page.status_code == 200 and str(DATE_RANGE) in page.content.decode()
    assert not world.project_a.selection_events.exists()


def test_a_building_delivered_in_year_one_is_refused_by_the_admin(world, login):
    building = world.building_a
    url = reverse("admin:housing_building_change", args=[building.pk])
    form = login("admin").get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(planned_delivery_date="0001-01-01", project=building.project_id)
    page = login("admin").post(url, data)
    assert page.status_code == 200 and str(DATE_RANGE) in page.content.decode()
    building.refresh_from_db()
    assert building.planned_delivery_date is None


# Photos


GIF_1X1 = b"GIF87a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def test_a_photo_in_another_image_format_is_refused(world, api):
    milestone = start_node(world)
    upload = io.BytesIO(GIF_1X1)
    upload.name = "site.gif"
    response = api("team").post(
        f"/api/v1/milestones/{milestone.pk}/photos/", {"photos": [upload]}, format="multipart"
    )
    assert_client_error(response, 400, str(ERROR_NOT_AN_IMAGE % {"name": "site.gif"}))
    assert not milestone.photos.exists()


def test_an_imported_agreement_signed_in_1900_is_refused(world, tmp_path, capsys):
    record = {
        "协议编号": "PA-OLD-2",
        "村": world.project_a.villages.first().name,
        "户主姓名": "孙丽",
        "户主身份证号": synthetic_id_number(male=False),
        "安置人口": 2,
        "被征收面积": 95.5,
        "签约日期": "1900-01-01",
    }
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(register(HOUSEHOLD_HEADER, [[record.get(name) for name in HOUSEHOLD_HEADER]]))
    with pytest.raises(CommandError):
        call_command("import_households", "PA", str(path))
    assert str(DATE_RANGE) in capsys.readouterr().err
    assert not world.project_a.households.filter(agreement_no="PA-OLD-2").exists()
