"""Old .xls and WPS/LibreOffice .ods registers are read like .xlsx ones (issue 8 §3), behind the
same guarantees as .xlsx (issue 7): a file is refused from its scan, before the reader
allocates anything, when its cells or rows spread past what a register holds."""

import io
import time
import tracemalloc
from decimal import Decimal

import pytest
from django.urls import reverse

from resettlement.households.models import Household
from resettlement.imports.models import ImportBatch, ImportOutcome
from resettlement.imports.registers import households_import
from tests.factories import make_project, synthetic_id_number
from tests.legacy_formats import (
    biff_stream,
    compound_file,
    label,
    ods,
    ods_table,
    xls,
    xls_sheet,
)
from tests.workbooks import (
    HOUSEHOLD_HEADER,
    MAIN_NS,
    Sheet,
    household_row,
    raw_register,
)

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
MEMBERS = ("协议编号", "姓名", "与户主关系", "身份证号", "是否认定安置人口")
FORMATS = {"xls": xls, "ods": ods}


@pytest.fixture
def project():
    return make_project("QLS", entitlement_basis="area", area_ratio=Decimal(1))


def run_import(project, content: bytes, filename: str = "花名册.xls"):
    return households_import(project=project, file=io.BytesIO(content), filename=filename)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def register_sheets(project) -> list[Sheet]:
    village = project.villages.order_by("code").first().name
    rows = [household_row(project, 1, village=village, recognised_persons=2)]
    rows += [household_row(project, n, village=None) for n in (2, 3)]
    return [
        Sheet("说明", [["填写说明：面积单位为平方米"]]),
        Sheet(
            "花名册",
            [["青龙寺组团回迁户花名册"], HOUSEHOLD_HEADER, *rows, ["合计"]],
            merged=["A1:K1", "B3:B5"],
        ),
        Sheet(
            "家庭成员名单",
            [MEMBERS, ("QLS-0001", "李娟", "妻子", synthetic_id_number(male=False), "是")],
        ),
        Sheet("选项", [["产权调换"], ["货币补偿"]], hidden=True),
    ]


@pytest.mark.parametrize("kind", FORMATS)
def test_a_register_in_the_old_format_is_imported_like_an_xlsx(project, kind):
    sheets = register_sheets(project)
    result = run_import(project, FORMATS[kind](*sheets), filename=f"花名册.{kind}")
    assert result.ok, messages(result)
    assert Household.objects.filter(project=project).count() == 3
    village = project.villages.order_by("code").first()
    assert Household.objects.filter(village=village).count() == 3, "merged down"
    assert list(Household.objects.get(agreement_no="QLS-0001").members.values_list("name")) == [
        ("李娟",)
    ]
    assert result.notes == ["“花名册”表第 6 行是合计行，已跳过。"]


@pytest.mark.parametrize("kind", FORMATS)
def test_hidden_rows_of_an_old_format_are_refused_too(project, kind):
    sheets = register_sheets(project)[:2]
    sheets[1].hidden_rows = [4]
    result = run_import(project, FORMATS[kind](*sheets))
    assert [(error.row, error.message[:9]) for error in result.errors] == [
        (4, "此行在文件中是隐藏")
    ]
    assert not Household.objects.exists()


@pytest.mark.parametrize("kind", FORMATS)
def test_a_hidden_register_sheet_of_an_old_format_is_refused(project, kind):
    sheets = register_sheets(project)[:2]
    sheets.append(Sheet("旧表", [HOUSEHOLD_HEADER, household_row(project, 9)], hidden=True))
    result = run_import(project, FORMATS[kind](*sheets))
    assert messages(result)[0].startswith("工作表“旧表”是隐藏的，但其中有住户花名册")


class TestUploads:
    @pytest.mark.parametrize("kind", FORMATS)
    def test_the_upload_page_takes_xls_and_ods(
        self, project, personas, login, django_capture_on_commit_callbacks, kind
    ):
        personas["supervisor"].projects.add(project)
        client = login("supervisor")
        page = client.get(reverse("imports:page", args=[project.code])).content.decode()
        assert ".xls," in page and ".ods" in page
        sheets = [Sheet("住户", [HOUSEHOLD_HEADER, household_row(project, 1)])]
        data = {"kind": "households"}
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["households-file"] = SimpleUploadedFile(f"花名册.{kind}", FORMATS[kind](*sheets))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("imports:page", args=[project.code]), data)
        assert response.status_code == 302
        assert "已导入 1 条记录" in client.get(response["Location"]).content.decode()


