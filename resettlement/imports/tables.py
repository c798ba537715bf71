"""A register's rows under its header, as the sheet means them.

Below the header, a sheet holds more than records: values merged down a column (a village, an
agreement number over a family's rows), which every row they span carries; a 合计 row and the
signature footer (制表人、审核人、填表日期), skipped with a note; rows hidden from view, formulas
whose result was never saved and cells holding an error value, each refused with its place
rather than imported as something else or not at all.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from resettlement.imports.errors import CellError
from resettlement.imports.headers import Column, Header
from resettlement.imports.scans import ERROR_TOO_MANY_ROWS, WorkbookError
from resettlement.imports.workbook import Grid
from resettlement.input_values import is_blank

ERROR_HIDDEN_ROW = _(
    "This row is hidden in the file. Hidden rows are neither imported nor skipped unseen: unhide "
    "them, delete the rows that should not be imported, and upload the file again."
)
ERROR_UNSAVED_FORMULA = _(
    "Cell %(cell)s holds a formula whose result was never saved in the file (it was written by a "
    "program, not saved by Excel or WPS). Open the file in Excel or WPS and save it, or replace "
    "the formula with its value."
)
ERROR_FORMULA_ERROR = _(
    "Cell %(cell)s holds the error value %(error)s (its formula failed); correct the formula or "
    "type the value."
)
NOTE_TOTALS = _("Sheet “%(sheet)s”: rows %(rows)s are totals (合计) and were skipped.")
NOTE_SIGNATURES = _(
    "Sheet “%(sheet)s”: rows %(rows)s are the form's footer (制表人, 审核人, 填表日期…) and were "
    "skipped."
)
NOTE_REMARKS = _("Sheet “%(sheet)s”: rows %(rows)s are notes (注：…) and were skipped.")

_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计|总合计)")
_SIGNATURE = re.compile(
    r"^(制表|审核|审批|复核|填表|填报|负责人|经办人|统计人|主管领导|分管领导|单位盖章|盖章|\(盖章\))"
)
_REMARK = re.compile(r"^(注|备注|说明|附注)\d*[:：]")
_ERROR_VALUE = re.compile(r"^#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA)$|^Err:\d{3}$")
FOOTER_NOTES = {"total": NOTE_TOTALS, "signature": NOTE_SIGNATURES, "remark": NOTE_REMARKS}


@dataclass
class SheetRow:
    number: int
    values: dict[str, object]
    raw: tuple


@dataclass
class Sheet:
    title: str
    header_row: int
    header: tuple
    letters: dict[str, str]  # column key -> letter
    rows: list[SheetRow] = field(default_factory=list)


@dataclass
class Table:
    """A sheet read as a register: its rows (all of them, for the error workbook), the rows
    refused before any value is checked, and the notes on what was skipped."""

    sheet: Sheet
    refused: set[int] = field(default_factory=set)
    errors: list[CellError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[SheetRow]:
        return [row for row in self.sheet.rows if row.number not in self.refused]


def read_table(
    grid: Grid, header: Header, columns: tuple[Column, ...], *, key: str, secondary: bool = False
) -> Table:
    """The rows below `header`; `key` is the column a record cannot do without (an agreement
    number), by which totals and footers are told from records."""
    width = len(header.labels)
    data = [(number, list(values)) for number, values in grid.rows if number > header.row]
    _fill_down(data, grid.scan.merged, header.row)
    sheet = Sheet(grid.title, header.row, header.labels, header.letters())
    table = Table(sheet)
    skipped: dict[str, list[int]] = {}
    headers = {column.key: column.header for column in columns}
    limit = settings.IMPORT_MAX_ROWS
    for number, values in data:
        raw = tuple(values[:width]) + (None,) * max(0, width - len(values))
        if all(is_blank(value) for value in raw):
            continue
        footer = _footer(raw, header.positions.get(key))
        if footer:
            skipped.setdefault(footer, []).append(number)
            continue
        row = SheetRow(number, {k: raw[i] for k, i in header.positions.items()}, raw)
        sheet.rows.append(row)
        if len(sheet.rows) > limit:
            raise WorkbookError([str(ERROR_TOO_MANY_ROWS % {"sheet": grid.title, "limit": limit})])
        problems = _problems(row, grid, header, headers)
        if problems:
            place = grid.title if secondary else None
            table.errors += [CellError(**problem, sheet=place) for problem in problems]
            table.refused.add(number)
    for kind, numbers in skipped.items():
        shown = "、".join(str(number) for number in numbers)
        table.notes.append(str(FOOTER_NOTES[kind] % {"sheet": grid.title, "rows": shown}))
    return table


def _fill_down(data: list[tuple[int, list]], merged, header_row: int) -> None:
    """Give each row a value merged down its column, as the sheet shows it."""
    by_number = dict(data)
    for top, left, bottom, _right in merged:
        if bottom <= top or top <= header_row or top not in by_number:
            continue
        source = by_number[top]
        value = source[left - 1] if left - 1 < len(source) else None
        if value is None:
            continue
        for number in range(top + 1, bottom + 1):
            values = by_number.get(number)
            if values is None:
                continue
            values.extend([None] * (left - len(values)))
            if values[left - 1] is None:
                values[left - 1] = value


def _text(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _kind(text: str) -> str | None:
    if _TOTAL.match(text):
        return "total"
    if _SIGNATURE.match(text):
        return "signature"
    if _REMARK.match(text):
        return "remark"
    return None


def _footer(raw: tuple, key_index: int | None) -> str | None:
    """ "total", "signature" or "remark" for a row that is no record: it has no key (or the key
    cell holds the footer's own label) and one of its cells reads like a footer."""
    key = raw[key_index] if key_index is not None else None
    if not is_blank(key):
        return _kind(_text(key)) if isinstance(key, str) else None
    for value in raw:
        if isinstance(value, str) and value.strip():
            kind = _kind(_text(value))
            if kind:
                return kind
    return None


def _problems(row: SheetRow, grid: Grid, header: Header, headers: dict[str, str]) -> list[dict]:
    scan = grid.scan
    if scan.is_hidden(row.number):
        return [{"message": str(ERROR_HIDDEN_ROW), "row": row.number}]
    problems = []
    for key, index in header.positions.items():
        letter = get_column_letter(index + 1)
        cell = f"{letter}{row.number}"
        place = {"row": row.number, "column": letter, "header": headers.get(key)}
        value = row.raw[index]
        error = scan.errors.get((row.number, index + 1))
        if error is None and isinstance(value, str) and _ERROR_VALUE.match(value.strip()):
            error = value.strip()
        if error:
            problems.append(
                {"message": str(ERROR_FORMULA_ERROR % {"cell": cell, "error": error}), **place}
            )
        elif (row.number, index + 1) in scan.unsaved_formulas and is_blank(value):
            problems.append({"message": str(ERROR_UNSAVED_FORMULA % {"cell": cell}), **place})
    return problems
