import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from resettlement.housing.lifecycle import flat_transition
from resettlement.housing.models import Flat, FlatStatus
from resettlement.housing.services import FlatPosition, flats_generate
from resettlement.imports.registers import flats_import
from tests.factories import make_building, make_project
from tests.workbooks import FLAT_HEADER, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def building():
    project = make_project("QLS")
    return make_building(project, "3#", floors=18, stairwells=2)


def run_import(project, rows):
    return flats_import(
        project=project, file=io.BytesIO(register(FLAT_HEADER, rows)), filename="房源表.xlsx"
    )


def test_flat_register_imports_with_codes_built_from_building_stairwell_and_room(building):
    rows = [("3#", 2, 15, "1502", "B", 96.35), ("3号楼", 1, 1, "1", "A", "78.40㎡")]
    result = run_import(building.project, rows)
    assert result.ok, [str(e) for e in result.errors]
    flats = {flat.code: flat for flat in Flat.objects.all()}
    assert set(flats) == {"3-2-1502", "3-1-101"}
    assert flats["3-1-101"].gross_area == Decimal("78.40")
    assert flats["3-2-1502"].status == FlatStatus.AVAILABLE


@pytest.mark.parametrize(
    ("bad", "column", "expected"),
    [
        (("9#", 1, 2, "201", "A", 80), "A", "楼栋 9# 未在本项目登记"),
        (("3#", 3, 2, "201", "A", 80), "B", "只有 1 至 2 单元"),
        (("3#", 1, 19, "1901", "A", 80), "C", "只有 1 至 18 层"),
        (("3#", 1, 2, "301", "A", 80), "D", "房号 301 与楼层 2 不符"),
        (("3#", 1, 2, "二零一", "A", 80), "D", "房号应为数字"),
        (("3#", 1, 2, "201", "A", 0), "F", "面积须为正数"),
        (("3#", 1, 2, "201", "", 80), "E", "此项必填"),
        (("3#", 1, 1, "101", "A", 80), "D", "房源 3-1-101 重复出现"),
    ],
)
def test_each_bad_flat_row_is_reported_and_nothing_written(building, bad, column, expected):
    result = run_import(building.project, [("3#", 1, 1, "101", "A", 80), bad])
    assert not result.ok
    places = {(error.row, error.column) for error in result.errors}
    assert (3, column) in places
    assert any(expected in error.message for error in result.errors), [
        str(e) for e in result.errors
    ]
    assert not Flat.objects.exists()


def test_flat_already_registered_is_refused(building):
    assert run_import(building.project, [("3#", 1, 1, "101", "A", 80)]).ok
    result = run_import(building.project, [("3#", 1, 1, "101", "A", 80)])
    assert [error.message for error in result.errors] == ["房源 3-1-101 已登记。"]


def test_flat_import_command_exits_non_zero_on_errors(building, tmp_path, capsys):
    path = tmp_path / "房源表.xlsx"
    path.write_bytes(register(FLAT_HEADER, [("3#", 1, 1, "101", "A", -1)]))
    with pytest.raises(CommandError):
        call_command("import_flats", "QLS", str(path))
    assert "第2行，F列（建筑面积）：面积须为正数。" in capsys.readouterr().err


def test_generation_fills_every_stairwell_floor_and_position(building):
    positions = [FlatPosition(1, "B", Decimal("96.35")), FlatPosition(2, "A", Decimal("78.40"))]
    flats = flats_generate(building=building, positions=positions, first_floor=2)
    assert len(flats) == 2 * 17 * 2
    codes = set(Flat.objects.values_list("code", flat=True))
    assert {"3-1-201", "3-2-1802", "3-1-1801"} <= codes
    assert "3-1-101" not in codes


def test_generation_is_refused_whole_when_a_flat_exists(building):
    flats_generate(
        building=building,
        positions=[FlatPosition(1, "A", Decimal(80))],
        first_floor=5,
        last_floor=5,
    )
    with pytest.raises(ValidationError, match="3-1-501"):
        flats_generate(building=building, positions=[FlatPosition(1, "A", Decimal(80))])
    assert Flat.objects.count() == 2


def test_generation_page_creates_flats_for_a_project_team(building, login, personas):
    personas["team"].projects.add(building.project)
    data = {
        "first_floor": 1,
        "last_floor": 3,
        "positions-TOTAL_FORMS": 2,
        "positions-INITIAL_FORMS": 0,
        "positions-MIN_NUM_FORMS": 1,
        "positions-MAX_NUM_FORMS": 1000,
        "positions-0-position": 1,
        "positions-0-layout": "A",
        "positions-0-gross_area": "80.5",
        "positions-1-position": "",
        "positions-1-layout": "",
        "positions-1-gross_area": "",
    }
    response = login("team").post(
        reverse("housing:building-generate-flats", args=[building.pk]), data
    )
    assert response.status_code == 302
    assert Flat.objects.filter(building=building).count() == 2 * 3


def test_flat_status_follows_its_state_machine(building):
    flat = flats_generate(
        building=building, positions=[FlatPosition(1, "A", Decimal(80))], last_floor=1
    )[0]
    flat_transition(flat=flat, target=FlatStatus.RESERVED)
    flat_transition(flat=flat, target=FlatStatus.SELECTED)
    with pytest.raises(ValidationError, match="不能从“已选”变为“锁定中”"):
        flat_transition(flat=flat, target=FlatStatus.RESERVED)
    flat_transition(flat=flat, target=FlatStatus.HANDED_OVER)
    flat.refresh_from_db()
    assert flat.status == FlatStatus.HANDED_OVER
    assert flat.history.count() == 4