class TestHostileOldFormats:
    """Files of a few KB that would make the reader allocate gigabytes."""

    def timed(self, project, content: bytes):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            result = run_import(project, content)
        finally:
            elapsed = time.perf_counter() - start
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert elapsed < 5 and peak < 50 * MB, (elapsed, peak)
        assert result.batch.outcome == ImportOutcome.REJECTED
        return result

    def test_an_ods_repeating_a_filled_row_a_million_times_is_refused_unread(self, project):
        bomb = (
            '<table:table-row table:number-rows-repeated="1000000">'
            '<table:table-cell table:number-columns-repeated="1000" office:value-type="string">'
            "<text:p>x</text:p></table:table-cell></table:table-row>"
        )
        sheet = Sheet("住户", [HOUSEHOLD_HEADER, household_row(project, 1)])
        content = ods(tables=ods_table(sheet, extra_rows=bomb))
        assert len(content) < 10_000
        result = self.timed(project, content)
        assert messages(result) == [
            "“住户”表的数据超过 20000 行：每次最多导入 20000 行（每个工作表）。"
            "请将名册拆分成几个文件，逐个导入。"
        ]

    def test_an_ods_repeating_a_filled_cell_across_the_sheet_is_refused_unread(self, project):
        wide = (
            '<table:table-row><table:table-cell table:number-columns-repeated="16000" '
            'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        )
        rows = [HOUSEHOLD_HEADER, *(household_row(project, n) for n in range(1, 300))]
        content = ods(tables=ods_table(Sheet("住户", rows), extra_rows=wide))
        result = self.timed(project, content)
        assert "单元格从 A1 一直延伸到" in messages(result)[0]

    def test_an_xls_declaring_the_whole_grid_is_refused_unread(self, project):
        sheet = Sheet("住户", [HOUSEHOLD_HEADER, household_row(project, 1)])
        stream = biff_stream(sheet, substreams=[xls_sheet(sheet, dimensions=(65536, 256))])
        result = self.timed(project, compound_file(stream))
        assert "单元格从 A1 一直延伸到 IV65536" in messages(result)[0]

    def test_an_xls_with_a_cell_in_its_last_row_and_column_is_refused_unread(self, project):
        sheet = Sheet("住户", [HOUSEHOLD_HEADER, household_row(project, 1)])
        body = xls_sheet(sheet, cells=label(65536, 256, "x"))
        result = self.timed(project, compound_file(biff_stream(sheet, substreams=[body])))
        assert "一直延伸到 IV65536" in messages(result)[0]

    def test_an_xls_that_is_no_compound_file_is_a_clear_refusal(self, project):
        content = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600)
        result = run_import(project, content)
        assert messages(result)[0].startswith("工作簿已损坏，无法读取")

    def test_a_password_protected_workbook_is_named_as_such(self, project):
        content = compound_file(b"\0" * 4096, name="EncryptedPackage")
        result = run_import(project, content)
        assert messages(result) == [
            "工作簿设置了打开密码，无法读取。请打开后取消密码（或另存一份不加密的副本），再上传。"
        ]


class TestUnusualXlsx:
    def test_a_sheet_written_with_prefixed_tags_and_no_references_is_read(self, project):
        """Some generators write `<x:c>` with no `r`: read through the careful scan."""
        rows = [HOUSEHOLD_HEADER, household_row(project, 1)]
        xml = "".join(
            "<x:row>"
            + "".join(f'<x:c t="inlineStr"><x:is><x:t>{value}</x:t></x:is></x:c>' for value in row)
            + "</x:row>"
            for row in rows
        )
        sheet = (
            f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN_NS}">'
            f"<x:sheetData>{xml}</x:sheetData></x:worksheet>"
        ).encode()
        result = run_import(project, raw_register(sheet))
        assert result.ok, messages(result)
        assert Household.objects.get().agreement_no == "QLS-0001"

    def test_a_prefixed_cell_far_away_is_refused_by_the_careful_scan(self, project):
        sheet = (
            f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN_NS}">'
            '<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>协议编号</x:t>'
            '</x:is></x:c></x:row><x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c>'
            "</x:row></x:sheetData></x:worksheet>"
        ).encode()
        result = run_import(project, raw_register(sheet))
        assert "一直延伸到 XFD1048576" in messages(result)[0]
        assert ImportBatch.objects.get().outcome == ImportOutcome.REJECTED
