"""Workbooks the import hands back: blank templates and error workbooks.

Every value that comes from users (the uploaded cells, project, village and building names) is
written through `resettlement.spreadsheets`, so none of it can become a formula.
"""

import io
from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from resettlement.imports.errors import CellError
from resettlement.imports.headers import Column
from resettlement.imports.tables import Sheet
from resettlement.spreadsheets import append_row, write_cell

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
DATA_ROWS = 5000  # rows the template's drop-downs and text formats cover
CHOICES_SHEET = "选项"  # hidden sheet holding the drop-downs' values


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(
    sheets: Sequence[tuple[str, Sequence[Column]]],
    *,
    title: str,
    choices: dict[str, Sequence[str]] | None = None,
) -> bytes:
    """A blank register: a title row, Chinese headers (required ones in red, with notes),
    drop-downs where a column has fixed values, ID and phone columns formatted as text, and a
    sheet explaining every column."""
    choices = choices or {}
    workbook = Workbook()
    workbook.remove(_first_sheet(workbook))
    lists = _Choices()
    for sheet_title, columns in sheets:
        sheet = workbook.create_sheet(sheet_title)
        heading = title if sheet_title == sheets[0][0] else sheet_title
        write_cell(sheet, row=1, column=1, value=heading).font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=2, column=index, value=column.header)
            cell.fill = HEADER_FILL
            cell.font = REQUIRED_FONT if column.required else HEADER_FONT
            cell.alignment = Alignment(horizontal="center")
            if column.help:
                cell.comment = Comment(column.help, "回迁安置管理系统")
            sheet.column_dimensions[letter].width = column.width
            if column.text:
                for row in range(3, DATA_ROWS + 3):
                    sheet.cell(row=row, column=index).number_format = "@"
            values = choices.get(column.key) or column.choices
            if values:
                lists.drop_down(sheet, f"{letter}3:{letter}{DATA_ROWS + 2}", values)
        sheet.freeze_panes = "A3"
    _instructions(workbook, sheets)
    lists.write(workbook)
    return _to_bytes(workbook)


class _Choices:
    """Drop-down lists whose values sit as text cells in a hidden last sheet, one column each.

    An inline list ("a,b,c" in the validation's formula) breaks on a comma or quote in a
    village or building name, or turns it into a formula; a range of text cells does not, and
    has no 255-character limit."""

    def __init__(self):
        self.lists: list[Sequence[str]] = []

    def drop_down(self, target, cells: str, values: Sequence[str]) -> None:
        self.lists.append(values)
        letter = get_column_letter(len(self.lists))
        source = f"'{CHOICES_SHEET}'!${letter}$1:${letter}${len(values)}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.error = "请从下拉列表中选择"
        validation.errorTitle = "取值无效"
        validation.add(cells)
        target.add_data_validation(validation)

    def write(self, workbook: Workbook) -> None:
        if not self.lists:
            return
        sheet = workbook.create_sheet(CHOICES_SHEET)
        sheet.sheet_state = "hidden"
        for column, values in enumerate(self.lists, start=1):
            for row, value in enumerate(values, start=1):
                write_cell(sheet, row=row, column=column, value=value)


def _instructions(workbook: Workbook, sheets) -> None:
    sheet = workbook.create_sheet("填写说明")
    sheet.append(["工作表", "列名", "必填", "说明", "示例"])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet_title, columns in sheets:
        for column in columns:
            append_row(
                sheet,
                [
                    sheet_title,
                    column.header,
                    "是" if column.required else "",
                    column.help,
                    column.example,
                ],
            )
    sheet.append([])
    sheet.append(
        ["", "第1行为标题，第2行为表头；表头上方的标题行、空行和记录之间的空行都会被忽略。"]
    )
    sheet.append(["", "任何一行有错误时，整个文件都不会导入；系统会给出每个错误的行号和列名。"])
    for letter, width in zip("ABCDE", (12, 18, 6, 70, 18), strict=True):
        sheet.column_dimensions[letter].width = width


def _first_sheet(workbook: Workbook) -> Worksheet:
    """The sheet a new workbook comes with."""
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return sheet


def error_workbook(sheets: Sequence[Sheet], errors: Sequence[CellError]) -> bytes:
    """The uploaded rows with an error column beside them and each bad cell shaded, plus a
    summary sheet listing every error with its place."""
    workbook = Workbook()
    summary = _first_sheet(workbook)
    summary.title = _("Errors")[:31]
    summary.append([_("Sheet"), _("Row"), _("Column"), _("Error")])
    for cell in summary[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for error in errors:
        append_row(
            summary,
            [
                error.sheet or sheets[0].title,
                error.row,
                error.column or error.header or "",
                error.message,
            ],
        )
    for letter, width in zip("ABCD", (14, 8, 18, 90), strict=True):
        summary.column_dimensions[letter].width = width

    by_sheet: dict[str, dict[int, list[CellError]]] = defaultdict(lambda: defaultdict(list))
    for error in errors:
        if error.row is not None:
            by_sheet[error.sheet or sheets[0].title][error.row].append(error)
    for sheet in sheets:
        _annotated_sheet(workbook, sheet, by_sheet[sheet.title])
    return _to_bytes(workbook)


def _annotated_sheet(workbook: Workbook, sheet: Sheet, errors: dict[int, list[CellError]]) -> None:
    """The sheet's header and rows at their original row numbers, so "row 57" in a message is
    row 57 here too; an extra last column spells out each row's errors."""
    target = workbook.create_sheet(sheet.title[:31])
    write_cell(target, row=1, column=1, value=_("Rows keep their numbers from the uploaded file."))
    error_column = len(sheet.header) + 1
    for index, value in enumerate([*sheet.header, _("Errors")], start=1):
        cell = write_cell(target, row=sheet.header_row, column=index, value=value)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in sheet.rows:
        for index, value in enumerate(row.raw, start=1):
            if value is not None:
                write_cell(target, row=row.number, column=index, value=value)
        row_errors = errors.get(row.number, [])
        if not row_errors:
            continue
        text = "；".join(f"{e.header}：{e.message}" if e.header else e.message for e in row_errors)
        cell = write_cell(target, row=row.number, column=error_column, value=text)
        cell.font = Font(color="C00000")
        for error in row_errors:
            if error.column:
                target[f"{error.column}{row.number}"].fill = ERROR_FILL
    target.column_dimensions[get_column_letter(error_column)].width = 80
    target.freeze_panes = target.cell(row=sheet.header_row + 1, column=1)
