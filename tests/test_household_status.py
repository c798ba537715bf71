"""The household's own page at /my/ and its API at /api/v1/me/: a household signs in with its
agreement number and the last 6 characters of its head's ID number (and an access code where its
project asks for one), sees its own record and documents and nothing of anyone else's; wrong
agreement numbers and wrong ID suffixes are answered alike, and throttled like staff sign-ins
(on the test cache and on Redis)."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from resettlement.accounts.models import SignInEvent
from resettlement.archive.models import IssuedKind
from resettlement.archive.registry import issued_bytes
from resettlement.handover.documents import paper_issue
from resettlement.households.access_codes import access_code
from resettlement.households.models import Household
from resettlement.lottery.models import LotteryEntry
from resettlement.selection.lifecycle import desk_call_next
from resettlement.selection.models import QueueEntry
from tests.handover_fixtures import CHOSEN, handover_day
from tests.page_text import visible_text
from tests.selection_fixtures import households, open_event, project_with_flats, published_lottery
from tests.test_handover_documents import text_of

pytestmark = pytest.mark.django_db
MY = "/my/"
TOKEN = "/api/v1/me/token/"
ME = "/api/v1/me/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def day(world):
    """Four households with a flat each in 5#, a handover appointment each, and the first
    household's handover notice issued (stored, numbered)."""
    batch, people = handover_day(world)
    notice = paper_issue(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=people[0]))
    return batch, people, notice


def credentials(household: Household, **changes) -> dict:
    values = {
        "project": household.project.code,
        "agreement_no": household.agreement_no,
        "id_suffix": household.head_id_number[-6:],
    }
    return {**values, **changes}


def signed_in_client(household: Household, **changes) -> Client:
    client = Client()
    response = client.post(MY, credentials(household, **changes))
    assert response.status_code == 302 and response["Location"] == MY, response.content[:500]
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def sequence_of(household: Household) -> int:
    return LotteryEntry.objects.get(household=household).result.sequence


def test_a_household_signs_in_and_sees_its_own_record_in_chinese(day):
    batch, people, notice = day
    household = people[0]
    client = Client()
    form = visible_text(client.get(MY).content.decode())
    assert "查询本户回迁安置进度" in form and "户主身份证号后6位" in form

    assert client.post(MY, credentials(household))["Location"] == MY
    response = client.get(MY)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = visible_text(response.content.decode())
    appointment = batch.appointments.get(household=household)
    for shown in [
        household.head_name,
        household.agreement_no,
        f"第 {sequence_of(household)} 号 / 共 4 户",
        CHOSEN[0],
        "应安置面积：80.00 ㎡",
        "楼栋 5#",
        appointment.slot.day.strftime("%Y-%m-%d"),
        batch.place,
        "下一步：",
        notice.number,
        "029-00000000",
    ]:
        assert shown in text, shown
    # Its head's ID number is masked; no other household appears.
    assert household.head_id_number not in response.content.decode()
    assert f"{household.head_id_number[:6]}********{household.head_id_number[-4:]}" in text
    for other in people[1:]:
        assert not re.search(rf"(?<![\w-]){re.escape(other.agreement_no)}(?![\w-])", text)
        assert other.head_id_number[-4:] not in text


