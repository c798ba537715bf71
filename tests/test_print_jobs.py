"""Bulk printing as background jobs: a job for a batch prints every household's paper once,
with a merged PDF whose cover gives the page each household's papers start on and a ZIP named
by agreement number; a failed household is named with its reason and a retry numbers nothing
twice; a part whose worker died is taken over (in-process, and with real worker processes on
PostgreSQL through the database backend and through Redis); the pages check role and project.
"""

import datetime
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from resettlement.accounts.models import Role
from resettlement.archive.models import IssuedDocument, IssuedKind
from resettlement.archive.registry import issued_bytes
from resettlement.handover.documents import paper_issue
from resettlement.handover.models import (
    FINAL_ROLES,
    InspectionResult,
    ItemStatus,
    PartRole,
    PartStatus,
    PrintJob,
    PrintKind,
    PrintPart,
    PrintStatus,
)
from resettlement.handover.printing import (
    _claim,
    job_start,
    part_run,
    recover_stale_print_parts,
)
from resettlement.handover.services import (
    FlatHandover,
    appointment_miss,
    appointments_assign,
    handover_record,
    household_flats,
    inspection_record,
)
from tests.factories import make_user
from tests.handover_fixtures import handover_day

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}  # what htmx sends with its polls


def start(client, batch, kind=PrintKind.NOTICES, building=None):
    data = {"kind": kind, "building": building.pk if building else ""}
    return client.post(reverse("handover:print-start", args=[batch.pk]), data)


def notices_of(household) -> list[str]:
    return list(
        IssuedDocument.objects.filter(household=household, kind=IssuedKind.HANDOVER_NOTICE)
        .order_by("pk")
        .values_list("number", flat=True)
    )


def pages_of(household, kind) -> int:
    document = IssuedDocument.objects.get(household=household, kind=kind, status="valid")
    return len(PdfReader(io.BytesIO(issued_bytes(document))).pages)


def merged_and_zip(client, job) -> tuple[bytes, zipfile.ZipFile]:
    pdf = client.get(reverse("handover:print-pdf", args=[job.pk]))
    archive = client.get(reverse("handover:print-zip", args=[job.pk]))
    assert pdf.status_code == archive.status_code == 200
    return pdf.content, zipfile.ZipFile(io.BytesIO(archive.content))


