"""The progress report as a workbook, written by `manage.py export_progress`: the sheets in
order with frozen Chinese headers, real numbers and dates (never numbers stored as text), no ID
or phone number anywhere, a past day's figures; errors in Chinese; and LibreOffice converts it
without errors where LibreOffice is installed."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from resettlement.households.models import Household, Member
from resettlement.housing.models import Building
from tests.handover_fixtures import allocated_project

pytestmark = pytest.mark.django_db

SHEETS = ["概览", "项目", "村", "楼栋", "节点滞后", "选房", "交房", "说明"]


def export(tmp_path, *arguments: str):
    out = tmp_path / "report.xlsx"
    call_command(
        "export_progress", "--format", "xlsx", "--out", str(out), *arguments, stdout=io.StringIO()
    )
    return out


def cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_the_workbook_has_typed_figures_under_frozen_chinese_headers(world, tmp_path):
    project, _buildings, _people = allocated_project(world)
    buildings = list(Building.objects.filter(project=project).order_by("sort_key"))
    book = load_workbook(export(tmp_path, "--project", project.code))
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1] if cell.value), sheet.title
    projects = book["项目"]
    header = [cell.value for cell in projects[1]]
    row = dict(zip(header, (cell.value for cell in projects[2]), strict=True))
    assert row["项目编号"] == project.code and row["回迁户"] == 4 and row["已选房"] == 4
    assert row["安置楼"] == len(buildings)
    buildings_sheet = book["楼栋"]
    codes = [row[2].value for row in buildings_sheet.iter_rows(min_row=2)]
    assert codes == [building.code for building in buildings]
    progress = [row[4] for row in buildings_sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" and cell.number_format == "0.00" for cell in progress)
    numbers_as_text = [
        cell.coordinate
        for cell in cells(book)
        if isinstance(cell.value, str) and cell.value.strip().lstrip("+-").isdigit()
    ]
    assert numbers_as_text == []
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert notes["报告日期"].date() == timezone.localdate()
    assert notes["范围"] == project.name


def test_no_id_or_phone_number_appears_in_the_workbook(world, tmp_path):
    project, _buildings, _people = allocated_project(world)
    secrets = set()
    for household in Household.objects.filter(project=project):
        secrets.update({household.head_id_number, household.phone} - {""})
    for member in Member.objects.filter(household__project=project):
        secrets.add(member.id_number)
    secrets.discard(None)
    assert secrets
    text = " ".join(str(cell.value) for cell in cells(load_workbook(export(tmp_path))))
    assert not [secret for secret in secrets if secret in text]


def test_a_past_day_and_bad_arguments(world, tmp_path):
    allocated_project(world)
    past = timezone.localdate() - datetime.timedelta(days=400)
    book = load_workbook(export(tmp_path, "--date", past.isoformat()))
    assert book["楼栋"].max_row == 1  # no building stood then
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match="报告日期不能晚于今天"):
        export(tmp_path, "--date", tomorrow.isoformat())
    with pytest.raises(CommandError, match="不是 YYYY-MM-DD 格式的日期"):
        export(tmp_path, "--date", "2026-02-30")
    with pytest.raises(CommandError, match="没有编码为 NOPE 的项目"):
        export(tmp_path, "--project", "NOPE")


def test_libreoffice_converts_the_workbook_without_errors(world, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: the conversion check did not run")
    allocated_project(world)
    source = export(tmp_path)
    result = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
