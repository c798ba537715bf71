"""Writing spreadsheets that are safe to open: text from users never becomes a formula.

Excel, WPS and LibreOffice run a cell whose text starts with = + - or @ (a tab or carriage
return in front works the same once the cell is edited): `=HYPERLINK("http://…?d="&D3,"点击查看")`
in a name sends the ID number beside it to another site when clicked, and `=cmd|' /C calc'!A0`
starts a program through DDE. openpyxl itself turns any text starting with "=" into a formula.

Every cell the product writes from stored or uploaded data goes through `cell_value` (or
`write_cell` / `append_row`, which use it): text is written as a text cell, prefixed with an
apostrophe when it starts with a formula trigger (the OWASP advice); numbers, dates and booleans
stay what they are, since they cannot be formulas. Use these for every workbook the product
writes (error workbooks, templates, exports).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# Half-width and full-width: spreadsheet programs in Chinese locales accept both.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
TEXT_PREFIX = "'"
MAX_CELL_TEXT = 32_767  # Excel refuses to open a workbook with a longer cell
_NOT_TEXT = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


def cell_value(value: object) -> object:
    """`value` as it may be written to a cell: None, a number, a date or a boolean unchanged,
    anything else as neutralised text."""
    if value is None or isinstance(value, _NOT_TEXT):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        text = TEXT_PREFIX + text
    return text[:MAX_CELL_TEXT]


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
        # openpyxl types "#N/A"-like text as an error cell; it is only text here.
        cell.data_type = "s"
