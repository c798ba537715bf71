"""The public notice as a citizen uses it: the command it prints verifies the draw exactly as
printed, with the files saved under the names they download with; its PDF carries the same
command and its address (text and QR code); it states the publicity period and where objections
go; its result table is searched and paged without rendering every row for every reader."""

import datetime
import html
import io
import re
import shutil
import subprocess
from email.message import Message

import pytest
import segno
from django.core.cache import cache
from django.test.signals import template_rendered
from django.urls import reverse
from pypdf import PdfReader

from resettlement.lottery import notice as notices
from resettlement.lottery.models import Lottery, LotteryStatus
from resettlement.lottery.services import lottery_create
from resettlement.masking import mask_name
from tests.documents import pdf_text
from tests.factories import HouseholdFactory
from tests.selection_fixtures import NOTICE_DETAILS, published_lottery
from tests.test_lottery_pages import create, draw_data, step

pytestmark = pytest.mark.django_db
SYSTEM_PYTHON = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")


def served_name(response) -> str:
    """The file name a browser saves a download under (Content-Disposition)."""
    message = Message()
    message["Content-Disposition"] = response["Content-Disposition"]
    name = message.get_filename()
    assert name, response["Content-Disposition"]
    return name


def printed_command(page: str) -> str:
    match = re.search(r'<code id="verify-command">(.*?)</code>', page, re.S)
    assert match, "the notice prints a command"
    return html.unescape(match.group(1))


def download_all(client, page: str, folder) -> list[str]:
    """Every link of the notice's file list, saved as the browser would save it."""
    files = re.search(r'<p class="small" id="notice-files">(.*?)</p>', page, re.S)
    assert files
    names = []
    for url in re.findall(r'href="([^"]+)"', files.group(1)):
        if url.endswith("notice.pdf"):
            continue
        response = client.get(html.unescape(url))
        assert response.status_code == 200, url
        name = served_name(response)
        (folder / name).write_bytes(b"".join(response) if response.streaming else response.content)
        names.append(name)
    return names


def run_in(folder, command: str) -> subprocess.CompletedProcess:
    """`command` as a citizen types it in a terminal opened in `folder`: a plain shell, the
    system's Python 3, nothing of this project on any path."""
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=folder,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def order_lottery(world):
    for _ in range(4):
        HouseholdFactory(project=world.project_a)
    return published_lottery(world.project_a, name="第一批回迁选房顺序摇号")


def assign_lottery(world, login):
    from tests.selection_fixtures import project_with_flats

    project, buildings = project_with_flats(project=world.project_a, numbers=(5,))
    people = [world.household_a] + [HouseholdFactory(project=project) for _ in range(3)]
    client = login("supervisor")
    lottery = create(client, project, mode="assign", group_rule="single")
    step(client, lottery, "roster-build")
    step(client, lottery, "pool", {"pool": "A户型", "building": buildings[0].pk, "layout": "A"})
    text = "\n".join(f"{household.agreement_no}\t1\tA户型" for household in people)
    step(client, lottery, "groups", {"text": text})
    step(client, lottery, "freeze")
    step(client, lottery, "draw", draw_data(public_input='07 21 "33" $48'))
    step(client, lottery, "publish")
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.PUBLISHED
    return lottery


@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="needs a system python3")
@pytest.mark.parametrize("mode", ["order", "assign"])
def test_the_printed_command_verifies_the_draw_exactly_as_printed(
    mode, world, login, client, tmp_path
):
    if mode == "order":
        for _ in range(4):
            HouseholdFactory(project=world.project_a)
        lottery = published_lottery(world.project_a)
    else:
        lottery = assign_lottery(world, login)
    page = client.get(reverse("lottery:notice", args=[lottery.public_token])).content.decode()
    command = printed_command(page)
    for value in (lottery.roster_digest, lottery.result_digest, lottery.commitment):
        assert value in command, "the digests on the notice are checked too"
    assert "--roster-digest" in command and "--result-digest" in command

    names = download_all(client, page, tmp_path)
    assert "lottery_verify.py" in names
    assert len(names) == (4 if mode == "assign" else 3)
    run = run_in(tmp_path, command)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().endswith("verified")

    # a result file changed by one line no longer verifies
    result = next(tmp_path.glob("*result.csv"))
    lines = result.read_text(encoding="utf-8").splitlines(keepends=True)
    (first, first_rest), (second, second_rest) = (line.split(",", 1) for line in lines[1:3])
    lines[1:3] = [f"{first},{second_rest}", f"{second},{first_rest}"]
    result.write_text("".join(lines), encoding="utf-8")
    tampered = run_in(tmp_path, command)
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    assert "MISMATCH" in tampered.stdout


