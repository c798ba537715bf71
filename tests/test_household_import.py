import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from resettlement.households.models import Household, HouseholdStatus, Member
from resettlement.households.services import household_create
from resettlement.imports.models import ImportBatch, ImportOutcome
from resettlement.imports.registers import households_import
from tests.factories import household_data, make_project, synthetic_id_number
from tests.workbooks import (
    HOUSEHOLD_HEADER,
    MEMBER_HEADER,
    household_row,
    register,
    upload_register,
)

pytestmark = pytest.mark.django_db


def bad_checksum_id() -> str:
    number = synthetic_id_number()
    return number[:17] + ("1" if number[17] != "1" else "2")


@pytest.fixture
def project():
    return make_project(
        "QLS", entitlement_basis="greater", per_capita_area=Decimal(40), area_ratio=Decimal("0.5")
    )


def village_name(project) -> str:
    return project.villages.order_by("code").first().name


def run_import(project, content: bytes, *, dry_run: bool = False):
    return households_import(
        project=project, file=io.BytesIO(content), filename="花名册.xlsx", dry_run=dry_run
    )


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_clean_register_with_title_and_blank_rows_is_imported(project):
    rows = [household_row(project, 1), None, household_row(project, 2), None, None]
    content = register(
        HOUSEHOLD_HEADER, rows, title="青龙寺组团回迁户花名册", blank_rows_before_header=2
    )
    result = run_import(project, content)
    assert result.ok, messages(result)
    assert result.created == 2
    assert Household.objects.filter(project=project).count() == 2
    household = Household.objects.get(agreement_no="QLS-0001")
    assert household.entitled_area == Decimal("200.00")
    assert household.status == HouseholdStatus.SIGNED
    assert result.batch.outcome == ImportOutcome.IMPORTED
    assert household.history.first().history_change_reason == "导入 花名册.xlsx"


def test_headers_in_another_order_and_with_notes_are_recognised(project):
    header = [
        "应安置面积（㎡）",
        "*协议编号",
        "户主身份证号码",
        "户主",
        "所属村",
        "安置人口",
        "原房屋面积",
    ]
    values = [150, "QLS-0009", synthetic_id_number(), "李秀英", village_name(project), 2, 120]
    result = run_import(project, register(header, [values]))
    assert result.ok, messages(result)
    household = Household.objects.get(agreement_no="QLS-0009")
    assert (household.head_name, household.original_area) == ("李秀英", Decimal("120.00"))


def test_full_width_and_lowercase_id_numbers_are_stored_normalised(project):
    number = synthetic_id_number()
    messy = "".join(chr(ord(c) + 0xFEE0) for c in number[:17]) + number[17].lower()
    result = run_import(
        project, register(HOUSEHOLD_HEADER, [household_row(project, 1, head_id_number=messy)])
    )
    assert result.ok, messages(result)
    assert Household.objects.get().head_id_number == number


def test_blank_entitled_area_follows_the_projects_rule(project):
    # greater of 40 m² × 3 persons = 120 and 0.5 × 300 = 150
    values = household_row(project, 1, entitled_area=None, original_area=300, recognised_persons=3)
    assert run_import(project, register(HOUSEHOLD_HEADER, [values])).ok
    assert Household.objects.get().entitled_area == Decimal("150.00")


@pytest.mark.parametrize(
    ("overrides", "column", "expected"),
    [
        ({"head_id_number": "BAD_CHECKSUM"}, "D", "身份证号校验位错误"),
        ({"head_id_number": 6.10113199001011e17}, "D", "身份证号被存成了数字"),
        ({"head_id_number": ""}, "D", "身份证号必填"),
        ({"village": "不存在村"}, "B", "“不存在村”不是本项目所涉的村"),
        ({"original_area": 0}, "G", "面积须为正数"),
        ({"original_area": -12.5}, "G", "面积须为正数"),
        ({"original_area": "一百"}, "G", "不是数字"),
        ({"entitled_area": 0}, "H", "应安置面积须为正数"),
        ({"compensation_mode": "货币补偿", "entitled_area": 90}, "H", "货币补偿户没有应安置面积"),
        ({"phone": "12345"}, "E", "11位手机号"),
        ({"recognised_persons": 0}, "F", "须在 1 至 99 之间"),
        ({"recognised_persons": 2.5}, "F", "须为整数"),
        ({"signed_on": "2099-01-01"}, "J", "签约日期晚于今天"),
        ({"signed_on": "去年"}, "J", "不是有效日期"),
        ({"elderly": "也许"}, "K", "请填写“是”或“否”"),
        ({"compensation_mode": "置换"}, "I", "须为以下之一"),
        ({"agreement_no": None}, "A", "此项必填"),
    ],
)
def test_each_bad_cell_is_reported_with_row_column_and_chinese_message(
    project, overrides, column, expected
):
    if overrides.get("head_id_number") == "BAD_CHECKSUM":
        overrides = {"head_id_number": bad_checksum_id()}
    content = register(
        HOUSEHOLD_HEADER,
        [household_row(project, 1), household_row(project, 2, **overrides)],
        title="花名册",
    )
    result = run_import(project, content)
    assert not result.ok
    assert len(result.errors) == 1, messages(result)
    error = result.errors[0]
    assert (error.row, error.column) == (4, column)
    assert expected in error.message
    assert str(error).startswith(f"第4行，{column}列（")
    assert not Household.objects.exists(), "a rejected file must write nothing"
    assert result.batch.outcome == ImportOutcome.REJECTED


