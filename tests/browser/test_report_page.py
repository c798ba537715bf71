"""A leader asks for a progress report on a phone (390×844, Chinese): the date input holds an
ISO date the browser posts; the report's page waits for a background worker; once a worker has
written it (the database backend, `run_worker --batch`), the page, polling, offers the PDF and
the workbook, which download as such."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from resettlement.reports.models import ProgressReport
from tests.browser.conftest import log_in, new_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


def test_a_leader_asks_for_a_report_and_downloads_it_on_a_phone(
    world, personas, browser, live_server
):
    page = new_context(browser, live_server, **PHONE).new_page()
    page.set_default_timeout(15_000)
    log_in(page, "leader")
    with override_settings(TASKS=DATABASE_BACKEND, TASKS_BACKEND="database"):
        page.goto(reverse("projects:home"))
        page.get_by_role("link", name="进展报告").first.click()
        page.get_by_label("项目").select_option("PA")
        page.get_by_role("button", name="生成报告").click()
        progress = page.locator("#report-progress")
        expect(progress).to_contain_text("等待后台任务")
        report = ProgressReport.objects.get()
        assert report.project == world.project_a and page.url.endswith(report.get_absolute_url())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        call_command("run_worker", "--batch", verbosity=0)  # the worker, in this process

        expect(progress).to_have_attribute("data-status", "done", timeout=20_000)
        pdf = page.request.get(page.get_by_role("link", name="下载 PDF").get_attribute("href"))
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        link = page.get_by_role("link", name="下载工作簿（Excel）")
        workbook = page.request.get(link.get_attribute("href"))
        assert workbook.body().startswith(b"PK")
