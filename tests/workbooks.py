"""Building .xlsx registers the way staff spreadsheets look, for import tests."""

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

HOUSEHOLD_HEADER = (
    "协议编号",
    "村",
    "户主姓名",
    "户主身份证号",
    "联系电话",
    "安置人口",
    "被征收面积",
    "应安置面积",
    "补偿方式",
    "签约日期",
    "老人户",
)
MEMBER_HEADER = ("协议编号", "姓名", "与户主关系", "身份证号", "是否认定安置人口")
FLAT_HEADER = ("楼栋", "单元", "楼层", "房号", "户型", "建筑面积")


def household_row(project, number: int, **overrides) -> list:
    """One valid row under HOUSEHOLD_HEADER for the project's first village, with overrides."""
    from tests.factories import synthetic_id_number

    values = {
        "agreement_no": f"QLS-{number:04d}",
        "village": project.villages.order_by("code").first().name,
        "head_name": "张建国",
        "head_id_number": synthetic_id_number(),
        "phone": "13000000001",
        "recognised_persons": 3,
        "original_area": 180.5,
        "entitled_area": 200,
        "compensation_mode": "产权调换",
        "signed_on": "2020-05-01",
        "elderly": "否",
    }
    return list({**values, **overrides}.values())


def register(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
    blank_rows_before_header: int = 0,
    extra_sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[object]]]] | None = None,
) -> bytes:
    """A workbook whose first sheet has an optional merged title row and blank rows above the
    header; `None` in `rows` becomes a blank row between records."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住户"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for _ in range(blank_rows_before_header):
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append([] if row is None else list(row))
    for name, (extra_header, extra_rows) in (extra_sheets or {}).items():
        extra = workbook.create_sheet(name)
        extra.append(list(extra_header))
        for row in extra_rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_part(content: bytes, name: str, data: bytes) -> bytes:
    """The workbook `content` with its part `name` replaced by (or added as) `data`, as a
    hostile or broken file would have it."""
    return with_parts(content, {name: data})


def with_parts(content: bytes, parts: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = parts[info.filename] if info.filename in parts else source.read(info)
            target.writestr(info.filename, data)
        for name, data in parts.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return buffer.getvalue()


def inline_row(number: int, values: Sequence[object], *, first_column: int = 1) -> str:
    """One <row> of inline-string cells, as the sheet XML holds it."""
    cells = "".join(
        f'<c r="{get_column_letter(first_column + index)}{number}" t="inlineStr">'
        f"<is><t>{escape(str(value))}</t></is></c>"
        for index, value in enumerate(values)
        if value is not None
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: str, *, dimension: str | None = None, prolog: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}">{declared}<sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def raw_register(sheet: bytes) -> bytes:
    """A one-sheet workbook whose sheet part is exactly `sheet`."""
    return with_part(register(["x"], []), SHEET_PART, sheet)


def upload_register(client, project, content: bytes, *, capture, kind: str = "households", **extra):
    """POST a register on the imports page as a browser does, run the import task that the
    upload queues (`capture` is pytest-django's django_capture_on_commit_callbacks), and
    follow the redirect to the import's page."""
    data = {"kind": kind, f"{kind}-file": SimpleUploadedFile("花名册.xlsx", content), **extra}
    with capture(execute=True):
        response = client.post(reverse("imports:page", args=[project.code]), data)
    if response.status_code == 302:
        response = client.get(response["Location"])
    return response


@dataclass
class Sheet:
    """A sheet as staff lay it out: rows from row 1 (`None` for a blank row), merged ranges
    ("B2:B4"), hidden row numbers, hidden or not."""

    title: str
    rows: Sequence[Sequence[object] | None]
    merged: Sequence[str] = ()
    hidden_rows: Sequence[int] = ()
    hidden: bool = False


def workbook(*sheets: Sheet) -> bytes:
    """An .xlsx of these sheets, in this order, as Excel or WPS would save it (except that a
    formula, a text starting with "=", is saved without its value, as programs write them)."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.title)
        for row in spec.rows:
            sheet.append([] if row is None else list(row))
        for cells in spec.merged:
            sheet.merge_cells(cells)
        for number in spec.hidden_rows:
            sheet.row_dimensions[number].hidden = True
        if spec.hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
