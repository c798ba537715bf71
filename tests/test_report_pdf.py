"""The progress report as a PDF (`manage.py export_progress --format pdf`): every font embedded
and CJK (pdffonts), the 要点 and the tables' figures in its text (pdftotext), its charts and the
project's map as images, and a past day's report unmoved by later changes."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from resettlement.progress.models import MilestoneRole
from resettlement.projects.models import Project
from resettlement.reports.figures import progress_figures
from resettlement.reports.highlights import highlights
from tests.handover_fixtures import allocated_project
from tests.test_handover_documents import assert_fonts_embedded_cjk, text_of
from tests.test_report_figures import SHANGHAI, complete_through

pytestmark = pytest.mark.django_db


def export(tmp_path, *arguments: str) -> bytes:
    out = tmp_path / "report.pdf"
    call_command(
        "export_progress", "--format", "pdf", "--out", str(out), *arguments, stdout=io.StringIO()
    )
    return out.read_bytes()


def images_of(content: bytes) -> int:
    reader = PdfReader(io.BytesIO(content))
    return sum(len(page.images) for page in reader.pages)


def test_the_report_prints_its_highlights_charts_and_map(world, tmp_path):
    project, buildings, _people = allocated_project(world)
    for building in buildings:
        complete_through(building, MilestoneRole.TOPPING_OUT, timezone.localdate())
    content = export(tmp_path, "--project", project.code)
    assert_fonts_embedded_cjk(content)
    text = text_of(content)
    assert "回迁安置工作进展报告" in text
    total = Project.objects.get(pk=project.pk).buildings.count()
    assert f"{total}栋安置楼中已封顶2栋" in text  # 1# of the world is not topped out
    assert f"{project.name}全面完成选房工作，共4户" in text
    assert "节点滞后" in text and "说明" in text
    assert images_of(content) >= 3  # the S-curve, households by month, the map
    (figures,) = progress_figures(
        Project.objects.filter(pk=project.pk), timezone.localdate()
    ).projects
    assert figures.topped_out.now == 2


def test_every_building_topped_out_is_said_as_the_street_office_says_it(world, tmp_path):
    project, buildings, _people = allocated_project(world)
    world.building_a.delete()
    for building in buildings:
        complete_through(building, MilestoneRole.TOPPING_OUT, timezone.localdate())
    sentences = highlights(
        progress_figures(Project.objects.filter(pk=project.pk), timezone.localdate())
    )
    assert f"{project.name}：2栋安置楼已全部封顶（本周新增2栋）" in sentences
    assert "2栋安置楼已全部封顶" in text_of(export(tmp_path, "--project", project.code))


def test_last_weeks_report_does_not_move(world, tmp_path):
    project, buildings, _people = allocated_project(world)
    past = timezone.localdate() - datetime.timedelta(days=1)
    before = text_of(export(tmp_path, "--project", project.code, "--date", past.isoformat()))
    later = datetime.datetime.combine(timezone.localdate(), datetime.time(12), tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        complete_through(buildings[1], MilestoneRole.TOPPING_OUT, timezone.localdate())
    again = text_of(export(tmp_path, "--project", project.code, "--date", past.isoformat()))
    assert again == before
