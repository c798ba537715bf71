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
from resettlement.households.validation import HouseholdData
from resettlement.imports.registers import flats_import, households_import
from tests.factories import make_building, make_project, synthetic_id_number
from tests.workbooks import (
    FLAT_HEADER,
    HOUSEHOLD_HEADER,
    household_row,
    register,
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
        data = HouseholdData(
            agreement_no="qls-t-0097",
            village=project.villages.first(),
            head_name="王平",
            head_id_number=synthetic_id_number(),
            phone="",
            recognised_persons=1,
            original_area=Decimal(100),
            entitled_area=Decimal(100),
            compensation_mode="property_swap",
            signed_on=None,
            elderly=False,
            disabled=False,
            hardship=False,
            note="",
        )
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
