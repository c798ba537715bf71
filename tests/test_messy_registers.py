"""Registers as street offices keep them (issue 8 §3): an import stores the value in the file or
refuses the row with the reason, never another value.

Values: numbers with commas, areas beyond their column, dates as Excel serials or with a time,
agreement numbers in another case, names with inner spaces, ID numbers mangled by Excel."""

import datetime
import io
from decimal import Decimal

import pytest

from resettlement.households.models import Household
from resettlement.households.services import household_create
from resettlement.imports.registers import flats_import, households_import
from tests.factories import household_data, make_building, make_project, synthetic_id_number
from tests.workbooks import (
    FLAT_HEADER,
    HOUSEHOLD_HEADER,
    Sheet,
    household_row,
    inline_row,
    raw_register,
    register,
    sheet_xml,
    workbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project("QLS", entitlement_basis="area", area_ratio=Decimal(1))


def run_import(project, content: bytes, **kwargs):
    return households_import(
        project=project, file=io.BytesIO(content), filename="花名册.xlsx", **kwargs
    )


def one_row(project, **overrides):
    return run_import(project, register(HOUSEHOLD_HEADER, [household_row(project, 1, **overrides)]))


def errors_of(result) -> list[tuple]:
    return [(error.row, error.column, error.message) for error in result.errors]


class TestNumbers:
    @pytest.mark.parametrize("typed", ["86,5", "86，5", "1,23", "1,2345.5", "12,34,567"])
    def test_a_comma_that_is_not_a_thousands_separator_is_refused_with_the_reason(
        self, project, typed
    ):
        result = one_row(project, original_area=typed)
        [(row, column, message)] = errors_of(result)
        assert (row, column) == (2, "G")
        assert f"“{typed}”含义不明" in message
        assert "千位分隔符" in message and "86.5" in message
        assert not Household.objects.exists()

    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("1,234.5", Decimal("1234.50")),
            ("１，２３４．５", Decimal("1234.50")),
            ("86.5㎡", Decimal("86.50")),
            ("86.5 平方米", Decimal("86.50")),
            (86.5, Decimal("86.50")),
        ],
    )
    def test_well_formed_numbers_are_stored_as_written(self, project, typed, stored):
        result = one_row(project, original_area=typed)
        assert result.ok, errors_of(result)
        assert Household.objects.get().original_area == stored

    @pytest.mark.parametrize("area", ["1234567.5", 1234567.5, "9999999"])
    def test_an_area_beyond_its_column_is_a_cell_error(self, project, area):
        result = one_row(project, original_area=area)
        assert errors_of(result) == [(2, "G", "须在 0.01 至 999999.99 之间。")]
        assert not Household.objects.exists()

    def test_an_entitled_area_computed_beyond_its_column_is_a_cell_error(self):
        project = make_project("BIG", entitlement_basis="area", area_ratio=Decimal(2))
        result = one_row(project, original_area="600000", entitled_area=None)
        [(row, column, message)] = errors_of(result)
        assert (row, column) == (2, "H")
        assert "1200000.00" in message and "999999.99" in message
        assert not Household.objects.exists()

    def test_a_flat_area_beyond_its_column_is_a_cell_error(self, project):
        make_building(project, "3#")
        rows = [("3#", 1, 2, "201", "A", "1234567.5")]
        result = flats_import(
            project=project, file=io.BytesIO(register(FLAT_HEADER, rows)), filename="房源.xlsx"
        )
        assert errors_of(result) == [(2, "F", "须在 0.01 至 999999.99 之间。")]

    def test_persons_beyond_any_household_are_refused(self, project):
        result = one_row(project, recognised_persons=40000)
        assert errors_of(result) == [(2, "F", "须在 1 至 99 之间。")]


class TestDates:
    @pytest.mark.parametrize(
        "typed", [45418, 45418.0, "2024-05-06 00:00:00", "2024/5/6 0:00", "2024年5月6日 00:00"]
    )
    def test_serials_in_general_cells_and_dates_with_a_time_are_dates(self, project, typed):
        result = one_row(project, signed_on=typed)
        assert result.ok, errors_of(result)
        assert Household.objects.get().signed_on == datetime.date(2024, 5, 6)

    def test_a_serial_outside_the_accepted_dates_is_refused(self, project):
        result = one_row(project, signed_on=12)  # 1900-01-11
        [(row, column, message)] = errors_of(result)
        assert (row, column) == (2, "J") and "1949-10-01" in message


