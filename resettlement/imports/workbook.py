"""Reading registers out of the .xlsx files staff keep.

Staff spreadsheets carry merged title rows ("青龙寺组团回迁户花名册") and blank rows above the
header, notes in header cells ("应安置面积（㎡）", "*协议编号") and blank rows between records.
`read_sheet` finds the header row by its labels, maps columns by header name in any order, and
yields each non-blank row with its spreadsheet row number for error messages.
"""

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from resettlement.imports.package import (
    ERROR_DAMAGED,
    ERROR_NOT_XLSX,
    PackageRefused,
    package_check,
)

ERROR_NO_HEADER = _(
    "Sheet “%(sheet)s”: no header row found in the first %(rows)s rows "
    "(expected columns such as %(columns)s)."
)
ERROR_MISSING_COLUMNS = _("Sheet “%(sheet)s”: required columns are missing: %(columns)s.")
ERROR_EMPTY = _("Sheet “%(sheet)s” has no data rows under the header.")
ERROR_TOO_MANY_ROWS = _(
    "Sheet “%(sheet)s” has more than %(limit)s rows: at most %(limit)s rows per sheet can be "
    "imported at a time. Split the register into several files and import them one by one."
)
ERROR_TOO_MANY_BLANK_ROWS = _(
    "Sheet “%(sheet)s” holds more than %(count)s rows, most of them blank or only formatted. "
    "Delete the empty rows below the data (or copy the data into a new workbook) and try again."
)

HEADER_SEARCH_ROWS = 30
MAX_COLUMNS = 256  # cells further right are not read (a register has a dozen columns)
MAX_ROW = 1_048_576  # Excel's last row
PROGRESS_EVERY = 1000  # rows between two progress reports
# What a hostile file can make the XML reader raise besides ParseError: a bad row or cell
# reference, a shared-string index out of range, a CRC error in a part whose size was a lie.
READ_ERRORS = (
    ParseError,
    ExpatError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    CellCoordinatesException,
)

RowProgress = Callable[[int], None]
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
    """The workbook, read-only, once its package has passed `package_check`. Close it after
    use (it keeps the zip open)."""
    try:
        package_check(file)
    except PackageRefused as refusal:
        raise WorkbookError([refusal.message]) from None
    try:
        reader = _RegisterReader(file, read_only=True, data_only=True, keep_links=False)
        reader.read()
        workbook = reader.wb
    except (InvalidFileException, zipfile.BadZipFile):
        raise WorkbookError([str(ERROR_NOT_XLSX)]) from None
    except (*READ_ERRORS, OSError) as error:
        raise WorkbookError([str(ERROR_DAMAGED % {"detail": error})]) from None
    if not workbook.worksheets:
        workbook.close()
        raise WorkbookError([str(ERROR_NOT_XLSX)])
    return workbook


class _StreamedSheet(ReadOnlyWorksheet):
    """A read-only worksheet that never sizes itself. openpyxl reads a sheet's <dimension> when
    it opens the workbook, and parses the whole sheet for it when the element is missing (an
    end event is all its parser waits for); rows are streamed here, so no size is needed."""

    def _get_size(self):
        pass


class _RegisterReader(ExcelReader):
    """openpyxl's reader, read-only, with its worksheets as `_StreamedSheet`s and chart sheets
    left out (a register has none to read). openpyxl is pinned in uv.lock; the tests in
    tests/test_workbook_safety.py cover what this relies on."""

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _StreamedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def read_sheet(
    worksheet, columns: Sequence[Column], *, progress: RowProgress | None = None
) -> Sheet:
    """The sheet's header and non-blank rows, streamed: only the rows the sheet's XML holds are
    read (its declared <dimension> is not trusted), at most IMPORT_MAX_ROWS of them."""
    try:
        with closing(_present_rows(worksheet)) as rows:
            return _read_rows(worksheet.title, rows, columns, progress)
    except READ_ERRORS as error:
        raise WorkbookError([str(ERROR_DAMAGED % {"detail": error})]) from None


def _read_rows(title: str, rows: Iterator, columns: Sequence[Column], progress) -> Sheet:
    header_row, header = _find_header(title, rows, columns)
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
        message = ERROR_MISSING_COLUMNS % {"sheet": title, "columns": "、".join(missing)}
        raise WorkbookError([str(message)])
    sheet = Sheet(
        title=title,
        header_row=header_row,
        header=header,
        letters={key: get_column_letter(index + 1) for key, index in positions.items()},
    )
    limit = settings.IMPORT_MAX_ROWS
    # Formatted but empty rows (a template's) are read too: allow some, not millions.
    scan_limit = 2 * limit + 10_000
    for scanned, (number, cells) in enumerate(rows, start=1):
        if scanned > scan_limit:
            raise WorkbookError(
                [str(ERROR_TOO_MANY_BLANK_ROWS % {"sheet": title, "count": scan_limit})]
            )
        raw = _row_values(cells, len(header))
        if all(_blank(value) for value in raw):
            continue
        if len(sheet.rows) >= limit:
            raise WorkbookError([str(ERROR_TOO_MANY_ROWS % {"sheet": title, "limit": limit})])
        values = {key: raw[index] for key, index in positions.items()}
        sheet.rows.append(SheetRow(number=number, values=values, raw=raw))
        if progress and len(sheet.rows) % PROGRESS_EVERY == 0:
            progress(len(sheet.rows))
    return sheet


def _present_rows(worksheet) -> Iterator[tuple[int, list[dict]]]:
    """(row number, cells) for each row element in the sheet's XML, and nothing for the rows it
    leaves out. openpyxl's own `iter_rows` pads every missing row (and every row to the
    declared width): a sheet declaring A1:XFD1048576 with one cell in its last row made it build
    a million rows of 16,384 cells. This uses openpyxl's sheet parser directly."""
    workbook = worksheet.parent
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if not 1 <= number <= MAX_ROW:
                raise ValueError(f"row number {number} out of range")
            yield number, cells


def _row_values(cells: list[dict], width: int) -> tuple:
    """The row's values in its first `width` columns, None where a cell is missing."""
    values = [None] * width
    for cell in cells:
        column = cell["column"]
        if 1 <= column <= width:
            values[column - 1] = cell["value"]
    return tuple(values)


def _find_header(title: str, rows: Iterator, columns: Sequence[Column]) -> tuple[int, tuple]:
    required = [column for column in columns if column.required]
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        raw = _row_values(cells, MAX_COLUMNS)
        names = {normalize_header(value) for value in raw if not _blank(value)}
        found = sum(1 for column in required if column.names() & names)
        if found and found * 2 >= len(required):
            return number, _trimmed(raw)
    expected = "、".join(column.header for column in required[:4])
    message = ERROR_NO_HEADER % {"sheet": title, "rows": HEADER_SEARCH_ROWS, "columns": expected}
    raise WorkbookError([str(message)])


def _trimmed(values: tuple) -> tuple:
    end = len(values)
    while end and _blank(values[end - 1]):
        end -= 1
    return values[:end]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
