"""load_demo builds the synthetic Yanta dataset the seed reports describe, and only once."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from resettlement import lottery_verify
from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.households.models import Household, HouseholdStatus, Member
from resettlement.housing.models import Building, Flat
from resettlement.id_numbers import is_valid_id_number
from resettlement.lottery.files import published_files
from resettlement.lottery.models import Lottery
from resettlement.progress.models import BuildingMilestone
from resettlement.projects.models import Project, Village
from resettlement.reports.figures import progress_figures
from resettlement.selection.models import LogAction, SelectionEvent, SelectionStatus
from tests.documents import forbid_weasyprint, pdf_text


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load once for the module inside a transaction that is rolled back afterwards, so the
    other test modules never see the demo (each test nests in it with a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        settings.DEBUG = True
        try:
            call_command("load_demo", verbosity=0)
        finally:
            settings.DEBUG = False
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db

# 漳浒's households from their selection order on: some chose flats, some of those are being
# handed their keys (notified, handed over).
ORDERED_OR_LATER = [
    HouseholdStatus.ORDERED,
    HouseholdStatus.ALLOCATED,
    HouseholdStatus.NOTIFIED,
    HouseholdStatus.HANDED_OVER,
]


def test_qinglongsi_has_34_buildings_3000_flats_and_2000_households(demo):
    project = Project.objects.get(code="QLS")
    assert set(project.villages.values_list("name", flat=True)) == {
        "铁炉庙一村",
        "铁炉庙二村",
        "观音庙村",
        "王家村",
    }
    assert Building.objects.filter(project=project).count() == 34
    assert 2800 <= Flat.objects.for_project(project).count() <= 3300
    assert Household.objects.filter(project=project).count() >= 2000


def test_all_34_buildings_are_topped_out(demo):
    not_topped = BuildingMilestone.objects.filter(
        building__project__code="QLS", milestone_type__code="topping_out"
    ).exclude(percent=100)
    assert not not_topped.exists()


def test_north_three_villages_are_finishing_public_areas(demo):
    north = Building.objects.filter(project__code="QLS", village__code__in=["GYM", "TLM2", "WJC"])
    assert {b.current_milestone.name for b in north} == {"公区装修"}
    fitout = BuildingMilestone.objects.filter(
        building__in=north, milestone_type__code="public_area_fitout"
    )
    assert all(85 <= m.percent < 100 for m in fitout)


def test_tieyi_village_has_insulation_fire_doors_and_public_areas_in_progress(demo):
    tieyi = BuildingMilestone.objects.filter(
        building__project__code="QLS", building__village__code="TLM1"
    )
    for code in ("facade_insulation", "doors_windows", "public_area_fitout"):
        assert all(0 < m.percent < 100 for m in tieyi.filter(milestone_type__code=code)), code
    assert all(m.percent == 100 for m in tieyi.filter(milestone_type__code="roofing"))


def test_zhanghuzhai_is_further_along(demo):
    project = Project.objects.get(code="ZHZ")
    assert set(project.villages.values_list("name", flat=True)) == {"二府庄村", "姚家村"}
    acceptance = BuildingMilestone.objects.filter(
        building__project=project, milestone_type__code="completion_acceptance"
    )
    assert acceptance.exists() and all(m.percent == 100 for m in acceptance)
    ordered = Household.objects.filter(project=project, status__in=ORDERED_OR_LATER)
    assert ordered.count() > 300
    assert sorted(ordered.values_list("selection_order", flat=True)) == list(
        range(1, ordered.count() + 1)
    )
    assert not Flat.objects.for_project(project).filter(surveyed_area=None).exists()


def test_zhanghuzhai_selection_day_is_under_way_and_qinglongsi_has_drawn_its_order(demo):
    event = SelectionEvent.objects.get(project__code="ZHZ")
    assert event.status == "open" and event.desks.count() == 4
    active = event.selections.filter(status=SelectionStatus.ACTIVE)
    assert active.count() > 40 and event.selections.filter(status="voided").count() == 1
    assert event.log.filter(action=LogAction.ABSENT).count() == 2
    assert event.floor_adjustments.exists()
    assert Household.objects.filter(
        project__code="ZHZ", status__in=ORDERED_OR_LATER[1:]
    ).count() == (active.count())

    lottery = Lottery.objects.get(project__code="QLS")
    assert lottery.status == "published" and lottery.witnesses.count() == 3
    files = published_files(lottery)
    lottery_verify.verify(
        files["roster.csv"],
        files["result.csv"],
        secret_hex=lottery.secret,
        public_input=lottery.public_input,
        expected_commitment=lottery.commitment,
        expected_result_digest=lottery.result_digest,
    )
    assert Household.objects.filter(
        project__code="QLS", status=HouseholdStatus.ORDERED
    ).count() == (lottery.entries.count())
    planned = SelectionEvent.objects.get(project__code="QLS")
    assert planned.status == "planned" and planned.lottery == lottery


def test_the_demo_notice_is_stored_and_served_to_the_public_without_rendering(
    demo, client, monkeypatch
):
    lottery = Lottery.objects.get(project__code="QLS")
    document = StoredDocument.objects.of(lottery).get(kind=DocumentKind.LOTTERY_NOTICE_PDF)
    forbid_weasyprint(monkeypatch)
    response = client.get(reverse("lottery:notice-pdf", args=[lottery.public_token]))
    assert response.status_code == 200 and response["ETag"] == document.etag
    assert lottery.result_digest in pdf_text(response.content)
    url = reverse("lottery:notice", args=[lottery.public_token])
    page = client.get(url).content.decode()
    assert "公示期" in page and "异议" in page
    pages = [page] + [client.get(url, {"page": n}).content.decode() for n in range(2, 11)]
    assert [page.count('<td class="num">') for page in pages] == [200] * 9 + [164]
    assert sum(page.count('<td class="num">') for page in pages) == lottery.entries.count()


def test_personal_data_is_synthetic_and_valid(demo):
    heads = list(Household.objects.values_list("head_id_number", "phone"))
    members = list(Member.objects.exclude(id_number="").values_list("id_number", flat=True))
    assert all(is_valid_id_number(number) for number, _phone in heads)
    assert all(is_valid_id_number(number) for number in members)
    assert len({number for number, _phone in heads} | set(members)) == len(heads) + len(members)
    assert all(phone.startswith("1300000") for _number, phone in heads)


def test_buildings_and_villages_sit_in_yanta_district(demo):
    for building in Building.objects.all():
        assert Decimal("108.90") < building.longitude < Decimal("109.00")
        assert Decimal("34.17") < building.latitude < Decimal("34.25")
        assert building.footprint["type"] == "Polygon"
    assert Village.objects.exclude(boundary=None).count() == 6


def test_demo_has_one_login_per_role(demo):
    from django.contrib.auth import get_user_model

    roles = get_user_model().objects.values_list("groups__name").annotate(n=Count("pk"))
    assert {name for name, _n in roles} == {
        "管理员",
        "项目组",
        "项目主管",
        "选房工作人员",
        "选房主管",
        "领导",
    }


def test_loading_again_changes_nothing(demo, capsys):
    before = (Household.objects.count(), Flat.objects.count(), BuildingMilestone.history.count())
    settings.DEBUG = True
    try:
        call_command("load_demo")
    finally:
        settings.DEBUG = False
    assert "already present" in capsys.readouterr().out
    assert (
        Household.objects.count(),
        Flat.objects.count(),
        BuildingMilestone.history.count(),
    ) == before


def test_demo_refuses_to_run_in_production(db):
    with pytest.raises(CommandError, match="DEBUG is false"):
        call_command("load_demo")


def test_zhanghuzhai_has_a_handover_batch_under_way_with_every_state(demo):
    from resettlement.archive.models import IssuedDocument, IssuedKind
    from resettlement.handover.models import (
        AppointmentStatus,
        DefectStatus,
        HandedFlat,
        HandoverBatch,
        HandoverStatus,
        Inspection,
        InspectionResult,
    )
    from resettlement.housing.models import FlatStatus

    today = timezone.localdate()
    batch = HandoverBatch.objects.get(project__code="ZHZ")
    assert batch.status == "open" and batch.buildings.exists()
    acceptance = BuildingMilestone.objects.filter(
        building__in=batch.buildings.all(), milestone_type__code="completion_acceptance"
    )
    assert all(m.percent == 100 and m.actual_finish <= today for m in acceptance)
    assert not BuildingMilestone.objects.filter(
        Q(actual_start__gt=today) | Q(actual_finish__gt=today)
    ).exists()
    assert {slot.day for slot in batch.slots.all()} >= {today, today + datetime.timedelta(days=1)}

    # Handed over: keys, readings, booklets, the flats delivered and the papers numbered.
    handovers = batch.handovers.filter(status=HandoverStatus.DONE)
    assert handovers.count() >= 1
    for handover in handovers:
        assert handover.household.status == HouseholdStatus.HANDED_OVER
        for handed in handover.flats.all():
            assert handed.flat.status == FlatStatus.HANDED_OVER and handed.door_keys > 0
            assert handed.quality_guarantee and handed.usage_manual
        kinds = set(IssuedDocument.objects.of(handover).values_list("kind", flat=True))
        assert kinds == {IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT}
    assert (
        HandedFlat.objects.filter(active=True).count()
        == Flat.objects.filter(status=FlatStatus.HANDED_OVER).count()
    )

    # Open defects: accepted with defects noted (keys not taken yet), or refused until a
    # re-inspection day.
    waiting = Inspection.objects.filter(flat__building__in=batch.buildings.all()).exclude(
        household__status=HouseholdStatus.HANDED_OVER
    )
    noted = waiting.filter(result=InspectionResult.ACCEPTED_WITH_DEFECTS)
    assert noted.filter(defects__status=DefectStatus.OPEN).exists()
    refused = waiting.filter(result=InspectionResult.REFUSED)
    assert refused.exists() and all(i.reinspect_on > today for i in refused)

    # Missed (爽约) and offered another slot; and households with a slot, not come yet.
    missed = batch.appointments.filter(status=AppointmentStatus.MISSED)
    assert missed.exists()
    for appointment in missed:
        offered = batch.appointments.get(replaces=appointment)
        assert offered.status == AppointmentStatus.SCHEDULED
    inspected = Inspection.objects.values("household")
    not_come = batch.appointments.filter(
        status=AppointmentStatus.SCHEDULED, replaces__isnull=True
    ).exclude(household__in=inspected)
    assert not_come.exists()

    # Every notified household has its notice numbered; no PDF was rendered to load the demo.
    notified = Household.objects.filter(
        project__code="ZHZ", status__in=[HouseholdStatus.NOTIFIED, HouseholdStatus.HANDED_OVER]
    )
    notices = IssuedDocument.objects.filter(kind=IssuedKind.HANDOVER_NOTICE)
    assert set(notices.values_list("household", flat=True)) == set(
        notified.values_list("pk", flat=True)
    )
    assert not IssuedDocument.objects.filter(stored__isnull=False).exists()
    assert notified.count() > handovers.count()


def test_the_demo_handover_shows_on_the_dashboard_and_in_the_api(demo, client):
    from django.contrib.auth import get_user_model

    from resettlement.housing.models import FlatStatus

    handed = Flat.objects.filter(status=FlatStatus.HANDED_OVER, building__project__code="ZHZ")
    waiting = Flat.objects.filter(status=FlatStatus.SELECTED, building__project__code="ZHZ")
    client.force_login(get_user_model().objects.get(username="leader"))
    page = client.get(reverse("projects:dashboard", args=["ZHZ"])).content.decode()
    assert f'id="total-handed-over"><div class="value">{handed.count()}<' in page
    assert f'id="total-to-hand-over"><div class="value">{waiting.count()}<' in page
    project = client.get("/api/v1/projects/ZHZ/").json()
    assert (project["flats_handed_over"], project["flats_to_hand_over"]) == (
        handed.count(),
        waiting.count(),
    )
    assert (
        client.get("/api/v1/handovers/").json()["count"]
        == handed.values("handovers__handover").distinct().count()
    )


def test_loading_again_adds_no_second_handover_batch(demo):
    from resettlement.handover.models import Appointment, Handover, HandoverBatch

    before = (HandoverBatch.objects.count(), Appointment.objects.count(), Handover.objects.count())
    settings.DEBUG = True
    try:
        call_command("load_demo", verbosity=0)
    finally:
        settings.DEBUG = False
    after = (HandoverBatch.objects.count(), Appointment.objects.count(), Handover.objects.count())
    assert after == before and before[0] == 1


def test_the_demo_report_for_qinglongsi_says_what_the_street_office_says(demo, tmp_path):
    out = tmp_path / "qls.pdf"
    call_command("export_progress", "--project", "QLS", "--format", "pdf", "--out", str(out))
    text = pdf_text(out.read_bytes())
    assert "34栋安置楼已全部封顶" in text
    assert "铁炉庙一村：外墙保温/涂料、门窗/防火门安装、公区装修进行中" in text


def test_the_demo_history_reads_as_the_works_went(demo):
    qls = Project.objects.filter(code="QLS")
    today = timezone.localdate()
    (now,) = progress_figures(qls, today).projects
    assert now.topped_out.now == now.topped_out.before == 34  # topped out before this week
    (earlier,) = progress_figures(qls, today - datetime.timedelta(days=3 * 365)).projects
    progress_then = sum(building.progress for building in earlier.buildings)
    assert 0 < progress_then < sum(building.progress for building in now.buildings)
    assert earlier.topped_out.now < 34


def test_the_id_number_migration_round_trips_the_demo(demo):
    """The data migration that encrypts ID numbers, run back (to plain text, as before it) and
    forth on the whole demo: every number reads as it was, none is stored in plain text, and
    the searches by ID ending still find their households."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = import_module("resettlement.households.migrations.0005_id_numbers_encrypted")
    heads = dict(Household.objects.values_list("pk", "head_id_number"))
    members = dict(Member.objects.exclude(id_number="").values_list("pk", "id_number"))
    editor = SimpleNamespace(connection=connection)

    def stored(table: str, column: str) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608
            return dict(cursor.fetchall())

    migration.decrypt_stored(apps, editor)
    assert stored("households_household", "head_id_number") == heads
    migration.encrypt_stored(apps, editor)
    for table, column in [
        ("households_household", "head_id_number"),
        ("households_member", "id_number"),
        ("households_historicalhousehold", "head_id_number"),
        ("households_historicalmember", "id_number"),
    ]:
        values = [value for value in stored(table, column).values() if value]
        assert values and all(value.startswith("v1:") for value in values), table
    assert dict(Household.objects.values_list("pk", "head_id_number")) == heads
    assert dict(Member.objects.exclude(id_number="").values_list("pk", "id_number")) == members
    for pk, number in list(members.items())[:: len(members) // 20]:
        household = Member.objects.get(pk=pk).household
        assert household in Household.objects.with_id_ending(number[-6:])