@pytest.mark.django_db
class TestNotices:
    def test_a_batch_job_prints_each_notice_once_with_a_cover_and_a_zip(
        self, world, login, django_capture_on_commit_callbacks
    ):
        batch, people = handover_day(world)
        clerk = login("clerk")
        with django_capture_on_commit_callbacks(execute=True):
            response = start(clerk, batch)
        job = PrintJob.objects.get()
        assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
        job.refresh_from_db()
        assert (job.status, job.total, job.done, job.failed) == (PrintStatus.DONE, 4, 4, 0)

        page = clerk.get(job.get_absolute_url()).content.decode()
        assert "已打印 4 户，共 4 户" in page
        assert 'hx-trigger="every 2s"' not in page  # finished: no more polling

        pdf, archive = merged_and_zip(clerk, job)
        reader = PdfReader(io.BytesIO(pdf))
        cover = reader.pages[0].extract_text()
        page = 2  # after the cover (one page)
        for household in people:
            (number,) = notices_of(household)
            # the cover gives the page where the household's notice starts, and it is there
            row = re.search(rf"{household.agreement_no}\s+\S+\s+{number}\s+(\d+)", cover)
            assert row and int(row.group(1)) == page, cover
            count = pages_of(household, IssuedKind.HANDOVER_NOTICE)
            assert household.agreement_no in reader.pages[page - 1].extract_text()
            assert number in "".join(
                p.extract_text() for p in reader.pages[page - 1 : page + count - 1]
            )
            page += count
        assert len(reader.pages) == page - 1
        assert sorted(archive.namelist()) == sorted(
            f"{h.agreement_no}_交房通知书.pdf" for h in people
        )
        for household in people:
            document = IssuedDocument.objects.get(
                household=household, kind=IssuedKind.HANDOVER_NOTICE
            )
            assert archive.read(f"{household.agreement_no}_交房通知书.pdf") == issued_bytes(
                document
            )
        # the notice's fonts are embedded once in the merged file, not once per household
        assert len(pdf) < 3 * len(issued_bytes(document)) + 200_000

    def test_a_reprint_keeps_its_number_and_its_stored_bytes(
        self, world, login, django_capture_on_commit_callbacks
    ):
        batch, people = handover_day(world)
        appointment = batch.appointments.get(household=people[1])
        before = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
        stored = issued_bytes(before)
        clerk = login("clerk")
        with django_capture_on_commit_callbacks(execute=True):
            start(clerk, batch)
        job = PrintJob.objects.get()
        assert job.status == PrintStatus.DONE
        assert notices_of(people[1]) == [before.number]
        pdf, archive = merged_and_zip(clerk, job)
        assert archive.read(f"{people[1].agreement_no}_交房通知书.pdf") == stored
        reader = PdfReader(io.BytesIO(pdf))
        cover = reader.pages[0].extract_text()
        start_page = int(re.search(rf"{before.number}\s+(\d+)", cover).group(1))
        assert start_page == 2 + pages_of(people[0], IssuedKind.HANDOVER_NOTICE)
        count = pages_of(people[1], IssuedKind.HANDOVER_NOTICE)
        pages = reader.pages[start_page - 1 : start_page - 1 + count]
        assert before.number in "".join(page.extract_text() for page in pages)
        assert len(reader.pages) == 1 + sum(pages_of(h, IssuedKind.HANDOVER_NOTICE) for h in people)

    def test_a_failed_household_is_named_and_a_retry_numbers_nothing_twice(
        self, world, login, django_capture_on_commit_callbacks
    ):
        batch, people = handover_day(world)
        clerk = login("clerk")
        with django_capture_on_commit_callbacks(execute=False) as queued:
            start(clerk, batch)
        # before the worker comes, the third household misses its appointment (no free slot)
        assert appointment_miss(appointment=batch.appointments.get(household=people[2])) is None
        with django_capture_on_commit_callbacks(execute=True):
            for callback in queued:
                callback()
        job = PrintJob.objects.get()
        assert (job.status, job.done, job.failed) == (PrintStatus.FAILED, 3, 1)
        page = clerk.get(job.get_absolute_url()).content.decode()
        assert "已完成，有失败" in page and "已打印 3 户，共 4 户" in page
        assert people[2].agreement_no in page and "该户在本批次中没有有效的交房预约" in page
        assert "Traceback" not in page
        pdf, archive = merged_and_zip(clerk, job)
        printed = [h for h in people if h != people[2]]
        notice_pages = sum(pages_of(h, IssuedKind.HANDOVER_NOTICE) for h in printed)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1 + notice_pages
        assert f"{people[2].agreement_no}_交房通知书.pdf" not in archive.namelist()
        numbers = {h.pk: notices_of(h) for h in people}

        batch.slots.create(
            day=timezone.localdate() + datetime.timedelta(days=20),
            half_day="am",
            desk=1,
            capacity=1,
        )
        appointments_assign(batch=batch)
        with django_capture_on_commit_callbacks(execute=True):
            response = clerk.post(reverse("handover:print-retry", args=[job.pk]))
        assert response.status_code == 302
        job.refresh_from_db()
        assert (job.status, job.done, job.failed) == (PrintStatus.DONE, 4, 0)
        for household in people:
            if household != people[2]:
                assert notices_of(household) == numbers[household.pk]  # no second number
        assert len(notices_of(people[2])) == 1
        pdf, archive = merged_and_zip(clerk, job)
        notice_pages = sum(pages_of(h, IssuedKind.HANDOVER_NOTICE) for h in people)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1 + notice_pages
        assert len(archive.namelist()) == 4

    def test_a_job_for_one_building_and_handover_papers_only_for_handed_over(
        self, world, login, personas, django_capture_on_commit_callbacks
    ):
        batch, people = handover_day(world)
        clerk = login("clerk")
        assert start(clerk, batch, PrintKind.HANDOVER_PAPERS).status_code == 302
        assert not PrintJob.objects.exists()  # nobody handed over yet: refused
        household = people[0]
        paper_issue(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=household))
        (flat,) = household_flats(household, batch)
        today = timezone.localdate()
        inspection_record(
            household=household, flat=flat, inspected_on=today, result=InspectionResult.ACCEPTED
        )
        handover_record(
            batch=batch,
            household=household,
            flats=[
                FlatHandover(
                    flat=flat,
                    water_reading=Decimal("1"),
                    electricity_reading=Decimal("2"),
                    door_keys=2,
                    quality_guarantee=True,
                    usage_manual=True,
                )
            ],
            handed_on=today,
            by=personas["clerk"],
        )
        building = batch.buildings.get()
        with django_capture_on_commit_callbacks(execute=True):
            start(clerk, batch, PrintKind.HANDOVER_PAPERS, building)
        job = PrintJob.objects.get()
        assert (job.status, job.total, job.building) == (PrintStatus.DONE, 1, building)
        pdf, archive = merged_and_zip(clerk, job)
        assert sorted(archive.namelist()) == [
            f"{household.agreement_no}_房屋交接确认书.pdf",
            f"{household.agreement_no}_钥匙领取单.pdf",
        ]
        reader = PdfReader(io.BytesIO(pdf))
        confirmation = pages_of(household, IssuedKind.HANDOVER_CONFIRMATION)
        receipt = pages_of(household, IssuedKind.KEY_RECEIPT)
        assert len(reader.pages) == 1 + confirmation + receipt
        cover = reader.pages[0].extract_text()
        (receipt_number,) = IssuedDocument.objects.filter(
            household=household, kind=IssuedKind.KEY_RECEIPT
        ).values_list("number", flat=True)
        assert re.search(rf"{receipt_number}\s+2\s", cover), cover
        assert "房屋交接确认书" in reader.pages[1].extract_text().replace(" ", "")
        assert "钥匙领取单" in reader.pages[1 + confirmation].extract_text().replace(" ", "")


