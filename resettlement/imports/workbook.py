"""Reading registers out of the .xlsx files staff keep.

Staff spreadsheets carry merged title rows ("青龙寺组团回迁户花名册") and blank rows above the
header, notes in header cells ("应安置面积（㎡）", "*协议编号") and blank rows between records.
`read_sheet` finds the header row by its labels, maps columns by header name in any order, and
yields each non-blank row with its spreadsheet row number for error messages.
"""

import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

ERROR_NOT_XLSX = _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
ERROR_NO_HEADER = _(
    "Sheet “%(sheet)s”: no header row found in the first %(rows)s rows "
    "(expected columns such as %(columns)s)."
)
ERROR_MISSING_COLUMNS = _("Sheet “%(sheet)s”: required columns are missing: %(columns)s.")
ERROR_EMPTY = _("Sheet “%(sheet)s” has no data rows under the header.")

HEADER_SEARCH_ROWS = 30
_NOTE = re.compile(r"[（(\[【].*?[）)\]】]")


@dataclass(frozen=True)
class Column:
    """One column of a register: its key in the record, its Chinese header and spellings."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    width: int = 14
    text: bool = False  # keep as text in the template (ID and phone numbers)
    choices: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalize_header(name) for name in (self.header, *self.aliases)}


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


class WorkbookError(Exception):
    """A problem with the file as a whole (not a row): wrong format, missing header..."""

    def __init__(self, messages: Sequence[str]):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*:：]", "", _NOTE.sub("", text))


def open_workbook(file) -> Workbook:
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise WorkbookError([str(ERROR_NOT_XLSX)]) from None


def read_sheet(worksheet, columns: Sequence[Column]) -> Sheet:
    rows = worksheet.iter_rows(min_row=1, values_only=True)
    header_row, header = _find_header(worksheet.title, rows, columns)
    positions: dict[str, int] = {}
    by_name = {name: column for column in columns for name in column.names()}
    for index, value in enumerate(header):
        column = by_name.get(normalize_header(value))
        if column is not None and column.key not in positions:
            positions[column.key] = index
    missing = [
        column.header for column in columns if column.required and column.key not in positions
    ]
    if missing:
        message = ERROR_MISSING_COLUMNS % {"sheet": worksheet.title, "columns": "、".join(missing)}
        raise WorkbookError([str(message)])
    sheet = Sheet(
        title=worksheet.title,
        header_row=header_row,
        header=header,
        letters={key: get_column_letter(index + 1) for key, index in positions.items()},
    )
    for number, raw in enumerate(rows, start=header_row + 1):
        if all(_blank(value) for value in raw):
            continue
        values = {
            key: (raw[index] if index < len(raw) else None) for key, index in positions.items()
        }
        sheet.rows.append(SheetRow(number=number, values=values, raw=tuple(raw)))
    return sheet


def _find_header(title: str, rows: Iterator[tuple], columns: Sequence[Column]) -> tuple[int, tuple]:
    required = [column for column in columns if column.required]
    for number, raw in enumerate(rows, start=1):
        names = {normalize_header(value) for value in raw if not _blank(value)}
        found = sum(1 for column in required if column.names() & names)
        if found and found * 2 >= len(required):
            return number, tuple(raw)
        if number >= HEADER_SEARCH_ROWS:
            break
    expected = "、".join(column.header for column in required[:4])
    message = ERROR_NO_HEADER % {"sheet": title, "rows": HEADER_SEARCH_ROWS, "columns": expected}
    raise WorkbookError([str(message)])


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