def test_the_pdf_gives_the_stand_alone_command_and_the_address_as_text_and_qr_code(
    order_lottery, client, settings
):
    settings.PUBLIC_BASE_URL = "https://huiqian.example.org"
    lottery = order_lottery
    pdf = notices.notice_pdf(lottery)
    text = pdf_text(pdf)
    address = f"https://huiqian.example.org/notices/lotteries/{lottery.public_token}/"
    assert address in text
    assert "python-m" not in text and "resettlement.lottery_verify" not in text
    command = notices.verify_command(lottery)
    assert command.replace(" ", "").replace('"', "") in text.replace('"', "")
    assert f"lottery-{lottery.pk}-roster.csv" in text
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert images, "the QR code is drawn on the first page"
    drawn = images[0].image.convert("L")
    modules = list(segno.make(address, error="m").matrix_iter(scale=1, border=4))
    assert drawn.size == (len(modules), len(modules))
    assert all(
        (drawn.getpixel((x, y)) < 128) == bool(dark)
        for y, row in enumerate(modules)
        for x, dark in enumerate(row)
    ), "the QR code encodes the notice's public address"


# Publicity period (公示期) and where objections go (异议)


def test_publishing_without_publicity_period_and_objection_contact_is_refused_in_chinese(
    world, login
):
    for _ in range(2):
        HouseholdFactory(project=world.project_a)
    staff = login("supervisor")
    lottery = create(staff, world.project_a, **dict.fromkeys(NOTICE_DETAILS, ""))
    step(staff, lottery, "roster-build")
    step(staff, lottery, "freeze")
    step(staff, lottery, "draw", draw_data())
    page = step(staff, lottery, "publish").content.decode()
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.DRAWN
    assert "发布前请填写公示期及异议受理" in page
    assert "公示期起" in page and "异议受理人" in page

    # the supervisor fills them in on the lottery's page: an end before the start is refused
    url = reverse("lottery:notice-details", args=[lottery.pk])
    wrong = {**{k: str(v) for k, v in NOTICE_DETAILS.items()}, "publicity_ends_on": "2025-05-01"}
    response = staff.post(url, wrong)
    assert response.status_code == 200
    assert "公示期的结束日期不能早于开始日期" in response.content.decode()
    lottery.refresh_from_db()
    assert lottery.publicity_ends_on is None
    staff.post(url, {k: str(v) for k, v in NOTICE_DETAILS.items()})
    step(staff, lottery, "publish")
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.PUBLISHED
    assert lottery.objection_contact == NOTICE_DETAILS["objection_contact"]
    # and once published they no longer change
    response = staff.post(url, {**wrong, "publicity_ends_on": "2025-06-30"}, follow=True)
    lottery.refresh_from_db()
    assert lottery.publicity_ends_on == NOTICE_DETAILS["publicity_ends_on"]


def test_the_notice_page_pdf_and_api_state_the_publicity_period_and_objection_contact(
    order_lottery, client, api
):
    lottery = order_lottery
    page = client.get(reverse("lottery:notice", args=[lottery.public_token])).content.decode()
    text = pdf_text(notices.notice_pdf(lottery))
    for document in (page, text):
        assert "公示期" in document and "异议" in document
        assert NOTICE_DETAILS["objection_contact"].replace(" ", "") in document.replace(" ", "")
    assert "2025-05-21 — 2025-05-27" in page
    assert "2025年5月21日至2025年5月27日" in text
    assert NOTICE_DETAILS["objection_channel"] in page
    body = api("supervisor").get(f"/api/v1/lotteries/{lottery.pk}/").json()
    assert body["publicity_starts_on"] == "2025-05-21"
    assert body["objection_contact"] == NOTICE_DETAILS["objection_contact"]


def test_a_lottery_published_before_these_details_existed_shows_nothing_for_them(
    order_lottery, client
):
    lottery = order_lottery
    Lottery.objects.filter(pk=lottery.pk).update(**dict.fromkeys(NOTICE_DETAIL_NAMES, None))
    Lottery.objects.filter(pk=lottery.pk).update(objection_contact="", objection_channel="")
    lottery.refresh_from_db()
    page = client.get(reverse("lottery:notice", args=[lottery.public_token])).content.decode()
    assert "公示期" not in page and "异议" not in page and "None" not in page
    text = pdf_text(notices.notice_pdf(lottery))
    assert "公示期" not in text and "None" not in text