class TestAgreementNumbers:
    def test_the_same_number_in_another_case_is_the_same_agreement(self, project):
        rows = [
            household_row(project, 1, agreement_no="QLS-T-0097"),
            household_row(project, 2, agreement_no="qls-t-0097"),
        ]
        result = run_import(project, register(HOUSEHOLD_HEADER, rows))
        assert [(row, column) for row, column, _m in errors_of(result)] == [(2, "A"), (3, "A")]
        assert "重复出现" in result.errors[0].message
        assert not Household.objects.exists()

    def test_numbers_are_stored_in_capitals(self, project):
        result = one_row(project, agreement_no="ｑｌｓ-t-0097\u200b")
        assert result.ok, errors_of(result)
        assert Household.objects.get().agreement_no == "QLS-T-0097"

    def test_a_number_stored_before_in_lower_case_still_matches(self, project):
        data = household_data(project, agreement_no="qls-t-0097")
        household_create(project=project, data=data)
        result = one_row(project, agreement_no="QLS-T-0097")
        [(row, column, message)] = errors_of(result)
        assert (row, column) == (2, "A")
        assert "协议编号 qls-t-0097 在本项目中已登记" in message
        assert Household.objects.count() == 1


class TestNames:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("王　伟", "王伟"),
            ("王 伟", "王伟"),
            (" 欧阳  娜娜 ", "欧阳娜娜"),
            ("王\u200b伟", "王伟"),
            ("买买提·艾力", "买买提·艾力"),
            ("Ma  Li", "Ma Li"),
        ],
    )
    def test_names_are_stored_as_chinese_names_are_written(self, project, typed, stored):
        result = one_row(project, head_name=typed)
        assert result.ok, errors_of(result)
        assert Household.objects.get().head_name == stored


class TestIdNumbers:
    @pytest.mark.parametrize(
        ("typed", "cause"),
        [
            ("6.10116E+17", "科学计数法"),
            ("6.10116e17", "科学计数法"),
            ("'{number}", "撇号（'）"),
            ("’{number}", "撇号（’）"),
            ("\u200b{number}", "U+200B ZERO WIDTH SPACE"),
            ("{number}\u00a0", "U+00A0 NO-BREAK SPACE"),
            ("\ufeff{number}", "U+FEFF"),
        ],
    )
    def test_an_id_number_mangled_by_a_spreadsheet_is_refused_naming_the_cause(
        self, project, typed, cause
    ):
        number = synthetic_id_number()
        result = one_row(project, head_id_number=typed.format(number=number))
        [(row, column, message)] = errors_of(result)
        assert (row, column) == (2, "D")
        assert cause in message
        assert not Household.objects.exists()


def village(project) -> str:
    return project.villages.order_by("code").first().name


def household(project, number: int, **overrides) -> list:
    return household_row(project, number, **overrides)


def imported(project, content: bytes):
    result = run_import(project, content)
    assert result.ok, [str(error) for error in result.errors]
    return result


class TestHeaders:
    def test_a_column_under_another_spelling_is_mapped_not_dropped(self, project):
        header = [
            *HOUSEHOLD_HEADER[:4],
            "电话号码",
            *HOUSEHOLD_HEADER[5:9],
            "协议签订时间",
            "是否老人户",
        ]
        row = household(project, 1, phone="13000000009", signed_on="2021-03-04", elderly="是")
        imported(project, register(header, [row]))
        stored = Household.objects.get()
        assert stored.elderly is True, "a household marked 是 under 是否老人户 is elderly"
        assert (stored.phone, stored.signed_on) == ("13000000009", datetime.date(2021, 3, 4))

    def test_an_unrecognised_column_is_listed_in_the_result(self, project, login, personas):
        header = [*HOUSEHOLD_HEADER, "户主电话", "拆迁批次"]
        row = [*household(project, 1), "13100000000", "第一批"]
        result = imported(project, register(header, [row], title="青龙寺组团回迁户花名册"))
        assert result.notes == [
            "“住户”表：未识别的列：L（户主电话）、M（拆迁批次），已忽略"
            "（如需导入，请把列名改为模板中的列名）。"
        ]
        assert result.batch.notes == result.notes
        personas["supervisor"].projects.add(project)
        page = login("supervisor").get(result.batch.get_absolute_url()).content.decode()
        assert "未识别的列：L（户主电话）、M（拆迁批次），已忽略" in page

    def test_a_field_claimed_by_two_columns_is_refused(self, project):
        header = [*HOUSEHOLD_HEADER, "电话"]
        result = run_import(project, register(header, [[*household(project, 1), "13100000000"]]))
        assert [error.message for error in result.errors] == [
            "“住户”表中 E（联系电话）、L（电话） 这几列都对应“联系电话”：请只保留其中一列"
            "（删除或改名其余各列），以免导入时无法确定取哪一列。"
        ]
        assert not Household.objects.exists()

    def test_a_label_merged_across_two_columns_is_one_column(self, project):
        header = [*HOUSEHOLD_HEADER, "备注", None]
        row = [*household(project, 1), "已腾退", None]
        result = imported(project, workbook(Sheet("住户", [header, row], merged=["L1:M1"])))
        assert Household.objects.get().note == "已腾退"
        assert result.notes == []

    def test_a_two_row_header_is_read(self, project):
        top = ["协议编号", "村", "户主信息", None, "安置人口", "面积（㎡）", None]
        bottom = [None, None, "姓名", "身份证号", None, "被征收面积", "应安置面积"]
        values = household(project, 1)
        row = [values[0], values[1], "李秀英", values[3], 3, 120, 150]
        content = workbook(
            Sheet(
                "花名册",
                [["青龙寺组团回迁户花名册"], top, bottom, row],
                merged=["A1:G1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:G2"],
            )
        )
        imported(project, content)
        stored = Household.objects.get()
        assert (stored.head_name, stored.original_area, stored.entitled_area) == (
            "李秀英",
            Decimal("120.00"),
            Decimal("150.00"),
        )

    def test_the_register_need_not_be_the_first_sheet(self, project):
        content = workbook(
            Sheet("填报说明", [["本表由街道办填写"], ["注：面积单位为平方米"]]),
            Sheet("回迁户花名册", [HOUSEHOLD_HEADER, household(project, 1)]),
        )
        result = imported(project, content)
        assert Household.objects.count() == 1
        assert result.notes == ["工作表“填报说明”不是名册，未导入。"]


