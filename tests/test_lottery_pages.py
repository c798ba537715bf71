"""The lottery through its pages, as a selection supervisor runs it and the public checks it."""

import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resettlement import lottery_verify
from resettlement.households.models import CompensationMode, Household, HouseholdStatus
from resettlement.housing.models import Flat, FlatStatus
from resettlement.lottery.lifecycle import lottery_freeze
from resettlement.lottery.models import Lottery, LotteryEntry, LotteryStatus
from resettlement.lottery.services import (
    groups_apply,
    lottery_create,
    pool_flats_set,
    roster_build,
)
from resettlement.masking import mask_name
from resettlement.selection.models import Selection
from tests.documents import pdf_text
from tests.factories import HouseholdFactory
from tests.selection_fixtures import NOTICE_DETAILS, WITNESSES, project_with_flats

pytestmark = pytest.mark.django_db
D = Decimal


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def create(client, project, **fields) -> Lottery:
    data = {
        "name": "第一批摇号",
        "mode": "order",
        "group_rule": "flags",
        "priority_flags": ["elderly", "disabled"],
        "draw_method": "system",
        "scheduled_on": "2025-05-20",
        "venue": "街道办三楼会议室",
        **{name: str(value) for name, value in NOTICE_DETAILS.items()},
        **fields,
    }
    response = client.post(reverse("lottery:list", args=[project.code]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Lottery.objects.latest("pk")


def step(client, lottery, name, data=None, **extra):
    return client.post(
        reverse(f"lottery:{name}", args=[lottery.pk]), data or {}, follow=True, **extra
    )


def draw_data(public_input="07 21 33 48", witnesses=WITNESSES) -> dict:
    data = {
        "public_input": public_input,
        "witnesses-TOTAL_FORMS": "4",
        "witnesses-INITIAL_FORMS": "0",
        "witnesses-MIN_NUM_FORMS": "0",
        "witnesses-MAX_NUM_FORMS": "1000",
    }
    for index, (name, role, organisation) in enumerate(witnesses):
        data[f"witnesses-{index}-name"] = name
        data[f"witnesses-{index}-role"] = role
        data[f"witnesses-{index}-organisation"] = organisation
    return data


@pytest.fixture
def roster(world):
    """Project A with five eligible households (one elderly) and four that are not."""
    project = world.project_a
    eligible = [world.household_a] + [HouseholdFactory(project=project) for _ in range(4)]
    eligible[2].elderly = True
    eligible[2].save()
    refused = {
        "not signed": HouseholdFactory(project=project, status=HouseholdStatus.REGISTERED),
        "cash": HouseholdFactory(project=project, compensation_mode=CompensationMode.CASH),
        "no entitlement": HouseholdFactory(project=project, entitled_area=D("0")),
        "allocated": HouseholdFactory(project=project, status=HouseholdStatus.ALLOCATED),
    }
    return project, eligible, refused


def test_the_roster_takes_eligible_households_and_says_why_the_others_are_refused(roster, login):
    project, eligible, refused = roster
    client = login("supervisor")
    lottery = create(client, project)
    page = step(client, lottery, "roster-build")
    html = page.content.decode()
    assert "已加入 5 户；4 户未加入" in html
    assert lottery.entries.count() == 5
    refusals = re.search(r'id="refused".*?</section>', html, re.S).group(0)
    for household, reason in [
        (refused["not signed"], "未签约"),
        (refused["cash"], "货币补偿，无需安置房"),
        (refused["no entitlement"], "无应安置面积"),
        (refused["allocated"], "已选房"),
    ]:
        assert household.agreement_no in refusals
        assert reason in refusals, reason
    # the group of every entry is visible before the freeze: the elderly household is group 1
    row = re.search(rf'data-agreement="{eligible[2].agreement_no}".*?</tr>', html, re.S).group(0)
    assert 'name="group" value="1"' in row
    other = re.search(rf'data-agreement="{eligible[0].agreement_no}".*?</tr>', html, re.S).group(0)
    assert 'name="group" value="2"' in other


def test_a_household_on_another_live_lottery_is_refused_until_that_one_is_cancelled(
    roster, personas
):
    project, eligible, _refused = roster
    first = lottery_create(project=project, name="甲")
    roster_build(lottery=first)
    second = lottery_create(project=project, name="乙")
    report = roster_build(lottery=second)
    assert report.added == 0
    assert {reason for _household, reason in report.refused} >= {"已在摇号“甲”的名单中"}
    first.status = LotteryStatus.CANCELLED
    first.save()
    assert roster_build(lottery=second).added == len(eligible)


def test_groups_from_a_pasted_list_are_checked_line_by_line_and_applied_whole(roster, login):
    project, eligible, _refused = roster
    client = login("supervisor")
    lottery = create(client, project)
    step(client, lottery, "roster-build")
    bad = f"{eligible[0].agreement_no}\t1\nHT-NOBODY\t1\n{eligible[1].agreement_no}\tfirst\n"
    page = step(client, lottery, "groups", {"text": bad})
    assert "第2行：HT-NOBODY 不在名单中。" in messages_of(page)
    assert "第3行：组别须为从 1 开始的整数。" in messages_of(page)
    assert lottery.entries.get(agreement_no=eligible[0].agreement_no).group == 2, "nothing applied"

    good = f"{eligible[0].agreement_no}，1\n\n{eligible[1].agreement_no} 3\n"
    step(client, lottery, "groups", {"text": good})
    groups = dict(lottery.entries.values_list("agreement_no", "group"))
    assert groups[eligible[0].agreement_no] == 1 and groups[eligible[1].agreement_no] == 3
    lottery.refresh_from_db()
    assert lottery.group_rule == "explicit"


def test_a_pasted_list_matches_agreement_numbers_whatever_their_case(roster, login):
    project, eligible, _refused = roster
    client = login("supervisor")
    lottery = create(client, project)
    step(client, lottery, "roster-build")
    # An entry made before agreement numbers were stored in capitals keeps its own spelling.
    legacy = lottery.entries.get(agreement_no=eligible[1].agreement_no)
    LotteryEntry.objects.filter(pk=legacy.pk).update(agreement_no=legacy.agreement_no.lower())
    assert eligible[0].agreement_no != eligible[0].agreement_no.lower()

    text = f"{eligible[0].agreement_no.lower()} 4\n{eligible[1].agreement_no.upper()} 5\n"
    page = step(client, lottery, "groups", {"text": text})
    assert "不在名单中" not in messages_of(page)
    groups = dict(lottery.entries.values_list("pk", "group"))
    assert groups[lottery.entries.get(agreement_no=eligible[0].agreement_no).pk] == 4
    assert groups[legacy.pk] == 5


def test_freezing_publishes_digest_and_commitment_keeps_the_secret_and_locks_the_roster(
    roster, login
):
    project, eligible, _refused = roster
    client = login("supervisor")
    lottery = create(client, project)
    step(client, lottery, "roster-build")
    page = step(client, lottery, "freeze")
    lottery.refresh_from_db()
    html = page.content.decode()
    assert lottery.status == LotteryStatus.FROZEN
    assert lottery.roster_digest in html and lottery.commitment in html
    assert lottery.secret not in html, "the secret stays hidden until the draw"
    entries = lottery_verify.read_roster(
        client.get(reverse("lottery:file", args=[lottery.pk, "roster.csv"])).content.decode()
    )[0]
    assert lottery_verify.roster_digest(entries) == lottery.roster_digest

    entry = lottery.entries.first()
    page = client.post(
        reverse("lottery:entry", args=[lottery.pk, entry.pk]), {"group": 5}, follow=True
    )
    assert "摇号当前为“名单已冻结”，只有草稿阶段可以修改名单。" in messages_of(page)
    entry.refresh_from_db()
    assert entry.group != 5
    assert step(client, lottery, "roster-build").status_code == 200
    assert lottery.entries.count() == len(eligible)


def test_the_draw_needs_the_public_input_and_named_witnesses(roster, login):
    project, _eligible, _refused = roster
    client = login("supervisor")
    lottery = create(client, project)
    step(client, lottery, "roster-build")
    step(client, lottery, "freeze")
    page = step(client, lottery, "draw", draw_data(witnesses=[("李公证", "", "")]))
    assert "请至少填写一名见证人及其身份。" in messages_of(page)
    page = step(client, lottery, "draw", draw_data(public_input=""))
    assert "请填写公开输入和见证人。" in messages_of(page)
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.FROZEN and not lottery.results.exists()


def test_a_published_draw_orders_the_households_and_its_files_verify(
    roster, login, client, tmp_path
):
    project, eligible, _refused = roster
    staff = login("supervisor")
    lottery = create(staff, project)
    step(staff, lottery, "roster-build")
    step(staff, lottery, "freeze")
    step(staff, lottery, "draw", draw_data())
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN
    seed = lottery_verify.seed(lottery.secret, lottery.public_input, lottery.roster_digest)
    for result in lottery.results.select_related("entry"):
        assert result.draw_key == lottery_verify.draw_key(seed, result.entry.agreement_no)
    notice_url = reverse("lottery:notice", args=[lottery.public_token])
    assert client.get(notice_url).status_code == 404, "not public before publication"

    step(staff, lottery, "publish")
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.PUBLISHED
    orders = dict(
        Household.objects.filter(pk__in=[h.pk for h in eligible]).values_list(
            "pk", "selection_order"
        )
    )
    assert sorted(orders.values()) == [1, 2, 3, 4, 5]
    assert orders[eligible[2].pk] == 1, "group 1 (elderly) draws first"
    assert Household.objects.get(pk=eligible[0].pk).status == HouseholdStatus.ORDERED

    # the public, with no login, downloads the files and the verifier, and runs it anywhere
    for name in ("roster.csv", "result.csv"):
        response = client.get(reverse("lottery:notice-file", args=[lottery.public_token, name]))
        assert response.status_code == 200
        (tmp_path / name).write_bytes(response.content)
    notice = client.get(reverse("lottery:notice", args=[lottery.public_token])).content.decode()
    assert reverse("lottery:verifier") in notice and lottery.secret in notice
    verifier = client.get(reverse("lottery:verifier"))
    (tmp_path / "lottery_verify.py").write_bytes(verifier.content)
    run = subprocess.run(
        [
            sys.executable,
            "-I",  # isolated: no site-packages, no project on the path, only the downloaded file
            str(tmp_path / "lottery_verify.py"),
            str(tmp_path / "roster.csv"),
            str(tmp_path / "result.csv"),
            "--secret",
            lottery.secret,
            "--public-input",
            lottery.public_input,
            "--commitment",
            lottery.commitment,
            "--roster-digest",
            lottery.roster_digest,
            "--result-digest",
            lottery.result_digest,
        ],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().endswith("verified")


def test_the_public_notice_shows_masked_names_and_no_personal_numbers(
    roster, login, client, django_capture_on_commit_callbacks
):
    project, eligible, _refused = roster
    staff = login("supervisor")
    lottery = create(staff, project)
    step(staff, lottery, "roster-build")
    step(staff, lottery, "freeze")
    step(staff, lottery, "draw", draw_data())
    with django_capture_on_commit_callbacks(execute=True):  # the notice PDF is rendered then
        step(staff, lottery, "publish")
    lottery.refresh_from_db()

    html = client.get(reverse("lottery:notice", args=[lottery.public_token])).content.decode()
    pdf = client.get(reverse("lottery:notice-pdf", args=[lottery.public_token]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for document in (html, text):
        for value in (
            lottery.roster_digest,
            lottery.commitment,
            lottery.secret,
            lottery.result_digest,
        ):
            assert value in document
        assert "李公证" in document and "公证员" in document
        for household in eligible:
            assert household.agreement_no in document
            assert household.head_name not in document, "names are masked"
            assert mask_name(household.head_name) in document
            assert household.head_id_number not in document
            assert household.phone not in document


def test_a_re_draw_names_the_one_it_replaces_which_stays_visible(roster, login):
    project, eligible, _refused = roster
    client = login("supervisor")
    lottery = create(client, project)
    step(client, lottery, "roster-build")
    step(client, lottery, "freeze")
    step(client, lottery, "draw", draw_data())
    page = step(
        client, lottery, "redraw", {"reason": "见证人未到场", "approved_by": "街道办王主任"}
    )
    successor = Lottery.objects.get(replaces=lottery)
    assert page.redirect_chain[-1][0] == successor.get_absolute_url()
    assert successor.status == LotteryStatus.DRAFT and successor.entries.count() == len(eligible)
    assert "见证人未到场" in page.content.decode()

    old = client.get(lottery.get_absolute_url()).content.decode()
    assert "已被重新摇号" in old and "见证人未到场" in old and "街道办王主任" in old
    lottery.refresh_from_db()
    assert lottery.result_digest in old, "the replaced draw keeps its result"
    listing = client.get(reverse("lottery:list", args=[project.code])).content.decode()
    assert lottery.name in listing and successor.name in listing

    # the re-draw gets its own secret and draws again
    step(client, successor, "freeze")
    successor.refresh_from_db()
    assert successor.secret != lottery.secret
    step(client, successor, "draw", draw_data())
    successor.refresh_from_db()
    assert successor.status == LotteryStatus.DRAWN


def notary_lottery(client, project) -> Lottery:
    lottery = create(client, project, draw_method="notary")
    step(client, lottery, "roster-build")
    step(client, lottery, "freeze")
    return lottery


def stamped(rows) -> bytes:
    lines = ["sequence,agreement_no"] + [f"{seq},{agreement}" for seq, agreement in rows]
    return ("\n".join(lines) + "\n").encode()


def import_result(client, lottery, content: bytes):
    return client.post(
        reverse("lottery:notary-import", args=[lottery.pk]),
        {"file": SimpleUploadedFile("公证结果.csv", content, content_type="text/csv")},
        follow=True,
    )


def test_a_notary_result_is_accepted_only_as_a_permutation_of_the_frozen_roster(roster, login):
    project, _eligible, _refused = roster
    client = login("supervisor")
    lottery = notary_lottery(client, project)
    exported = client.get(reverse("lottery:file", args=[lottery.pk, "roster.csv"]))
    agreements = [
        entry.agreement_no for entry in lottery_verify.read_roster(exported.content.decode())[0]
    ]
    shuffled = agreements[::-1]

    cases = {
        "an entry missing": stamped(enumerate(shuffled[:-1], start=1)),
        "an unknown entry": stamped([*list(enumerate(shuffled[:-1], start=1)), (5, "HT-99999")]),
        "an entry twice": stamped([*list(enumerate(shuffled[:-1], start=1)), (5, shuffled[0])]),
        "a sequence twice": stamped([(1, a) for a in shuffled]),
    }
    for case, content in cases.items():
        page = import_result(client, lottery, content)
        assert any("盖章结果与冻结的名单不一致" in m for m in messages_of(page)), case
        lottery.refresh_from_db()
        assert lottery.status == LotteryStatus.FROZEN and not lottery.results.exists(), case

    page = import_result(client, lottery, stamped(enumerate(shuffled, start=1)))
    assert "已导入公证处的摇号结果。" in messages_of(page)
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN
    assert (
        list(lottery.results.order_by("sequence").values_list("entry__agreement_no", flat=True))
        == shuffled
    )
    assert lottery.notary_file_digest and lottery.result_digest
    result = client.get(reverse("lottery:file", args=[lottery.pk, "result.csv"])).content.decode()
    assert [row[1] for row in lottery_verify.read_result(result, "order")] == shuffled
    expected = lottery_verify.result_text([lottery_verify.Entry(1, a) for a in shuffled])
    assert lottery.result_digest == lottery_verify.sha256_hex(expected)
    page = client.get(lottery.get_absolute_url()).content.decode()
    assert lottery.notary_file_digest in page and lottery.result_digest in page


def test_mode_assign_pools_hand_out_flats_and_publication_makes_them_selections(world, login):
    project, buildings = project_with_flats(project=world.project_a, numbers=(5, 6))
    people = [world.household_a] + [HouseholdFactory(project=project) for _ in range(3)]
    client = login("supervisor")
    lottery = create(client, project, mode="assign", group_rule="single")
    step(client, lottery, "roster-build")
    step(client, lottery, "pool", {"pool": "A", "building": buildings[0].pk, "layout": "A"})
    assert lottery.pool_flats.count() == 12
    page = step(client, lottery, "freeze")
    assert any("未指定房源池" in m for m in messages_of(page))
    text = "\n".join(f"{household.agreement_no}\t1\tA" for household in people)
    step(client, lottery, "groups", {"text": text})
    step(client, lottery, "freeze")
    step(client, lottery, "draw", draw_data())
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN
    files = {
        name: client.get(reverse("lottery:file", args=[lottery.pk, name])).content.decode()
        for name in ("roster.csv", "pools.csv", "result.csv")
    }
    lottery_verify.verify(
        files["roster.csv"],
        files["result.csv"],
        pools=files["pools.csv"],
        secret_hex=lottery.secret,
        public_input=lottery.public_input,
        expected_commitment=lottery.commitment,
        expected_result_digest=lottery.result_digest,
    )
    step(client, lottery, "publish")
    selections = Selection.objects.filter(lottery=lottery, status="active")
    assert selections.count() == 4
    chosen = [item.flat for selection in selections for item in selection.flats.all()]
    assert {flat.building_id for flat in chosen} == {buildings[0].pk}
    assert all(flat.layout == "A" and flat.status == FlatStatus.SELECTED for flat in chosen)
    assert all(
        household.status == HouseholdStatus.ALLOCATED
        for household in Household.objects.filter(pk__in=[h.pk for h in people])
    )


def test_a_pool_smaller_than_its_households_cannot_be_frozen(world, personas):
    project, buildings = project_with_flats(project=world.project_a, numbers=(5,))
    lottery = lottery_create(project=project, name="定房", mode="assign", group_rule="single")
    roster_build(lottery=lottery)
    pool_flats_set(lottery=lottery, pool="A", flats=Flat.objects.filter(building=buildings[0])[:0])
    groups_apply(lottery=lottery, text=f"{world.household_a.agreement_no} 1 A")
    with pytest.raises(ValidationError, match="房源池 A 只有 0 套房源，却有 1 户"):
        lottery_freeze(lottery=lottery)


@pytest.mark.parametrize("persona", ["clerk", "leader"])
def test_clerks_and_leaders_see_lotteries_but_cannot_take_a_step(roster, login, persona):
    project, _eligible, _refused = roster
    lottery = lottery_create(project=project, name="第一批摇号")
    client = login(persona)
    page = client.get(lottery.get_absolute_url())
    assert page.status_code == 200
    assert "摇号各步骤由选房主管操作" in page.content.decode()
    for name in ("roster-build", "freeze", "draw", "publish", "cancel", "redraw", "groups", "pool"):
        assert client.post(reverse(f"lottery:{name}", args=[lottery.pk])).status_code == 403, name
    assert (
        client.post(reverse("lottery:list", args=[project.code]), {"name": "x"}).status_code == 403
    )
    assert lottery.entries.count() == 0


def test_project_teams_see_no_lottery_and_other_projects_lotteries_are_not_found(world, login):
    own = lottery_create(project=world.project_a, name="甲")
    other = lottery_create(project=world.project_b, name="乙")
    team = login("team")
    assert team.get(own.get_absolute_url()).status_code == 403
    assert team.get(reverse("lottery:list", args=[world.project_a.code])).status_code in (403, 404)
    supervisor = login("supervisor")
    assert supervisor.get(other.get_absolute_url()).status_code == 404
    assert supervisor.post(reverse("lottery:freeze", args=[other.pk])).status_code == 404
    assert supervisor.get(reverse("lottery:list", args=[world.project_b.code])).status_code == 404
    assert login("admin").get(other.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(("persona", "shown"), [("clerk", True), ("leader", True), ("team", False)])
def test_the_dashboard_leads_selection_staff_to_lotteries_and_selection_days(
    world, login, persona, shown
):
    page = login(persona).get(world.project_a.get_absolute_url()).content.decode()
    assert ('id="lotteries-link"' in page) is shown
    assert ('id="selection-link"' in page) is shown