def test_duplicate_agreement_numbers_in_the_file_are_reported_on_both_rows(project):
    content = register(
        HOUSEHOLD_HEADER,
        [household_row(project, 1), household_row(project, 2), household_row(project, 1)],
    )
    result = run_import(project, content)
    assert [(e.row, e.column) for e in result.errors] == [(2, "A"), (4, "A")]
    assert "重复出现（另见第4行（协议 QLS-0001））" in result.errors[0].message
    assert not Household.objects.exists()


@pytest.mark.parametrize("agreement", ["+QLS-1", "-1", "@SUM(1)", "＝HYPERLINK(1)"])
def test_an_agreement_number_that_reads_as_a_formula_is_refused(project, agreement):
    # (a cell typed "=…" is a formula in Excel itself; the API test sends one as text)
    result = run_import(
        project, register(HOUSEHOLD_HEADER, [household_row(project, 1, agreement_no=agreement)])
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "A")]
    assert "协议编号不能以 =、+、- 或 @ 开头" in result.errors[0].message
    assert not Household.objects.exists()


def test_agreement_number_already_stored_is_refused(project):
    assert run_import(project, register(HOUSEHOLD_HEADER, [household_row(project, 1)])).ok
    result = run_import(
        project, register(HOUSEHOLD_HEADER, [household_row(project, 2), household_row(project, 1)])
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "A")]
    assert "已登记" in result.errors[0].message
    assert Household.objects.count() == 1


def test_the_same_person_cannot_head_two_households(project):
    person = synthetic_id_number()
    content = register(
        HOUSEHOLD_HEADER,
        [
            household_row(project, 1, head_id_number=person),
            household_row(project, 2, head_id_number=person),
        ],
    )
    result = run_import(project, content)
    assert {(e.row, e.column) for e in result.errors} == {(2, "D"), (3, "D")}
    assert person not in result.errors[0].message, "error messages mask ID numbers"


def test_a_member_already_registered_elsewhere_is_refused(project):
    member_id = synthetic_id_number(male=False)
    data = household_data(project, agreement_no="OLD-1")
    household_create(project=project, data=data)
    Member.objects.create(
        household=Household.objects.get(), name="王丽", relation="spouse", id_number=member_id
    )
    members = [
        ("QLS-0001", "李娟", "妻子", member_id, "是"),
        ("QLS-0001", "李明", "儿子", "", "是"),
    ]
    content = register(
        HOUSEHOLD_HEADER,
        [household_row(project, 1)],
        extra_sheets={"家庭成员": (MEMBER_HEADER, members)},
    )
    result = run_import(project, content)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("家庭成员", 2, "D")]
    assert "协议 OLD-1" in result.errors[0].message


def test_members_sheet_is_imported_with_relations_normalised(project):
    members = [
        ("QLS-0001", "李娟", "妻子", synthetic_id_number(male=False), "是"),
        ("QLS-0001", "张小明", "儿子", "", None),
        ("QLS-0001", "张小红", "女儿", synthetic_id_number(male=False), "否"),
    ]
    content = register(
        HOUSEHOLD_HEADER,
        [household_row(project, 1)],
        extra_sheets={"家庭成员": (MEMBER_HEADER, members)},
    )
    result = run_import(project, content)
    assert result.ok, messages(result)
    stored = list(Household.objects.get().members.values_list("name", "relation", "recognised"))
    assert stored == [
        ("李娟", "spouse", True),
        ("张小明", "child", True),
        ("张小红", "child", False),
    ]


