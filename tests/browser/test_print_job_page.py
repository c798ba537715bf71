"""A print job as the clerk meets it on a phone (390×844, Chinese): started from the batch's
print panel, its page says it waits for a background worker; a worker runs it (the database
backend, `run_worker --batch`) and the page, polling, shows every household printed and offers
the PDF for printing and the ZIP, which download as such."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from resettlement.handover.models import PrintJob
from tests.browser.conftest import log_in, new_context
from tests.documents import pdf_text
from tests.handover_fixtures import handover_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


def test_a_print_job_waits_for_a_worker_then_offers_its_files_on_a_phone(
    world, personas, browser, live_server
):
    batch, people = handover_day(world)
    page = new_context(browser, live_server, **PHONE).new_page()
    page.set_default_timeout(15_000)
    log_in(page, "clerk")
    with override_settings(TASKS=DATABASE_BACKEND, TASKS_BACKEND="database"):
        page.goto(reverse("handover:print-panel", args=[batch.pk]))
        page.locator("#print-panel").get_by_role("button", name="打印").click()
        progress = page.locator("#print-progress")
        expect(progress).to_contain_text("已打印 0 户，共 4 户")
        expect(progress).to_contain_text("正在等待后台任务开始")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        job = PrintJob.objects.get()
        assert page.url.endswith(job.get_absolute_url())

        call_command("run_worker", "--batch", verbosity=0)  # the worker, in this process

        expect(progress).to_have_attribute("data-status", "done", timeout=15_000)
        expect(progress).to_contain_text("已打印 4 户，共 4 户")
        pdf_link = page.get_by_role("link", name="下载打印用PDF")
        zip_link = page.get_by_role("link", name="下载每户单独的PDF（ZIP）")
        pdf = page.request.get(pdf_link.get_attribute("href"))
        assert pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.body())
        assert all(household.agreement_no in text for household in people)  # the cover
        archive = page.request.get(zip_link.get_attribute("href"))
        assert archive.headers["content-type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(archive.body())).namelist()
        assert sorted(names) == sorted(f"{h.agreement_no}_交房通知书.pdf" for h in people)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
