"""The handover pages through HTTP: opening a batch (refused without 竣工验收), slots and
assignment, the desk's day (came, missed, rescheduled), a household's notice, inspection with a
defect and its photo, the fix, the handover and its papers, the undo in two steps; and who may
do what on which project."""

import datetime
import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from resettlement.archive.models import IssuedDocument, IssuedKind, IssuedStatus
from resettlement.handover.models import (
    AppointmentStatus,
    Defect,
    DefectStatus,
    Handover,
    HandoverBatch,
    HandoverStatus,
    Inspection,
)
from resettlement.handover.services import batch_open
from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import FlatStatus
from tests.factories import make_building
from tests.handover_fixtures import allocated_project, handover_day

pytestmark = pytest.mark.django_db


def _batch_url(batch, name="batch"):
    return reverse(f"handover:{name}", args=[batch.pk])


def _day_url(batch, day):
    return reverse("handover:day", args=[batch.pk, day.isoformat()])


def _photo() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(data, "JPEG")
    data.seek(0)
    data.name = "crack.jpg"
    return data


# Opening a batch


def test_a_supervisor_opens_a_batch_and_a_building_without_acceptance_is_refused(world, login):
    project, buildings, _people = allocated_project(world)
    client = login("supervisor")
    url = reverse("handover:project", args=[project.code])
    data = {"name": "第一批", "buildings": [b.pk for b in buildings], "place": "社区服务中心"}

    refused = client.post(url, data)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "6#" in text and ("竣工验收" in text or "Completion acceptance" in text)
    assert not HandoverBatch.objects.exists()

    opened = client.post(url, {**data, "buildings": [buildings[0].pk]})
    batch = HandoverBatch.objects.get()
    assert opened.status_code == 302 and opened["Location"] == batch.get_absolute_url()
    assert list(batch.buildings.all()) == [buildings[0]]
    assert batch.opened_by.username == "supervisor"
    assert "第一批" in client.get(url).content.decode()


def test_a_clerk_and_a_leader_cannot_open_a_batch(world, login):
    project, buildings, _people = allocated_project(world)
    url = reverse("handover:project", args=[project.code])
    data = {"name": "第一批", "buildings": [buildings[0].pk], "place": "一楼"}
    for name in ("clerk", "leader", "team"):
        client = login(name)
        assert client.get(url).status_code == 200
        assert 'id="open-batch"' not in client.get(url).content.decode()
        assert client.post(url, data).status_code == 403
    assert not HandoverBatch.objects.exists()