NOTICE_DETAIL_NAMES = ("publicity_starts_on", "publicity_ends_on", "objection_until")


def test_a_lottery_made_with_a_publicity_end_before_its_start_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        lottery_create(
            project=world.project_a,
            name="甲",
            **{**NOTICE_DETAILS, "publicity_ends_on": datetime.date(2025, 5, 1)},
        )


# Search and pages


@pytest.fixture
def long_notice(world, monkeypatch):
    """A published lottery of 7 households, its notice paged 3 rows at a time."""
    monkeypatch.setattr(notices, "NOTICE_PAGE_ROWS", 3)
    for _ in range(6):
        HouseholdFactory(project=world.project_a)
    lottery = published_lottery(world.project_a)
    cache.clear()
    return lottery


def rows_of(page: str) -> list[str]:
    body = re.search(r'<table id="notice-rows">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)


def test_the_notice_is_paged_and_every_page_links_the_others(long_notice, client):
    lottery = long_notice
    url = reverse("lottery:notice", args=[lottery.public_token])
    first = client.get(url).content.decode()
    assert len(rows_of(first)) == 3
    assert 'href="?page=2#notice-rows"' in first and 'href="?page=3#notice-rows"' in first
    seen = []
    for number in (1, 2, 3):
        page = client.get(url, {"page": number}).content.decode()
        seen += [re.findall(r"<td[^>]*>(.*?)</td>", row)[2] for row in rows_of(page)]
    results = lottery.results.order_by("sequence").values_list("entry__agreement_no", flat=True)
    assert seen == list(results), "the pages hold every row once, in sequence order"
    assert rows_of(client.get(url, {"page": "99"}).content.decode()) == rows_of(page)
    assert rows_of(client.get(url, {"page": "x"}).content.decode()) == rows_of(first)


def test_a_household_finds_its_agreement_number_with_a_search_form(long_notice, client):
    lottery = long_notice
    result = lottery.results.select_related("entry__household").order_by("sequence").last()
    household = result.entry.household
    url = reverse("lottery:notice", args=[lottery.public_token])
    page = client.get(url).content.decode()
    assert '<form method="get" class="filters" id="notice-search"' in page
    assert 'name="q"' in page

    found = client.get(url, {"q": f" {household.agreement_no.lower()} "}).content.decode()
    rows = rows_of(found)
    assert len(rows) == 1 and household.agreement_no in rows[0]
    assert f'<td class="num">{result.sequence}</td>' in rows[0]
    assert mask_name(household.head_name) in rows[0]
    assert household.head_name not in found and household.head_id_number not in found
    assert 'id="notice-pages"' not in found
    assert "找到 1 个" in found

    none = client.get(url, {"q": "没有这个编号"}).content.decode()
    assert rows_of(none) == [] and "没有协议编号包含" in none
    assert "&lt;script&gt;" in client.get(url, {"q": "<script>"}).content.decode()


def test_a_search_or_a_page_never_renders_the_whole_table_and_searches_are_not_cached(
    long_notice, client, django_assert_max_num_queries
):
    lottery = long_notice
    url = reverse("lottery:notice", args=[lottery.public_token])
    client.get(url)
    client.get(url, {"page": 2})
    rendered = []

    def record(sender, template, context, **kwargs):
        rendered.append((template.name, len(context.get("rows") or [])))

    template_rendered.connect(record)
    try:
        keys_before = len(cache._cache)  # locmem
        with django_assert_max_num_queries(2):
            client.get(url, {"page": 2})
        assert rendered == [], "a page already seen is taken from the cache"
        agreements = lottery.entries.values_list("agreement_no", flat=True)
        searches = [f"QLS-{n:04d}" for n in range(20)] + [a[:-1] for a in agreements]
        for query in [*searches, agreements[0][:2]]:  # the last one matches every row
            with django_assert_max_num_queries(3):
                client.get(url, {"q": query})
        assert len(cache._cache) == keys_before, "searches add nothing to the cache"
        assert "lottery/notice_public.html" not in [name for name, _rows in rendered]
        assert all(rows <= notices.SEARCH_LIMIT for _name, rows in rendered)
    finally:
        template_rendered.disconnect(record)


def test_the_staff_preview_is_paged_and_searched_too(long_notice, login):
    lottery = long_notice
    url = reverse("lottery:notice-preview", args=[lottery.pk])
    staff = login("supervisor")
    assert len(rows_of(staff.get(url).content.decode())) == 3
    agreement = lottery.results.order_by("sequence").first().entry.agreement_no
    assert len(rows_of(staff.get(url, {"q": agreement}).content.decode())) == 1
