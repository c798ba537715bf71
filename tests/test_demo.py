"""load_demo builds the synthetic Yanta dataset the seed reports describe, and only once."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from resettlement import lottery_verify
from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.households.models import Household, HouseholdStatus, Member
from resettlement.housing.models import Building, Flat
from resettlement.id_numbers import is_valid_id_number
from resettlement.lottery.files import published_files
from resettlement.lottery.models import Lottery
from resettlement.progress.models import BuildingMilestone
from resettlement.projects.models import Project, Village
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
    ordered = Household.objects.filter(
        project=project, status__in=[HouseholdStatus.ORDERED, HouseholdStatus.ALLOCATED]
    )
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
        project__code="ZHZ", status=HouseholdStatus.ALLOCATED
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
