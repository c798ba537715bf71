"""Reading the spreadsheets staff keep: .xlsx (Excel, WPS), old .xls (Excel 97–2003) and .ods
(LibreOffice, WPS), recognised by their content whatever their name.

python-calamine reads the values of all three (a 20,000-row register in a tenth of the time
openpyxl's streaming reader takes: see bench/register_readers.py). It is given a file only
once the file has passed the checks of issue 7: a zip (.xlsx, .ods) passes `package_check`
(size, parts, unpacked size, compression ratio, no DOCTYPE); an .xls is bounded by its size.
Then each sheet is scanned (`scans`, `biff`) for the true extent of its cells (never the
declared dimension), the row limit, hidden rows, merged ranges, formulas without a saved value
and error cells, which calamine does not report.
"""

import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import python_calamine
from django.conf import settings

from resettlement.imports.biff import ERROR_ENCRYPTED, is_xls, xls_scan
from resettlement.imports.package import (
    ERROR_NOT_SPREADSHEET,
    ERROR_TOO_LARGE,
    MB,
    PackageRefused,
    package_check,
)
from resettlement.imports.scans import SheetScan, WorkbookError, damaged, ods_scan, xlsx_scan

XLSX, XLS, ODS = "xlsx", "xls", "ods"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
PROGRESS_EVERY = 1000  # rows between two progress reports


@dataclass
class Grid:
    """A sheet's rows that hold a value, each (row number, values from column A), and what its
    scan found."""

    title: str
    rows: list[tuple[int, tuple]]
    scan: SheetScan


class Book:
    """An opened workbook: its sheets (scanned) and their grids on demand."""

    def __init__(self, kind: str, reader: python_calamine.CalamineWorkbook, scans):
        self.kind = kind
        self.reader = reader
        self.sheets: list[SheetScan] = [scan for scan in scans if scan.worksheet]
        visible = python_calamine.SheetVisibleEnum.Visible
        hidden = {meta.name for meta in reader.sheets_metadata if meta.visible != visible}
        for scan in self.sheets:
            scan.hidden = scan.hidden or scan.title in hidden

        self._read: dict[str, python_calamine.CalamineSheet] = {}

    def grid(self, scan: SheetScan, *, up_to: int | None = None) -> Grid:
        """The sheet's rows, or only those up to row `up_to` (to look for its header)."""
        try:
            if scan.title not in self._read:
                self._read[scan.title] = self.reader.get_sheet_by_name(scan.title)
            rows = _rows(self._read[scan.title])
            if up_to is None:
                return Grid(title=scan.title, rows=list(rows), scan=scan)
            return Grid(scan.title, list(itertools.takewhile(lambda r: r[0] <= up_to, rows)), scan)
        except python_calamine.CalamineError as error:
            raise damaged(error) from None

    def close(self) -> None:
        self.reader.close()


def _rows(sheet) -> Iterator[tuple[int, tuple]]:
    start = sheet.start
    if start is None:
        return
    first_row, first_column = start
    padding = (None,) * first_column
    for index, values in enumerate(sheet.iter_rows()):
        cells = tuple(None if value == "" else value for value in values)
        if any(value is not None for value in cells):
            yield first_row + index + 1, padding + cells


def open_workbook(file) -> Book:
    """The workbook in `file` (a binary file object), checked and scanned; WorkbookError when it
    is refused. Close it after use."""
    head = file.read(8)
    file.seek(0)
    if is_xls(head):
        kind, scans = XLS, _xls_scans(file)
    elif head.startswith(b"PK"):
        kind, scans = _zip_scans(file)
    else:
        raise WorkbookError([str(ERROR_NOT_SPREADSHEET)])
    file.seek(0)
    try:
        reader = python_calamine.CalamineWorkbook.from_filelike(file)
    except python_calamine.PasswordError:
        raise WorkbookError([str(ERROR_ENCRYPTED)]) from None
    except python_calamine.CalamineError as error:
        raise damaged(error) from None
    book = Book(kind, reader, scans)
    if not book.sheets:
        book.close()
        raise WorkbookError([str(ERROR_NOT_SPREADSHEET)])
    return book


def _xls_scans(file) -> list[SheetScan]:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    limit = settings.IMPORT_MAX_MB
    if size > limit * MB:
        raise WorkbookError([str(ERROR_TOO_LARGE % {"limit": limit})])
    return xls_scan(file.read())


def _zip_scans(file) -> tuple[str, list[SheetScan]]:
    try:
        package_check(file)
    except PackageRefused as refusal:
        raise WorkbookError([refusal.message]) from None
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX, xlsx_scan(archive)
            if "content.xml" in names and _mimetype(archive) == ODS_MIMETYPE:
                return ODS, ods_scan(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise damaged(error) from None
    finally:
        file.seek(0)
    raise WorkbookError([str(ERROR_NOT_SPREADSHEET)])


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    try:
        return archive.read("mimetype").strip()
    except KeyError:
        return b""
