"""Building .xlsx registers the way staff spreadsheets look, for import tests."""

import io
from collections.abc import Sequence

from openpyxl import Workbook

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