@pytest.mark.django_db
class TestWorkersInProcess:
    def test_a_part_whose_worker_died_is_taken_over_without_a_second_number(
        self, world, django_capture_on_commit_callbacks
    ):
        batch, people = handover_day(world)
        with django_capture_on_commit_callbacks(execute=False):
            job = job_start(batch=batch, kind=PrintKind.NOTICES)
        part = job.parts.get(role=PartRole.DOCUMENTS)
        assert _claim(part.pk) == 1  # a worker takes the part ...
        first = job.items.order_by("position").first()
        paper_issue(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=first.household))
        assert recover_stale_print_parts() == 0  # ... and holds its lease
        PrintPart.objects.filter(pk=part.pk).update(
            lease_until=timezone.now() - datetime.timedelta(seconds=1)  # ... then dies
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert recover_stale_print_parts() == 1
        job.refresh_from_db()
        part.refresh_from_db()
        assert (job.status, job.done, part.attempt) == (PrintStatus.DONE, 4, 2)
        assert all(len(notices_of(h)) == 1 for h in people)

    def test_the_merged_pdf_and_the_zip_are_made_apart_and_the_second_closes_the_job(
        self, world, django_capture_on_commit_callbacks
    ):
        batch, _people = handover_day(world)
        with django_capture_on_commit_callbacks(execute=False):
            job = job_start(batch=batch, kind=PrintKind.NOTICES)
        final = {part.role: part for part in job.parts.exclude(role=PartRole.DOCUMENTS)}
        assert set(final) == {PartRole.ASSEMBLY, PartRole.ARCHIVE}
        part_run(final[PartRole.ARCHIVE].pk)  # too early: the documents are not done
        assert job.parts.filter(status=PartStatus.DONE).count() == 0
        with django_capture_on_commit_callbacks(execute=False):
            part_run(job.parts.get(role=PartRole.DOCUMENTS).pk)
        # both final steps queued at once, for two workers
        assert job.parts.filter(role__in=FINAL_ROLES, queued_at__isnull=False).count() == 2
        part_run(final[PartRole.ARCHIVE].pk)
        job.refresh_from_db()
        assert job.zip_id and not job.merged_id
        assert (job.status, job.finished_at) == (PrintStatus.RUNNING, None)
        part_run(final[PartRole.ASSEMBLY].pk)
        job.refresh_from_db()
        assert job.merged_id and job.zip_id
        assert (job.status, job.done, job.failed) == (PrintStatus.DONE, 4, 0)
        assert job.finished_at is not None

    def test_the_progress_poll_shows_done_of_total_and_takes_over_a_dead_part(
        self, world, login, django_capture_on_commit_callbacks
    ):
        batch, _people = handover_day(world)
        with django_capture_on_commit_callbacks(execute=False):
            job = job_start(batch=batch, kind=PrintKind.NOTICES)
        part = job.parts.get(role=PartRole.DOCUMENTS)
        assert _claim(part.pk) == 1
        clerk = login("clerk")
        progress = reverse("handover:print-progress", args=[job.pk])
        assert clerk.get(progress)["Location"] == job.get_absolute_url()  # opened as a page
        fragment = clerk.get(progress, headers=HX)
        assert fragment["Cache-Control"] == "no-store"
        assert 'hx-trigger="every 2s"' in fragment.content.decode()
        assert "已打印 0 户，共 4 户" in fragment.content.decode()
        PrintPart.objects.filter(pk=part.pk).update(
            lease_until=timezone.now() - datetime.timedelta(seconds=1)  # its worker died
        )
        with django_capture_on_commit_callbacks(execute=True):
            fragment = clerk.get(progress, headers=HX).content.decode()
        assert "已打印 4 户，共 4 户" in fragment  # the part was taken over and printed
        fragment = clerk.get(progress, headers=HX).content.decode()  # and then assembled
        assert 'hx-trigger="every 2s"' not in fragment
        assert reverse("handover:print-pdf", args=[job.pk]) in fragment


# The worker loop closes connections between tasks (as between requests): committed data only.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_backend_runs_a_job_with_the_worker_command(world):
    batch, people = handover_day(world)
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=backend, TASKS_BACKEND="database"):
        job = job_start(batch=batch, kind=PrintKind.NOTICES)
        job.refresh_from_db()
        assert job.status == PrintStatus.QUEUED  # waits for a worker
        # the part, then the merged PDF and the ZIP
        call_command("run_worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.done) == (PrintStatus.DONE, 4)
    assert job.merged_id and job.zip_id
    assert sorted(job.parts.filter(status=PartStatus.DONE).values_list("role", flat=True)) == [
        PartRole.ARCHIVE,
        PartRole.ASSEMBLY,
        PartRole.DOCUMENTS,
    ]
    assert all(len(notices_of(h)) == 1 for h in people)


@pytest.mark.django_db
class TestAccess:
    def test_only_handover_staff_of_the_project_may_print(
        self, world, personas, login, django_capture_on_commit_callbacks
    ):
        batch, _people = handover_day(world)
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(batch=batch, kind=PrintKind.NOTICES)
        pages = [
            reverse("handover:print-panel", args=[batch.pk]),
            job.get_absolute_url(),
            reverse("handover:print-progress", args=[job.pk]),
            reverse("handover:print-pdf", args=[job.pk]),
            reverse("handover:print-zip", args=[job.pk]),
        ]
        for url in pages:
            assert login("clerk").get(url, headers=HX).status_code == 200, url
            assert login("team").get(url, headers=HX).status_code == 403, url  # no handover
            assert login("outsider").get(url, headers=HX).status_code == 404, url
            anonymous = Client().get(url, headers=HX)
            assert anonymous.status_code == 302 and "login" in anonymous["Location"], url
        make_user("other_clerk", Role.SELECTION_CLERK, projects=[world.project_b])
        other = Client()
        other.force_login(personas["clerk"].__class__.objects.get(username="other_clerk"))
        for url in pages:
            assert other.get(url).status_code == 404, url
        assert start(other, batch).status_code == 404
        assert start(login("team"), batch).status_code == 403
        assert other.post(reverse("handover:print-retry", args=[job.pk])).status_code == 404
        assert PrintJob.objects.count() == 1

    def test_downloads_are_private_and_named(
        self, world, login, django_capture_on_commit_callbacks
    ):
        batch, _people = handover_day(world)
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(batch=batch, kind=PrintKind.NOTICES)
        response = login("clerk").get(reverse("handover:print-zip", args=[job.pk]))
        assert response["Cache-Control"] == "private, no-store"
        assert "attachment" in response["Content-Disposition"]
        assert ".zip" in response["Content-Disposition"]

    def test_the_panel_starts_a_job_and_lists_the_batch_jobs(
        self, world, login, django_capture_on_commit_callbacks
    ):
        batch, _people = handover_day(world)
        clerk = login("clerk")
        panel = clerk.get(reverse("handover:print-panel", args=[batch.pk])).content.decode()
        assert reverse("handover:print-start", args=[batch.pk]) in panel
        with django_capture_on_commit_callbacks(execute=False):
            start(clerk, batch)
        job = PrintJob.objects.get()
        panel = clerk.get(reverse("handover:print-panel", args=[batch.pk])).content.decode()
        assert job.get_absolute_url() in panel
        page = clerk.get(job.get_absolute_url()).content.decode()
        assert 'hx-trigger="every 2s"' in page
        assert reverse("handover:print-progress", args=[job.pk]) in page


# Real worker processes on PostgreSQL (the test database in memory on SQLite cannot be shared):
# a worker is killed (SIGKILL, its whole process group: an RQ worker forks a work horse) in the
# middle of a part; another worker takes the part over once its lease (5 s here) has expired.

LEASE_SECONDS = 5
REDIS_DB = 11


def worker_env(tmp_path, backend: str) -> dict[str, str]:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "resettlement.settings",
        "DOTENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-worker",
        "ALLOWED_HOSTS": "testserver",
        "PUBLIC_BASE_URL": "http://testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": url,
        "PRIVATE_ROOT": str(tmp_path / "private"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRINT_LEASE_SECONDS": str(LEASE_SECONDS),
        "REPORT_WEEKLY_AT": "",  # this worker prints; weekly reports are tested elsewhere
        "TASKS_BACKEND": backend,
        "LOG_LEVEL": "WARNING",
        # Every process of an installation shares the keys that read ID numbers and derive
        # access codes (its own SECRET_KEY would derive others).
        "ID_NUMBER_KEYS": ",".join(settings.ID_NUMBER_KEYS),
        "ID_HASH_KEY": settings.ID_HASH_KEY,
        "HOUSEHOLD_CODE_KEY": settings.HOUSEHOLD_CODE_KEY,
    }
    if backend == "rq":
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    return env


def manage(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def wait_for(condition, seconds: float, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"still waiting after {seconds} s")


def start_in_worker_settings(batch, env) -> PrintJob:
    code = (
        "from resettlement.handover.models import HandoverBatch; "
        "from resettlement.handover.printing import job_start; "
        f"print(job_start(batch=HandoverBatch.objects.get(pk={batch.pk}), kind='notices').pk)"
    )
    return PrintJob.objects.get(pk=int(manage("shell", "--no-imports", "-c", code, env=env)))


def kill_mid_part_then_finish(batch, people, env, tmp_path) -> None:
    """A job whose first worker is SIGKILLed after its first household; a second worker
    finishes it: every notice numbered once, the merged PDF complete."""
    job = start_in_worker_settings(batch, env)
    part = job.parts.get(role=PartRole.DOCUMENTS)
    first = worker(env)
    try:
        wait_for(lambda: job.items.filter(status=ItemStatus.DONE).exists(), 90)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first, signal.SIGKILL)
    part.refresh_from_db()
    assert part.status == PartStatus.RUNNING, "the part finished before its worker was killed"
    assert job.items.filter(status=ItemStatus.DONE).count() < len(people)
    second = worker(env)
    try:
        wait_for(lambda: PrintJob.objects.get(pk=job.pk).finished, 120, step=0.5)
    finally:
        stop(second)
    job.refresh_from_db()
    part.refresh_from_db()
    assert (job.status, job.done, job.failed) == (PrintStatus.DONE, len(people), 0)
    assert part.attempt == 2  # taken over once
    numbers = sorted(
        IssuedDocument.objects.filter(kind=IssuedKind.HANDOVER_NOTICE).values_list(
            "number", flat=True
        )
    )
    year = timezone.localdate().year
    assert numbers == [f"{batch.project.code}-JF-{year}-{n:06d}" for n in range(1, len(people) + 1)]
    assert all(len(notices_of(h)) == 1 for h in people)
    merged = PdfReader(tmp_path / "private" / job.merged.file.name)
    notice_pages = sum(
        len(PdfReader(tmp_path / "private" / d.stored.file.name).pages)
        for d in IssuedDocument.objects.filter(kind=IssuedKind.HANDOVER_NOTICE).select_related(
            "stored"
        )
    )
    assert len(merged.pages) == 1 + notice_pages
    with zipfile.ZipFile(tmp_path / "private" / job.zip.file.name) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"{h.agreement_no}_交房通知书.pdf" for h in people
        )


postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="worker processes need a database they can share (PostgreSQL)",
)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_database_worker_loses_nothing_and_numbers_nothing_twice(world, tmp_path):
    batch, people = handover_day(world)
    kill_mid_part_then_finish(batch, people, worker_env(tmp_path, "database"), tmp_path)


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").ping())
    except Exception:
        return False


@postgres_only
@pytest.mark.skipif(not redis_available(), reason="no Redis at 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_runs_through_redis_with_real_workers_even_when_one_is_killed(world, tmp_path):
    import redis

    queue = redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
    queue.flushdb()
    try:
        batch, people = handover_day(world)
        kill_mid_part_then_finish(batch, people, worker_env(tmp_path, "rq"), tmp_path)
    finally:
        queue.flushdb()