def test_another_projects_handover_page_is_not_found(world, login):
    assert login("clerk").get(reverse("handover:project", args=["PB"])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(world, client):
    batch, _people = handover_day(world)
    for url in (
        reverse("handover:project", args=["PA"]),
        _batch_url(batch),
        _day_url(batch, timezone.localdate()),
        reverse("handover:appointment", args=[batch.appointments.first().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The batch page


def test_the_batch_page_shows_counts_slots_and_appointments_in_order(world, login):
    batch, people = handover_day(world)
    response = login("leader").get(_batch_url(batch))
    assert response.status_code == 200
    text = response.content.decode()
    positions = [text.index(person.agreement_no) for person in people]
    assert positions == sorted(positions)
    assert 'id="add-slots"' not in text and 'id="close-batch"' not in text
    counts = response.context["counts"]
    assert (counts.households, counts.with_appointment, counts.notified, counts.handed_over) == (
        4,
        4,
        0,
        0,
    )
    for day in response.context["days"]:
        assert _day_url(batch, day) in text


def test_a_supervisor_adds_slots_assigns_and_closes(world, login, personas):
    project, buildings, people = allocated_project(world)
    batch = batch_open(project=project, name="一批", buildings=[buildings[0]], place="一楼")
    client = login("supervisor")
    first = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(
        _batch_url(batch),
        {
            "first_day": first.isoformat(),
            "last_day": (first + datetime.timedelta(days=1)).isoformat(),
            "half_days": ["am", "pm"],
            "desks": "1",
            "capacity": "1",
        },
    )
    assert response.status_code == 302
    assert batch.slots.count() == 4

    response = client.post(_batch_url(batch, "batch-assign"), follow=True)
    assert "4" in response.content.decode()
    assert [a.household for a in batch.appointments.order_by("order_no")] == people

    client.post(_batch_url(batch, "batch-close"))
    batch.refresh_from_db()
    assert batch.status == HandoverBatch.Status.CLOSED
    assert 'id="add-slots"' not in client.get(_batch_url(batch)).content.decode()


def test_a_clerk_cannot_add_slots_assign_or_close(world, login):
    batch, _people = handover_day(world)
    client = login("clerk")
    slots = batch.slots.count()
    assert client.post(_batch_url(batch), {"first_day": "2030-01-01"}).status_code == 403
    assert client.post(_batch_url(batch, "batch-assign")).status_code == 403
    assert client.post(_batch_url(batch, "batch-close")).status_code == 403
    batch.refresh_from_db()
    assert batch.slots.count() == slots and batch.status == HandoverBatch.Status.OPEN


def test_another_projects_batch_is_not_found_and_construction_roles_are_refused(world, login):
    batch, _people = handover_day(world)
    other = make_building(world.project_b, "9#")
    HandoverBatch.objects.filter(pk=batch.pk).update(project=world.project_b)
    assert other.project == world.project_b
    for name in ("clerk", "supervisor"):
        assert login(name).get(_batch_url(batch)).status_code == 404
    HandoverBatch.objects.filter(pk=batch.pk).update(project=world.project_a)
    assert login("team").get(_batch_url(batch)).status_code == 403
    assert login("outsider").get(_batch_url(batch)).status_code == 403


# The desk's day


def test_the_desk_marks_came_missed_and_rescheduled(world, login):
    batch, people = handover_day(world)
    first, second, third, _fourth = batch.appointments.order_by("order_no")
    later = first.slot.day + datetime.timedelta(days=5)
    batch.slots.create(day=later, half_day="am", desk=1, capacity=2)
    client = login("clerk")
    day = _day_url(batch, first.slot.day)
    text = client.get(day).content.decode()
    assert people[0].agreement_no in text and people[2].agreement_no not in text

    step = "handover:appointment-step"
    client.post(reverse(step, args=[first.pk, "arrive"]), {"next": day})
    first.refresh_from_db()
    assert first.status == AppointmentStatus.ARRIVED

    response = client.post(reverse(step, args=[second.pk, "miss"]), {"next": day}, follow=True)
    second.refresh_from_db()
    assert second.status == AppointmentStatus.MISSED
    offered = batch.appointments.get(replaces=second)
    assert offered.slot.day == later and later.isoformat() in response.content.decode()

    free = batch.slots.get(day=later)
    refused = client.post(reverse(step, args=[third.pk, "reschedule"]), {"slot": free.pk})
    assert refused.status_code == 302
    third.refresh_from_db()
    assert third.status == AppointmentStatus.SCHEDULED
    client.post(reverse(step, args=[third.pk, "reschedule"]), {"slot": free.pk, "reason": "出差"})
    third.refresh_from_db()
    assert third.status == AppointmentStatus.RESCHEDULED
    assert batch.appointments.get(replaces=third).reason == "出差"


def test_a_miss_without_a_free_slot_says_so(world, login):
    batch, _people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    response = login("clerk").post(
        reverse("handover:appointment-step", args=[appointment.pk, "miss"]), follow=True
    )
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert shown == [("warning", shown[0][1])] and appointment.household.agreement_no in shown[0][1]
    assert "暂无空闲时段" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.MISSED
    assert not batch.appointments.filter(replaces=appointment).exists()


def test_leaders_see_the_day_but_cannot_act(world, login):
    batch, _people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    client = login("leader")
    text = client.get(_day_url(batch, appointment.slot.day)).content.decode()
    assert appointment.household.agreement_no in text and "arrive/" not in text
    url = reverse("handover:appointment-step", args=[appointment.pk, "arrive"])
    assert client.post(url).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_a_bad_day_is_not_found(world, login):
    batch, _people = handover_day(world)
    url = reverse("handover:day", args=[batch.pk, "2026-13-40"])
    assert login("clerk").get(url).status_code == 404


# A household: notice, inspection, defects, handover, undo


def _notice(client, appointment):
    return client.get(reverse("handover:notice", args=[appointment.pk]))


def test_the_notice_is_issued_once_and_reprinted_byte_for_byte(world, login):
    batch, people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    assert _notice(login("leader"), appointment).status_code == 404  # leaders do not issue

    client = login("clerk")
    first = _notice(client, appointment)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    content = b"".join(first.streaming_content) if first.streaming else first.content
    assert first["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert first["Cache-Control"] == "private, no-store"
    people[0].refresh_from_db()
    assert people[0].status == HouseholdStatus.NOTIFIED

    again = _notice(login("leader"), appointment)
    assert again.content == content
    assert IssuedDocument.objects.filter(kind=IssuedKind.HANDOVER_NOTICE).count() == 1
    page = client.get(reverse("handover:appointment", args=[appointment.pk])).content.decode()
    assert IssuedDocument.objects.get().number in page


def test_personal_data_is_masked_unless_the_role_may_see_it(world, login):
    batch, people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    url = reverse("handover:appointment", args=[appointment.pk])
    household = people[0]
    assert household.head_id_number in login("supervisor").get(url).content.decode()
    clerk_page = login("clerk").get(url).content.decode()
    assert household.head_id_number not in clerk_page
    assert household.head_id_number[-4:] in clerk_page
    assert login("team").get(url).status_code == 403


def test_leaders_read_a_households_handover_page_without_any_form(world, login):
    batch, _people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    url = reverse("handover:appointment", args=[appointment.pk])
    leader_page = login("leader").get(url).content.decode()
    clerk_page = login("clerk").get(url).content.decode()
    for form in ('id="inspection-form"', 'id="handover-form"', 'id="print-notice"'):
        assert form not in leader_page and form in clerk_page


def _inspect(client, appointment, flat, result="accepted_defects", **extra):
    data = {
        "flat": flat.pk,
        "inspected_on": timezone.localdate().isoformat(),
        "result": result,
        "reinspect_on": "",
        "note": "",
        "defect-TOTAL_FORMS": "2",
        "defect-INITIAL_FORMS": "0",
        "defect-MIN_NUM_FORMS": "0",
        "defect-MAX_NUM_FORMS": "20",
        **extra,
    }
    return client.post(reverse("handover:inspection-add", args=[appointment.pk]), data)


def test_an_inspection_with_a_defect_and_photo_then_fixed_and_accepted(world, login):
    batch, people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    flat = people[0].selections.get().flats.get().flat
    clerk = login("clerk")
    response = _inspect(
        clerk,
        appointment,
        flat,
        **{
            "defect-0-room": "卫生间",
            "defect-0-category": "bathroom",
            "defect-0-description": "地漏堵塞",
            "defect-0-photo": _photo(),
        },
    )
    assert response.status_code == 302
    defect = Defect.objects.get()
    assert defect.room == "卫生间" and defect.status == DefectStatus.OPEN and defect.photo

    photo = reverse("handover:defect-photo", args=[defect.pk])
    assert clerk.get(photo).status_code == 200
    assert login("team").get(photo).status_code == 200
    assert login("outsider").get(photo).status_code == 403

    # A construction team sees the batch's defects (no household) and records the fix.
    team = login("team")
    defects_page = team.get(_batch_url(batch, "batch-defects")).content.decode()
    assert "地漏堵塞" in defects_page and people[0].head_name not in defects_page
    team.post(reverse("handover:defect-step", args=[defect.pk, "fix"]))
    defect.refresh_from_db()
    assert defect.status == DefectStatus.FIXED
    assert team.post(reverse("handover:defect-step", args=[defect.pk, "accept"])).status_code == 403

    clerk.post(reverse("handover:defect-step", args=[defect.pk, "reopen"]))
    defect.refresh_from_db()
    assert defect.status == DefectStatus.OPEN
    clerk.post(reverse("handover:defect-step", args=[defect.pk, "fix"]))
    clerk.post(reverse("handover:defect-step", args=[defect.pk, "accept"]))
    defect.refresh_from_db()
    assert defect.status == DefectStatus.ACCEPTED


def test_a_refusal_needs_its_reinspection_day_and_writes_nothing_without_it(world, login):
    batch, people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    flat = people[0].selections.get().flats.get().flat
    response = _inspect(login("clerk"), appointment, flat, result="refused")
    assert response.status_code == 422
    assert not Inspection.objects.exists()


def test_a_leader_cannot_record_an_inspection(world, login):
    batch, people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    flat = people[0].selections.get().flats.get().flat
    assert _inspect(login("leader"), appointment, flat, result="accepted").status_code == 403
    assert not Inspection.objects.exists()


def _hand_over(client, appointment, flat, **extra):
    prefix = f"flat-{flat.pk}-"
    data = {
        "handed_on": timezone.localdate().isoformat(),
        "note": "",
        prefix + "hand": "on",
        prefix + "water_reading": "12.5",
        prefix + "electricity_reading": "230",
        prefix + "gas_reading": "",
        prefix + "door_keys": "3",
        prefix + "access_cards": "2",
        prefix + "mailbox_keys": "1",
        prefix + "quality_guarantee": "on",
        prefix + "usage_manual": "on",
        **extra,
    }
    return client.post(reverse("handover:handover-add", args=[appointment.pk]), data)


def test_the_handover_prints_its_papers_and_undo_takes_two_steps(world, login):
    batch, people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    flat = people[0].selections.get().flats.get().flat
    clerk = login("clerk")
    assert _hand_over(clerk, appointment, flat).status_code == 422  # not notified, not inspected
    _notice(clerk, appointment)
    _inspect(clerk, appointment, flat, result="accepted")
    refused = _hand_over(clerk, appointment, flat, **{f"flat-{flat.pk}-usage_manual": ""})
    assert refused.status_code == 422 and not Handover.objects.exists()

    assert _hand_over(clerk, appointment, flat).status_code == 302
    handover = Handover.objects.get()
    flat.refresh_from_db()
    people[0].refresh_from_db()
    assert flat.status == FlatStatus.HANDED_OVER
    assert people[0].status == HouseholdStatus.HANDED_OVER
    assert handover.flats.get().door_keys == 3
    paper = clerk.get(reverse("handover:handover-paper", args=[handover.pk, "confirmation"]))
    assert paper.status_code == 200 and paper["Content-Type"] == "application/pdf"
    assert clerk.get(reverse("handover:handover-paper", args=[handover.pk, "x"])).status_code == 404

    undo = reverse("handover:handover-undo", args=[handover.pk])
    assert clerk.post(undo, {"reason": "录错", "undo": "confirmed"}).status_code == 403
    supervisor = login("supervisor")
    asked = supervisor.post(undo, {"reason": "录错户号", "undo": "1"})
    assert asked.status_code == 200 and 'id="undo-confirm"' in asked.content.decode()
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.DONE
    supervisor.post(undo, {"reason": "录错户号", "undo": "confirmed"})
    handover.refresh_from_db()
    flat.refresh_from_db()
    assert handover.status == HandoverStatus.UNDONE and handover.undo_reason == "录错户号"
    assert flat.status == FlatStatus.SELECTED
    statuses = set(
        IssuedDocument.objects.filter(
            kind__in=[IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT]
        ).values_list("status", flat=True)
    )
    assert statuses == {IssuedStatus.VOIDED}
    voided_copy = clerk.get(reverse("handover:handover-paper", args=[handover.pk, "keys"]))
    assert voided_copy.status_code == 200


def test_another_projects_appointment_and_papers_are_not_found(world, login):
    batch, _people = handover_day(world)
    appointment = batch.appointments.order_by("order_no").first()
    HandoverBatch.objects.filter(pk=batch.pk).update(project=world.project_b)
    client = login("clerk")
    assert client.get(reverse("handover:appointment", args=[appointment.pk])).status_code == 404
    assert _notice(client, appointment).status_code == 404


# Query counts: the lists do not grow a query per row


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_batch_and_day_pages_take_as_many_queries_for_four_rows_as_for_one(world, login):
    batch, _people = handover_day(world)
    first = batch.appointments.order_by("order_no").first()
    batch.slots.create(
        day=first.slot.day + datetime.timedelta(days=9), half_day="pm", desk=1, capacity=5
    )
    client = login("clerk")
    pages = [_batch_url(batch), _day_url(batch, first.slot.day)]
    client.get(pages[0])  # warm the session
    many = [_queries(client, url) for url in pages]
    batch.appointments.exclude(pk=first.pk).delete()
    assert [_queries(client, url) for url in pages] == many
    assert (
        many[0] <= 16 and many[1] <= 10
    )  # the batch page: 14, and 2 for its print panel (buildings, recent jobs)