MEMBERS = ("协议编号", "姓名", "与户主关系", "身份证号", "是否认定安置人口")


class TestMemberSheets:
    def test_a_members_sheet_under_another_name_is_used(self, project):
        members = [("QLS-0001", "李娟", "妻子", synthetic_id_number(male=False), "是")]
        content = workbook(
            Sheet("住户", [HOUSEHOLD_HEADER, household(project, 1, recognised_persons=2)]),
            Sheet("家庭成员名单", [["家庭成员名单"], MEMBERS, *members]),
        )
        imported(project, content)
        assert list(Household.objects.get().members.values_list("name", flat=True)) == ["李娟"]

    def test_a_sheet_named_like_members_whose_header_is_not_found_is_named(self, project):
        content = workbook(
            Sheet("住户", [HOUSEHOLD_HEADER, household(project, 1)]),
            Sheet("成员信息表", [["户号", "人员", "身份"], ["QLS-0001", "李娟", "妻"]]),
        )
        result = run_import(project, content)
        [message] = [error.message for error in result.errors]
        assert message.startswith(
            "工作表“成员信息表”看起来是家庭成员表，但在前 30 行中找不到它的表头"
        )
        assert not Household.objects.exists()


class TestRows:
    def test_hidden_rows_are_refused_not_imported_unseen(self, project):
        rows = [
            HOUSEHOLD_HEADER,
            household(project, 1),
            household(project, 2),
            household(project, 3),
        ]
        result = run_import(project, workbook(Sheet("住户", rows, hidden_rows=[3])))
        assert [(error.row, error.message[:9]) for error in result.errors] == [
            (3, "此行在文件中是隐藏")
        ]
        assert not Household.objects.exists()

    def test_a_hidden_sheet_holding_a_register_is_refused(self, project):
        content = workbook(
            Sheet("住户", [HOUSEHOLD_HEADER, household(project, 1)]),
            Sheet("旧名单", [HOUSEHOLD_HEADER, household(project, 2)], hidden=True),
        )
        result = run_import(project, content)
        assert [error.message for error in result.errors] == [
            "工作表“旧名单”是隐藏的，但其中有住户花名册。隐藏的工作表不会被悄悄导入："
            "请取消隐藏（或删除该表）后重新上传。"
        ]

    def test_values_merged_down_a_column_belong_to_every_row(self, project):
        rows = [HOUSEHOLD_HEADER, *(household(project, n, village=None) for n in (1, 2, 3))]
        rows[1][1] = village(project)
        imported(project, workbook(Sheet("住户", rows, merged=["B2:B4"])))
        assert Household.objects.filter(village__name=village(project)).count() == 3

    def test_totals_and_the_signature_footer_are_skipped_with_a_note(self, project):
        rows = [
            ["青龙寺组团回迁户花名册"],
            HOUSEHOLD_HEADER,
            household(project, 1),
            household(project, 2),
            ["合　计", None, None, None, None, 6, 361.0, 400],
            None,
            ["制表人：王芳", None, "审核人：", None, "填表日期：2024年5月6日"],
            ["注：面积单位为平方米。"],
        ]
        result = imported(project, workbook(Sheet("住户", rows, merged=["A1:K1"])))
        assert Household.objects.count() == 2
        assert result.notes == [
            "“住户”表第 5 行是合计行，已跳过。",
            "“住户”表第 7 行是表尾签字栏（制表人、审核人、填表日期等），已跳过。",
            "“住户”表第 8 行是说明文字（注：……），已跳过。",
        ]

    def test_a_formula_without_a_saved_value_is_named_by_its_cell(self, project):
        row = household(project, 1, entitled_area="=G2*1.2")
        result = run_import(project, workbook(Sheet("住户", [HOUSEHOLD_HEADER, row])))
        [error] = result.errors
        assert (error.row, error.column) == (2, "H")
        assert error.message.startswith("单元格 H2 是公式，但文件中没有保存它的计算结果")
        assert not Household.objects.exists()

    def test_a_cell_holding_an_error_value_is_named(self, project):
        rows = HOUSEHOLD_HEADER, household(project, 1)
        sheet = inline_row(1, HOUSEHOLD_HEADER) + inline_row(2, rows[1]).replace(
            '<c r="H2" t="inlineStr"><is><t>200</t></is></c>',
            '<c r="H2" t="e"><f>G2/0</f><v>#DIV/0!</v></c>',
        )
        result = run_import(project, raw_register(sheet_xml(sheet)))
        [error] = result.errors
        assert (error.row, error.column) == (2, "H")
        assert "单元格 H2 的值是错误值 #DIV/0!" in error.message