def test_recognised_persons_must_match_the_members_sheet(project):
    members = [("QLS-0001", "李娟", "配偶", synthetic_id_number(male=False), "是")]
    content = register(
        HOUSEHOLD_HEADER,
        [household_row(project, 1, recognised_persons=4)],
        extra_sheets={"家庭成员": (MEMBER_HEADER, members)},
    )
    result = run_import(project, content)
    assert [(e.row, e.column) for e in result.errors] == [(2, "F")]
    assert "户主加认定成员共 2 人" in result.errors[0].message


def test_member_of_an_unknown_agreement_is_reported_on_the_members_sheet(project):
    members = [("QLS-0404", "李娟", "配偶", "", "是")]
    content = register(
        HOUSEHOLD_HEADER,
        [household_row(project, 1)],
        extra_sheets={"家庭成员": (MEMBER_HEADER, members)},
    )
    result = run_import(project, content)
    assert str(result.errors[0]).startswith("“家庭成员”表，第2行，A列（协议编号）")


def test_missing_required_column_is_a_file_error(project):
    header = [name for name in HOUSEHOLD_HEADER if name != "户主身份证号"]
    result = run_import(
        project, register(header, [household_row(project, 1)[:3] + household_row(project, 1)[4:]])
    )
    assert messages(result) == ["“住户”表缺少必填列：户主身份证号。"]


def test_a_file_that_is_not_a_spreadsheet_is_refused(project):
    result = run_import(project, b"agreement,name\n1,2\n")
    assert messages(result) == [
        "文件不是可以读取的电子表格。请另存为 Excel 工作簿（.xlsx 或 .xls）"
        "或 OpenDocument 电子表格（.ods）后重试。"
    ]
    assert result.batch.outcome == ImportOutcome.REJECTED


def test_a_header_with_no_rows_is_refused(project):
    result = run_import(project, register(HOUSEHOLD_HEADER, []))
    assert messages(result) == ["“住户”表在表头下没有数据行。"]


def test_dry_run_checks_everything_and_writes_nothing(project):
    result = run_import(
        project, register(HOUSEHOLD_HEADER, [household_row(project, 1)]), dry_run=True
    )
    assert result.ok
    assert result.batch.outcome == ImportOutcome.VALIDATED
    assert not Household.objects.exists()


def test_error_workbook_keeps_row_numbers_and_marks_bad_cells(project):
    content = register(
        HOUSEHOLD_HEADER,
        [
            household_row(project, 1),
            None,
            household_row(project, 2, head_id_number=bad_checksum_id()),
        ],
        title="花名册",
    )
    result = run_import(project, content)
    workbook = load_workbook(io.BytesIO(result.batch.error_report.read()))
    summary = workbook["错误"]
    assert [cell.value for cell in summary[2]][:3] == ["住户", 5, "D"]
    annotated = workbook["住户"]
    assert annotated["A5"].value == "QLS-0002"
    assert "校验位错误" in annotated.cell(row=5, column=len(HOUSEHOLD_HEADER) + 1).value
    assert annotated["D5"].fill.fgColor.rgb.endswith("FFC7CE")


class TestCommand:
    def write(self, tmp_path, content: bytes):
        path = tmp_path / "花名册.xlsx"
        path.write_bytes(content)
        return str(path)

    def test_clean_file_imports_and_reports_rows(self, project, tmp_path, capsys):
        path = self.write(
            tmp_path,
            register(HOUSEHOLD_HEADER, [household_row(project, 1), household_row(project, 2)]),
        )
        call_command("import_households", "QLS", path)
        assert "已向 QLS项目 导入 2 行" in capsys.readouterr().out
        assert Household.objects.count() == 2

    def test_errors_exit_non_zero_and_write_nothing(self, project, tmp_path, capsys):
        bad = household_row(project, 2, head_id_number=bad_checksum_id())
        path = self.write(tmp_path, register(HOUSEHOLD_HEADER, [household_row(project, 1), bad]))
        with pytest.raises(CommandError, match="1 处错误，未导入任何数据"):
            call_command("import_households", "QLS", path)
        assert "第3行，D列（户主身份证号）：身份证号校验位错误" in capsys.readouterr().err
        assert not Household.objects.exists()

    def test_dry_run_writes_nothing(self, project, tmp_path, capsys):
        path = self.write(tmp_path, register(HOUSEHOLD_HEADER, [household_row(project, 1)]))
        call_command("import_households", "QLS", path, "--dry-run")
        assert "仅校验" in capsys.readouterr().out
        assert not Household.objects.exists()

    def test_unknown_project_is_an_error(self, project, tmp_path):
        path = self.write(tmp_path, register(HOUSEHOLD_HEADER, [household_row(project, 1)]))
        with pytest.raises(CommandError, match="没有编码为 NOPE 的项目"):
            call_command("import_households", "NOPE", path)


