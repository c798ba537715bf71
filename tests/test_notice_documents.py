"""The public lottery notice is rendered once, when published, and stored: anonymous readers get
the stored bytes with an ETag, and their requests never run WeasyPrint (issue 7 §3)."""

import hashlib
import io
import os
import re
import uuid

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.archive.responses import MESSAGE_PENDING
from resettlement.lottery.models import Lottery
from resettlement.masking import mask_name
from resettlement.selection.lotteries import lottery_redraw
from tests.documents import forbid_weasyprint, pdf_text
from tests.selection_fixtures import households, published_lottery

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def publish(world, count=5, *, capture, name="第一批摇号") -> Lottery:
    households(world.project_a, count)
    with capture(execute=True):  # as after the commit of the publishing request
        return published_lottery(world.project_a, name=name)


def stored(lottery, kind) -> StoredDocument:
    return StoredDocument.objects.of(lottery).filter(kind=kind).first()


def notice_url(lottery, name=None) -> str:
    if name is None:
        return reverse("lottery:notice", args=[lottery.public_token])
    if name == "notice.pdf":
        return reverse("lottery:notice-pdf", args=[lottery.public_token])
    return reverse("lottery:notice-file", args=[lottery.public_token, name])


def test_the_notice_pdf_served_to_anyone_is_the_one_stored_at_publication(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    lottery = publish(world, capture=django_capture_on_commit_callbacks)
    document = stored(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
    assert document is not None, "the PDF is rendered when the lottery is published"
    assert re.fullmatch(r"documents/lottery_notice_pdf/[0-9a-f]{32}\.pdf", document.file.name)
    with document.file.open("rb") as file:
        kept = file.read()

    forbid_weasyprint(monkeypatch)
    for _ in range(2):
        response = client.get(notice_url(lottery, "notice.pdf"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == kept
        assert response["ETag"] == f'"{hashlib.sha256(kept).hexdigest()}"' == document.etag
        assert response["Content-Length"] == str(len(kept))
        assert response["Cache-Control"].startswith("public")
    text = pdf_text(response.content)
    assert lottery.result_digest in text and "李公证" in text


@pytest.mark.parametrize("name", ["notice.pdf", "roster.csv", "result.csv"])
def test_a_reader_holding_the_current_copy_gets_304_without_the_body(
    world, client, django_capture_on_commit_callbacks, name
):
    lottery = publish(world, capture=django_capture_on_commit_callbacks)
    first = client.get(notice_url(lottery, name))
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag == f'"{hashlib.sha256(first.content).hexdigest()}"'

    again = client.get(notice_url(lottery, name), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    weak = client.get(notice_url(lottery, name), headers={"if-none-match": f"W/{etag}, x"})
    assert weak.status_code == 304
    other = client.get(notice_url(lottery, name), headers={"if-none-match": '"0123"'})
    assert other.status_code == 200 and other.content == first.content


def test_the_verifier_download_has_an_etag_and_answers_304(client):
    first = client.get(reverse("lottery:verifier"))
    assert first.status_code == 200
    assert first["ETag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    again = client.get(reverse("lottery:verifier"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_public_page_is_the_stored_table_in_a_few_queries_whatever_its_size(
    world, client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    small = publish(world, 3, capture=django_capture_on_commit_callbacks, name="小")
    client.get(notice_url(small))  # content types and templates cached, as on a warm server
    with django_assert_num_queries(1):  # one statement: the page is rendered once, then kept
        small_page = client.get(notice_url(small))
    large = publish(world, 60, capture=django_capture_on_commit_callbacks, name="大")
    with django_assert_num_queries(4):  # its first reader: lottery, documents, witnesses too
        client.get(notice_url(large))
    with django_assert_num_queries(1):
        large_page = client.get(notice_url(large))
    assert small_page.status_code == large_page.status_code == 200
    assert large_page.content.decode().count('<td class="num">') == 60
    with django_assert_num_queries(1):  # a page beyond the last is the last, kept as well
        beyond = client.get(notice_url(large), {"page": "99"})
    assert beyond.content == large_page.content

    # the page shows the table as published: a later change of a record does not reach it
    household = large.results.get(sequence=1).entry.household
    published_name = mask_name(household.head_name)
    household.head_name = "司马新名"
    household.save()
    page = client.get(notice_url(large)).content.decode()
    assert published_name in page and mask_name("司马新名") not in page


def test_the_public_page_is_a_chinese_document_with_an_etag_and_nothing_of_its_reader(
    world, client, django_capture_on_commit_callbacks
):
    lottery = publish(world, 3, capture=django_capture_on_commit_callbacks)
    client.cookies["django_language"] = "en"
    page = client.get(notice_url(lottery))
    assert page.status_code == 200 and page["Content-Language"] == "zh-hans"
    assert "摇号结果公示" in page.content.decode()
    assert "csrftoken" not in page.cookies and "Cookie" not in page.get("Vary", "")
    assert page["Cache-Control"] == "public, max-age=300"
    again = client.get(notice_url(lottery), headers={"if-none-match": page["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_staff_pages_link_the_stored_notice_pdf(world, login, django_capture_on_commit_callbacks):
    lottery = publish(world, capture=django_capture_on_commit_callbacks)
    document = stored(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
    staff = login("supervisor")
    pdf_link = f'href="{notice_url(lottery, "notice.pdf")}"'
    for url in (lottery.get_absolute_url(), reverse("lottery:notice-preview", args=[lottery.pk])):
        page = staff.get(url).content.decode()
        assert pdf_link in page and document.sha256[:16] in page


def test_before_its_pdf_is_rendered_the_notice_says_so_and_nothing_is_rendered(
    world, client, login, monkeypatch
):
    households(world.project_a, 4)
    lottery = published_lottery(world.project_a)  # not committed yet: the task has not run
    forbid_weasyprint(monkeypatch)
    response = client.get(notice_url(lottery, "notice.pdf"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert str(MESSAGE_PENDING) in response.content.decode()
    assert "文件正在生成" in response.content.decode()
    page = client.get(notice_url(lottery))
    assert page.status_code == 200
    assert 'id="notice-pdf-pending"' in page.content.decode()
    assert reverse("lottery:notice-pdf", args=[lottery.public_token]) not in page.content.decode()
    detail = login("supervisor").get(lottery.get_absolute_url()).content.decode()
    assert 'id="notice-pdf-pending"' in detail


def test_a_redraw_renders_the_replaced_notice_again_with_its_banner_and_keeps_the_first(
    world, client, django_capture_on_commit_callbacks, personas, monkeypatch
):
    lottery = publish(world, capture=django_capture_on_commit_callbacks)
    first = stored(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
    with django_capture_on_commit_callbacks(execute=True):
        successor = lottery_redraw(
            lottery=lottery,
            reason="公证员未到场",
            approved_by="街道办王主任",
            by=personas["supervisor"],
        )

    forbid_weasyprint(monkeypatch)
    response = client.get(notice_url(lottery, "notice.pdf"))
    text = pdf_text(response.content)
    assert f"本次摇号已被“{successor.name}”替代" in text and "公证员未到场" in text
    versions = StoredDocument.objects.of(lottery).filter(kind=DocumentKind.LOTTERY_NOTICE_PDF)
    assert [v.sha256 for v in versions][1:] == [first.sha256], "the first version stays"
    assert response["ETag"] == versions[0].etag != first.etag
    page = client.get(notice_url(lottery)).content.decode()
    assert successor.name in page and "公证员未到场" in page


def test_a_redraw_made_while_the_notice_renders_is_in_the_pdf_that_gets_stored(
    world, client, django_capture_on_commit_callbacks, personas, monkeypatch
):
    """The publication's task renders for seconds; a re-draw committed meanwhile must not
    leave a PDF without its banner as the notice (its own task would find it 'current')."""
    from resettlement.lottery import notice as notices

    households(world.project_a, 5)
    real_render = notices.notice_pdf
    made = []

    def render_while_redrawn(lottery):
        content = real_render(lottery)
        if not made:  # the re-draw commits while the first rendering runs
            made.append(
                lottery_redraw(
                    lottery=lottery, reason="公证员未到场", approved_by="王主任", by=None
                )
            )
        return content

    monkeypatch.setattr(notices, "notice_pdf", render_while_redrawn)
    with django_capture_on_commit_callbacks(execute=True):
        lottery = published_lottery(world.project_a)
    versions = StoredDocument.objects.of(lottery).filter(kind=DocumentKind.LOTTERY_NOTICE_PDF)
    assert versions.count() == 1, "the rendering without the banner was not stored"
    text = pdf_text(client.get(notice_url(lottery, "notice.pdf")).content)
    assert f"本次摇号已被“{made[0].name}”替代" in text


@pytest.mark.skipif(
    not __import__("tests.test_tasks", fromlist=["_redis_available"])._redis_available(),
    reason="no Redis server at TEST_REDIS_URL",
)
def test_through_redis_a_worker_renders_the_notice_and_readers_get_its_bytes(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    from resettlement.lottery import tasks as lottery_tasks

    queue = f"tests-notice-{uuid.uuid4().hex[:8]}"
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}},
        RQ_QUEUES={queue: {"URL": REDIS_URL}},
    ):
        monkeypatch.setattr(
            lottery_tasks,
            "lottery_notice_render",
            lottery_tasks.lottery_notice_render.using(queue_name=queue),
        )
        try:
            lottery = publish(world, capture=django_capture_on_commit_callbacks)
            rq_queue = django_rq.get_queue(queue, job_class=Job)
            assert rq_queue.count == 1, "publication queued the rendering"
            waiting = client.get(notice_url(lottery, "notice.pdf"))
            assert waiting.status_code == 503, "the request did not render it either"

            SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job).work(burst=True)
            document = stored(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
            assert document is not None
            response = client.get(notice_url(lottery, "notice.pdf"))
            assert response.status_code == 200 and response["ETag"] == document.etag
            assert hashlib.sha256(response.content).hexdigest() == document.sha256
        finally:
            django_rq.get_queue(queue).empty()


def test_publication_stands_when_the_task_queue_is_down_and_the_notice_says_so(
    world, client, django_capture_on_commit_callbacks, caplog
):
    dead = "redis://127.0.0.1:9/0"  # nothing listens there
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES={"default": {"URL": dead}},
    ):
        lottery = publish(world, capture=django_capture_on_commit_callbacks)
    assert "in on_commit()" in caplog.text, "the queue was tried and its error logged"
    lottery.refresh_from_db()
    assert lottery.status == "published"
    assert client.get(notice_url(lottery)).status_code == 200
    assert client.get(notice_url(lottery, "notice.pdf")).status_code == 503


def test_documents_render_stores_what_a_lottery_published_before_lacks(
    world, client, django_capture_on_commit_callbacks
):
    lottery = publish(world, capture=django_capture_on_commit_callbacks)
    StoredDocument.objects.of(lottery).delete()  # as published before documents were stored
    assert client.get(notice_url(lottery)).status_code == 503
    assert client.get(notice_url(lottery, "roster.csv")).status_code == 503

    out = io.StringIO()
    call_command("documents_render", stdout=out)
    kinds = set(StoredDocument.objects.of(lottery).values_list("kind", flat=True))
    assert kinds == {
        DocumentKind.LOTTERY_ROSTER_CSV,
        DocumentKind.LOTTERY_RESULT_CSV,
        DocumentKind.LOTTERY_NOTICE_ROWS,
        DocumentKind.LOTTERY_NOTICE_PDF,
    }
    assert out.getvalue().count("SHA-256") == 4
    assert client.get(notice_url(lottery)).status_code == 200
    assert client.get(notice_url(lottery, "notice.pdf")).status_code == 200

    again = io.StringIO()
    call_command("documents_render", stdout=again)
    assert StoredDocument.objects.of(lottery).count() == 4, "nothing rendered twice"
    assert "SHA-256" not in again.getvalue()