FAMILY_HEADER = (
    "序号",
    "协议编号",
    "村",
    "姓名",
    "与户主关系",
    "身份证号",
    "安置人口",
    "被征收面积",
    "签约日期",
    "老人户",
)


class TestOneSheetFamilyRegister:
    """Each member a row under the head (与户主关系 户主), 协议编号 and 村 merged down the family."""

    def family_rows(self, project):
        name = village(project)
        return [
            ["青龙寺组团回迁户花名册"],
            FAMILY_HEADER,
            [
                1,
                "QLS-0001",
                name,
                "张建国",
                "户主",
                synthetic_id_number(),
                3,
                180.5,
                "2020-05-01",
                "是",
            ],
            [
                2,
                None,
                None,
                "李秀英",
                "妻子",
                synthetic_id_number(male=False),
                None,
                None,
                None,
                None,
            ],
            [3, None, None, "张小明", "儿子", "", None, None, None, None],
            [4, "QLS-0002", name, "王伟", "户主", synthetic_id_number(), 1, 90, "2020-06-01", "否"],
            ["合计", None, None, None, None, None, 4, 270.5],
        ]

    def test_families_are_imported_as_households_with_their_members(self, project):
        merged = ["A1:J1", "B3:B5", "C3:C5", "G3:G5", "H3:H5", "I3:I5", "J3:J5"]
        result = imported(project, workbook(Sheet("花名册", self.family_rows(project), merged)))
        assert result.created == 2
        head = Household.objects.get(agreement_no="QLS-0001")
        assert (head.head_name, head.recognised_persons, head.elderly) == ("张建国", 3, True)
        assert list(head.members.values_list("name", "relation")) == [
            ("李秀英", "spouse"),
            ("张小明", "child"),
        ]
        assert Household.objects.get(agreement_no="QLS-0002").members.count() == 0
        assert result.notes == ["“花名册”表第 7 行是合计行，已跳过。"]

    def test_a_family_without_its_head_row_is_named(self, project):
        rows = self.family_rows(project)
        rows[2][4] = "本人之父"
        merged = ["B3:B5", "C3:C5", "G3:G5", "H3:H5", "I3:I5", "J3:J5"]
        result = run_import(project, workbook(Sheet("花名册", rows, merged)))
        assert [(error.row, error.column) for error in result.errors] == [(3, "E")]
        assert "协议 QLS-0001 这一户没有户主行" in result.errors[0].message
        assert not Household.objects.exists()

    def test_a_members_error_points_at_its_own_row(self, project):
        rows = self.family_rows(project)
        rows[3][5] = "6.10116E+17"
        merged = ["B3:B5", "C3:C5", "G3:G5", "H3:H5", "I3:I5", "J3:J5"]
        result = run_import(project, workbook(Sheet("花名册", rows, merged)))
        assert [(error.row, error.column) for error in result.errors] == [(4, "F")]
        assert "科学计数法" in result.errors[0].message