def test_its_documents_download_as_the_stored_bytes_and_no_other_households(day):
    batch, people, notice = day
    other = paper_issue(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=people[1]))
    client = signed_in_client(people[0])
    page = client.get(MY).content.decode()
    assert f"/my/documents/{notice.pk}/" in page and f"/my/documents/{other.pk}/" not in page
    download = client.get(f"/my/documents/{notice.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert body_of(download) == issued_bytes(notice)
    assert client.get(f"/my/documents/{other.pk}/").status_code == 404
    assert Client().get(f"/my/documents/{notice.pk}/")["Location"] == MY


def test_a_signed_in_household_reaches_no_staff_page_or_api(day):
    _batch, people, _notice = day
    client = signed_in_client(people[0])
    for url in [f"/households/{people[1].pk}/", f"/households/{people[0].pk}/", "/households/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/v1/households/{people[1].pk}/").status_code in (401, 403)
    assert client.get(ME).status_code == 401  # the API takes a household token, not the session


def test_a_wrong_agreement_number_and_a_wrong_id_suffix_get_the_same_answer(day, shared_cache):
    _batch, people, _notice = day
    household = people[0]
    wrong_suffix = "000000" if household.head_id_number[-6:] != "000000" else "111111"
    answers = []
    for data in [
        credentials(household, agreement_no="HT-NOSUCH"),
        credentials(household, id_suffix=wrong_suffix),
    ]:
        response = Client().post(MY, data)
        body = CSRF_INPUT.sub("", response.content.decode())
        answers.append((response.status_code, body.replace(data["agreement_no"], "")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert "协议编号、身份证号后6位或查询码不正确。" in answers[0][1]


def test_a_malformed_id_suffix_is_named_and_not_counted(day):
    _batch, people, _notice = day
    response = Client().post(MY, credentials(people[0], id_suffix="12ab"))
    assert response.status_code == 400
    assert "请输入户主身份证号的后6位" in response.content.decode()
    assert not SignInEvent.objects.exists()


def test_five_failures_lock_an_agreement_number_out_from_every_address(day, shared_cache):
    _batch, people, _notice = day
    household = people[0]
    for number in range(5):
        client = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        assert client.post(MY, credentials(household, id_suffix="00000X")).status_code == 400
    locked = Client(REMOTE_ADDR="203.0.113.9").post(MY, credentials(household))
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The API answers the same agreement number alike: it shares the throttle.
    api = APIClient(REMOTE_ADDR="203.0.113.10")
    refused = api.post(TOKEN, credentials(household), format="json")
    assert refused.status_code == 429 and "登录失败次数过多" in refused.json()["detail"]
    logged = list(SignInEvent.objects.values_list("username", flat=True))
    assert f"household:{household.project.code}:{household.agreement_no}" in logged
    assert not any(household.head_id_number[-6:] in name for name in logged)


def test_an_access_code_is_asked_where_the_project_uses_one_and_a_new_one_ends_sessions(day, login):
    _batch, people, _notice = day
    household = people[0]
    project = household.project
    project.household_access_codes = True
    project.save()
    assert Client().post(MY, credentials(household)).status_code == 400
    code = access_code(household)
    signed_in = signed_in_client(household, access_code=code.lower().replace("-", " "))
    assert household.agreement_no in signed_in.get(MY).content.decode()

    staff = login("supervisor")
    page = staff.get(f"/households/{household.pk}/").content.decode()
    assert code in page
    assert login("clerk").post(f"/households/{household.pk}/access-code/").status_code == 403
    assert staff.post(f"/households/{household.pk}/access-code/").status_code == 302
    household.refresh_from_db()
    new_code = access_code(household)
    assert (
        new_code != code and new_code in staff.get(f"/households/{household.pk}/").content.decode()
    )
    assert "查询本户回迁安置进度" in signed_in.get(MY).content.decode()  # signed out
    assert Client().post(MY, credentials(household, access_code=code)).status_code == 400
    signed_in_client(household, access_code=new_code)
    assert household.history.first().history_change_reason == "更换查询码"


def test_the_session_ends_after_household_session_minutes_and_on_sign_out(day, settings):
    _batch, people, _notice = day
    settings.HOUSEHOLD_SESSION_MINUTES = 30
    household = people[0]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in_client(household)
        clock.shift(datetime.timedelta(minutes=29))
        assert household.agreement_no in client.get(MY).content.decode()
        clock.shift(datetime.timedelta(minutes=2))
        assert "查询本户回迁安置进度" in client.get(MY).content.decode()
    client = signed_in_client(household)
    response = client.post("/my/sign-out/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "您已退出登录。" in page and household.head_name not in page


def test_the_page_is_small_scriptless_and_reads_a_fixed_number_of_queries(
    day, django_assert_num_queries, django_assert_max_num_queries
):
    _batch, people, _notice = day
    client = signed_in_client(people[0])
    with django_assert_num_queries(11):  # the session, the household, its record (9)
        response = client.get(MY)
    html = response.content.decode()
    assert "<script" not in html
    stylesheets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    assert stylesheets == ["household_status/my.css"]
    css = finders.find(stylesheets[0])
    size = len(response.content) + Path(css).stat().st_size
    assert size < 50_000, size
    # A household with no document: fewer, never more.
    other = signed_in_client(people[3])
    with django_assert_max_num_queries(11):
        other.get(MY)


def test_the_record_is_kept_household_status_seconds_and_says_when_it_was_read(
    day, settings, django_assert_num_queries
):
    _batch, people, _notice = day
    settings.HOUSEHOLD_STATUS_SECONDS = 30
    household = people[0]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in_client(household)
        first = visible_text(client.get(MY).content.decode())
        assert f"更新于 {timezone.localtime().strftime('%H:%M:%S')}" in first
        Household.objects.filter(pk=household.pk).update(entitled_area="81.50")
        clock.shift(datetime.timedelta(seconds=20))
        with django_assert_num_queries(2):  # the session and the household: no record read
            kept = visible_text(client.get(MY).content.decode())
        assert "应安置面积：80.00 ㎡" in kept
        clock.shift(datetime.timedelta(seconds=11))
        assert "应安置面积：81.50 ㎡" in visible_text(client.get(MY).content.decode())
    # Another household's page is its own.
    other = visible_text(signed_in_client(people[1]).get(MY).content.decode())
    assert people[1].agreement_no in other and household.agreement_no not in other


def test_the_selection_day_estimates_the_call_from_the_days_pace(world):
    project, buildings = project_with_flats(project=world.project_a, numbers=(5,))
    people = households(project, 6)
    lottery = published_lottery(project)
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        event = open_event(project, buildings, lottery, desks=3)
        for desk in event.desks.order_by("number"):  # one household called every 6 minutes
            desk_call_next(desk=desk)
            clock.shift(datetime.timedelta(minutes=6))
        last = QueueEntry.objects.filter(event=event, status="waiting").order_by("position").last()
        household = last.household
        client = signed_in_client(household)
        text = visible_text(client.get(MY).content.decode())
    # 7 on the roster (world's household too), 3 called: 3 wait before the last, which is
    # called 4 calls after the last one, 6 minutes apart.
    expected = timezone.localtime(start + datetime.timedelta(minutes=12 + 24)).strftime("%H:%M")
    assert "您前面还有 3 户。" in text
    assert f"预计叫号时间：约 {expected}（按今日速度，每户约 6.0 分钟）。" in text
    assert f"您的排队号：{last.order_no}" in text
    assert len(people) == 6 and "第 7 号 / 共 7 户" in text


def test_the_api_gives_a_household_token_its_own_status_and_nothing_else(day, shared_cache):
    _batch, people, notice = day
    household = people[0]
    api = APIClient()
    response = api.post(TOKEN, credentials(household), format="json")
    assert response.status_code == 201
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = api.get(ME).json()
    assert me["household"]["agreement_no"] == household.agreement_no
    assert me["lottery"]["sequence"] == sequence_of(household) and me["lottery"]["total"] == 4
    assert [flat["code"] for flat in me["chosen"]["flats"]] == [CHOSEN[0]]
    assert household.head_id_number not in str(me)
    (document,) = me["documents"]
    assert document["number"] == notice.number
    download = api.get(document["url"])
    assert download.status_code == 200
    assert body_of(download) == issued_bytes(notice)
    other = paper_issue(IssuedKind.HANDOVER_NOTICE, _batch.appointments.get(household=people[1]))
    assert api.get(f"/api/v1/me/documents/{other.pk}/").status_code == 404
    for url in ["/api/v1/households/", f"/api/v1/households/{household.pk}/", "/api/v1/flats/"]:
        assert api.get(url).status_code == 401, url
    assert api.delete(TOKEN).status_code == 204
    assert api.get(ME).status_code == 401

    wrong = [
        APIClient().post(TOKEN, credentials(household, agreement_no="HT-NOSUCH"), format="json"),
        APIClient().post(TOKEN, credentials(household, id_suffix="00000X"), format="json"),
    ]
    assert [answer.status_code for answer in wrong] == [400, 400]
    assert wrong[0].json() == wrong[1].json()


def test_documents_carry_the_status_page_address_and_the_access_code(day):
    batch, people, notice = day
    text = text_of(issued_bytes(notice))
    assert f"testserver/my/?p={people[0].project.code}" in text
    assert "查询码" not in text
    project = people[0].project
    project.household_access_codes = True
    project.save()
    second = paper_issue(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=people[1]))
    assert f"及查询码{access_code(people[1])}查询本户" in text_of(issued_bytes(second))