class TestUploadPage:
    @pytest.fixture(autouse=True)
    def _tasks_run_on_commit(self, django_capture_on_commit_callbacks):
        self.capture = django_capture_on_commit_callbacks

    def upload(self, client, project, content: bytes, **extra):
        """Upload, let the queued import run, and follow to its page."""
        return upload_register(client, project, content, capture=self.capture, **extra)

    def test_supervisor_uploads_a_clean_register(self, project, login, personas):
        personas["supervisor"].projects.add(project)
        response = self.upload(
            login("supervisor"), project, register(HOUSEHOLD_HEADER, [household_row(project, 1)])
        )
        assert response.status_code == 200
        assert "已导入 1 条记录" in response.content.decode()
        household = Household.objects.get(project=project)
        assert household.history.first().history_user == personas["supervisor"]

    def test_errors_are_listed_and_the_error_workbook_is_offered(self, project, login, personas):
        personas["supervisor"].projects.add(project)
        client = login("supervisor")
        bad = household_row(project, 1, original_area=-3)
        response = self.upload(client, project, register(HOUSEHOLD_HEADER, [bad]))
        page = response.content.decode()
        assert "1 处错误，未导入任何数据" in page
        assert "第2行，G列（被征收面积）" in page
        batch = ImportBatch.objects.get()
        report = client.get(reverse("imports:error-report", args=[batch.pk]))
        assert report.status_code == 200
        assert load_workbook(io.BytesIO(report.content))["错误"]["D2"].value == "面积须为正数。"

    def test_error_workbook_is_not_served_to_other_projects_staff(self, project, login, personas):
        personas["supervisor"].projects.add(project)
        self.upload(
            login("supervisor"),
            project,
            register(HOUSEHOLD_HEADER, [household_row(project, 1, original_area=0)]),
        )
        batch = ImportBatch.objects.get()
        personas["supervisor"].projects.remove(project)
        assert (
            login("supervisor").get(reverse("imports:error-report", args=[batch.pk])).status_code
            == 404
        )

    def test_template_has_chinese_headers_and_village_choices(self, project, login, personas):
        personas["supervisor"].projects.add(project)
        response = login("supervisor").get(
            reverse("imports:template", args=[project.code, "households"])
        )
        workbook = load_workbook(io.BytesIO(response.content))
        headers = [cell.value for cell in workbook["住户"][2]]
        assert headers[:4] == ["协议编号", "村", "户主姓名", "户主身份证号"]
        assert "家庭成员" in workbook.sheetnames
        validations = workbook["住户"].data_validations.dataValidation
        sources = [v.formula1 for v in validations if v.formula1.startswith("'选项'!")]
        choices = workbook["选项"]
        listed = [
            cell.value
            for source in sources
            for row in choices[source.split("!")[1]]
            for cell in row
        ]
        assert village_name(project) in listed

    def test_the_template_itself_imports_once_filled_in(self, project, login, personas):
        personas["supervisor"].projects.add(project)
        client = login("supervisor")
        response = client.get(reverse("imports:template", args=[project.code, "households"]))
        workbook = load_workbook(io.BytesIO(response.content))
        workbook["住户"].append(household_row(project, 7))
        buffer = io.BytesIO()
        workbook.save(buffer)
        result = self.upload(client, project, buffer.getvalue())
        assert "已导入 1 条记录" in result.content.decode()


def test_a_workbook_with_only_a_members_sheet_is_refused(project):
    content = register(MEMBER_HEADER, [("QLS-0001", "李娟", "配偶", "", "是")])
    from openpyxl import load_workbook as load

    workbook = load(io.BytesIO(content))
    workbook["住户"].title = "家庭成员"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(project, buffer.getvalue())
    assert messages(result) == ["工作簿只有家庭成员表，没有住户表。"]
