"""Register uploads run as a background task with a progress page (issue 7), and the private
files they leave have names nobody can guess."""

import importlib
import io
import os
import re
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from resettlement.households.models import Household
from resettlement.imports.models import (
    ImportBatch,
    ImportOutcome,
    ImportStage,
    ImportStatus,
)
from resettlement.imports.registers import households_import
from tests.factories import make_project
from tests.workbooks import HOUSEHOLD_HEADER, household_row, register, upload_register

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RANDOM_NAME = re.compile(r"^import-errors/[A-Za-z0-9_-]{32}\.xlsx$")  # 24 bytes: 192 bits
REFRESH = '<meta http-equiv="refresh"'


@pytest.fixture
def project():
    return make_project("QLS", entitlement_basis="area", area_ratio=Decimal(1))


@pytest.fixture
def staff(project, personas, login):
    personas["supervisor"].projects.add(project)
    return login("supervisor")


def post(client, project, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"kind": "households", "households-file": SimpleUploadedFile("花名册.xlsx", content)}
    return client.post(reverse("imports:page", args=[project.code]), data)


class TestProgressPage:
    def test_upload_is_queued_then_its_page_refreshes_until_the_result(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        content = register(HOUSEHOLD_HEADER, [household_row(project, 1), household_row(project, 2)])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = post(staff, project, content)
        batch = ImportBatch.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("imports:batch", args=[batch.pk])
        assert batch.status == ImportStatus.QUEUED and batch.upload

        waiting = staff.get(response["Location"]).content.decode()
        assert REFRESH in waiting
        assert "正在等待后台任务开始导入" in waiting
        assert not Household.objects.filter(project=project).exists()

        for callback in callbacks:  # the transaction commits: the task is enqueued and runs
            callback()
        done = staff.get(response["Location"])
        assert done.status_code == 200
        assert REFRESH not in done.content.decode()
        assert "已导入 2 条记录" in done.content.decode()
        assert Household.objects.filter(project=project).count() == 2

    def test_a_running_import_shows_its_stage_and_rows(self, project, staff):
        batch = ImportBatch.objects.create(
            project=project,
            kind="households",
            filename="花名册.xlsx",
            status=ImportStatus.RUNNING,
            stage=ImportStage.CHECKING,
            rows_done=3000,
            rows_total=12000,
        )
        page = staff.get(batch.get_absolute_url()).content.decode()
        assert REFRESH in page
        assert "正在校验各行：3000 / 12000 行" in page
        assert '<progress value="3000" max="12000">' in page

    def test_rejected_register_lists_errors_with_row_and_column_in_chinese(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        content = register(HOUSEHOLD_HEADER, [household_row(project, 1, original_area=-3)])
        response = upload_register(
            staff, project, content, capture=django_capture_on_commit_callbacks
        )
        page = response.content.decode()
        assert response.status_code == 422
        assert "1 处错误，未导入任何数据" in page
        assert "第2行，G列（被征收面积）" in page
        assert "下载错误报告" in page

    def test_the_stored_upload_is_deleted_once_read(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            post(staff, project, register(HOUSEHOLD_HEADER, [household_row(project, 1)]))
        stored = ImportBatch.objects.get().upload.name
        assert storages["private"].exists(stored)
        for callback in callbacks:
            callback()
        assert not storages["private"].exists(stored)
        assert not ImportBatch.objects.get().upload

    def test_an_unexpected_error_marks_the_import_failed_and_writes_nothing(
        self, project, staff, django_capture_on_commit_callbacks, monkeypatch
    ):
        def broken(**kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr("resettlement.imports.registers.households_create", broken)
        content = register(HOUSEHOLD_HEADER, [household_row(project, 1)])
        response = upload_register(
            staff, project, content, capture=django_capture_on_commit_callbacks
        )
        assert ImportBatch.objects.get().status == ImportStatus.FAILED
        assert "导入因意外错误中止，未写入任何数据" in response.content.decode()
        assert not Household.objects.filter(project=project).exists()

    def test_an_unreachable_queue_fails_the_import_instead_of_leaving_it_waiting(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
            RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}},
        ):
            content = register(HOUSEHOLD_HEADER, [household_row(project, 1)])
            response = upload_register(
                staff, project, content, capture=django_capture_on_commit_callbacks
            )
        batch = ImportBatch.objects.get()
        assert batch.status == ImportStatus.FAILED and not batch.upload
        assert "导入因意外错误中止，未写入任何数据" in response.content.decode()

    def test_an_import_whose_worker_is_gone_is_closed_as_interrupted_with_its_upload(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        with time_machine.travel("2026-05-01 09:00 +0800", tick=False):
            with django_capture_on_commit_callbacks(execute=False):  # its worker never runs
                post(staff, project, register(HOUSEHOLD_HEADER, [household_row(project, 1)]))
            killed = ImportBatch.objects.get()
            ImportBatch.objects.filter(pk=killed.pk).update(
                status=ImportStatus.RUNNING, started_at=timezone.now()
            )
            with django_capture_on_commit_callbacks(execute=False):
                post(staff, project, register(HOUSEHOLD_HEADER, [household_row(project, 2)]))
            lost = ImportBatch.objects.exclude(pk=killed.pk).get()
        uploads = [killed.upload.name, lost.upload.name]
        with time_machine.travel("2026-05-01 09:29 +0800", tick=False):
            assert REFRESH in staff.get(killed.get_absolute_url()).content.decode()
        with time_machine.travel("2026-05-01 09:31 +0800", tick=False):  # past TASK_TIMEOUT
            page = staff.get(killed.get_absolute_url()).content.decode()
            assert "导入未完成即中止" in page and REFRESH not in page
            assert ImportBatch.objects.get(pk=lost.pk).status == ImportStatus.QUEUED
        with (
            time_machine.travel("2026-05-02 09:01 +0800", tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):  # the next import closes the one queued a day ago that no worker took
            post(staff, project, register(HOUSEHOLD_HEADER, [household_row(project, 3)]))
        statuses = dict(ImportBatch.objects.values_list("pk", "status"))
        assert statuses[killed.pk] == statuses[lost.pk] == ImportStatus.INTERRUPTED
        assert not any(storages["private"].exists(name) for name in uploads)
        imported = Household.objects.filter(project=project).values_list("agreement_no", flat=True)
        assert list(imported) == ["QLS-0003"], "only the import that ran wrote anything"

    def test_another_projects_staff_cannot_see_the_import(
        self, project, staff, world, django_capture_on_commit_callbacks, login
    ):
        content = register(HOUSEHOLD_HEADER, [household_row(project, 1, original_area=0)])
        upload_register(staff, project, content, capture=django_capture_on_commit_callbacks)
        batch = ImportBatch.objects.get()
        outsider = login("team")  # a project team member of project A only
        assert outsider.get(batch.get_absolute_url()).status_code == 404
        assert outsider.get(reverse("imports:error-report", args=[batch.pk])).status_code == 404


class TestPrivateFileNames:
    def test_error_workbooks_get_random_names(self, project):
        content = register(HOUSEHOLD_HEADER, [household_row(project, 1, original_area=0)])
        names = {
            households_import(
                project=project, file=io.BytesIO(content), filename="花名册.xlsx"
            ).batch.error_report.name
            for _ in range(2)
        }
        assert len(names) == 2  # the same second, two different names
        for name in names:
            assert RANDOM_NAME.match(name), name

    def test_error_workbooks_stored_under_a_timestamp_are_renamed(self, project):
        storage = storages["private"]
        old = storage.save(
            "import-errors/2026/11/households-errors-20261123-124800.xlsx", ContentFile(b"rows")
        )
        batch = ImportBatch.objects.create(
            project=project, kind="households", filename="花名册.xlsx", error_report=old
        )
        migration = importlib.import_module(
            "resettlement.imports.migrations.0004_rename_error_workbooks"
        )
        migration.rename(django_apps, schema_editor=None)
        batch.refresh_from_db()
        assert RANDOM_NAME.match(batch.error_report.name)
        assert not storage.exists(old)
        assert batch.error_report.read() == b"rows"

    def test_another_projects_supervisor_gets_404_for_the_error_workbook(
        self, world, personas, login
    ):
        content = register(HOUSEHOLD_HEADER, [household_row(world.project_b, 1, original_area=0)])
        batch = households_import(
            project=world.project_b, file=io.BytesIO(content), filename="花名册.xlsx"
        ).batch
        assert batch.outcome == ImportOutcome.REJECTED and batch.error_report
        client = login("supervisor")  # selection supervisor of project A
        assert client.get(reverse("imports:error-report", args=[batch.pk])).status_code == 404
        assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
        assert (
            login("admin").get(reverse("imports:error-report", args=[batch.pk])).status_code == 200
        )


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis server at TEST_REDIS_URL")
def test_an_upload_waits_in_redis_until_a_worker_imports_it(
    project, staff, django_capture_on_commit_callbacks
):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    # The import task goes to the "default" queue, as in production; in Redis database 15.
    queue = "default"
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}},
        RQ_QUEUES={queue: {"URL": REDIS_URL}},
    ):
        try:
            content = register(HOUSEHOLD_HEADER, [household_row(project, 1)])
            response = upload_register(
                staff, project, content, capture=django_capture_on_commit_callbacks
            )
            assert REFRESH in response.content.decode()
            assert ImportBatch.objects.get().status == ImportStatus.QUEUED

            rq_queue = django_rq.get_queue(queue, job_class=Job)
            SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job).work(burst=True)

            batch = ImportBatch.objects.get()
            assert batch.status == ImportStatus.FINISHED
            assert batch.outcome == ImportOutcome.IMPORTED
            page = staff.get(batch.get_absolute_url()).content.decode()
            assert "已导入 1 条记录" in page and REFRESH not in page
        finally:
            django_rq.get_queue(queue).empty()
