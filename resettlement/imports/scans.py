"""What each sheet holds, read from the file's XML before the reader parses it.

python-calamine reads values fast, but it allocates the whole rectangle a sheet's cells span
(one cell in XFD1048576 makes it ask for 550 GB and abort the process), expands an .ods file's
repeated rows and cells, and does not say which rows are hidden, which formulas have no saved
value or which cells hold an error. A `SheetScan` records those from one streaming pass of expat
over the sheet's XML (bounded by the package checks, no DOCTYPE, so no entities), with handlers
on start tags only; `finish` refuses a sheet whose cells spread past what any register holds.
.xls files are scanned the same way from their records (`biff.py`).
"""

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from resettlement.imports.package import ERROR_DAMAGED

ERROR_TOO_MANY_ROWS = _(
    "Sheet “%(sheet)s” has more than %(limit)s rows: at most %(limit)s rows per sheet can be "
    "imported at a time. Split the register into several files and import them one by one."
)
ERROR_TOO_MANY_BLANK_ROWS = _(
    "Sheet “%(sheet)s” holds more than %(count)s rows, most of them blank or only formatted. "
    "Delete the empty rows below the data (or copy the data into a new workbook) and try again."
)
ERROR_SPREAD = _(
    "Sheet “%(sheet)s” has cells from %(first)s to %(last)s, far beyond any register: something "
    "is written well outside the data. Delete the cells outside the register (or copy the data "
    "into a new workbook) and try again."
)

HEADER_ROWS = 30  # rows a sheet may hold above its data (titles, notes, the header)
MAX_CELLS = 4_000_000  # the rectangle the reader allocates: 20,000 rows of 200 columns
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


class WorkbookError(Exception):
    """A problem with the file as a whole (not a row): wrong format, missing header..."""

    def __init__(self, messages: Sequence[str]):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def damaged(error: object) -> WorkbookError:
    return WorkbookError([str(ERROR_DAMAGED % {"detail": error})])


@dataclass
class SheetScan:
    title: str
    hidden: bool = False
    worksheet: bool = True  # a chart or macro sheet holds no register
    hidden_rows: list[tuple[int, int]] = field(default_factory=list)  # (first, last) rows
    merged: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # top, left, bottom, right
    unsaved_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> #REF!
    first_row: int = 0
    last_row: int = 0
    first_column: int = 0
    last_column: int = 0
    content_rows: int = 0
    row_elements: int = 0
    declared_rows: int = 0
    declared_columns: int = 0

    def cell(self, row: int, column: int, *, rows: int = 1, columns: int = 1) -> None:
        """A cell holding something (a value, text or formula), or a block of repeated ones."""
        last_row, last_column = row + rows - 1, column + columns - 1
        if row < 1 or column < 1 or last_row > MAX_ROW or last_column > MAX_COLUMN:
            raise ValueError(f"cell at row {last_row}, column {last_column} is out of range")
        if not self.first_row:
            self.first_row, self.first_column = row, column
        self.first_row = min(self.first_row, row)
        self.first_column = min(self.first_column, column)
        self.last_column = max(self.last_column, last_column)
        if last_row > self.last_row:
            self.content_rows += last_row - max(self.last_row, row - 1)
            self.last_row = last_row

    def declared(self, rows: int, columns: int) -> None:
        """The extent the file declares (an .xls's DIMENSIONS, which the reader reserves)."""
        self.declared_rows, self.declared_columns = rows, columns

    def hide_rows(self, first: int, last: int) -> None:
        self.hidden_rows.append((first, last))

    def is_hidden(self, row: int) -> bool:
        return any(first <= row <= last for first, last in self.hidden_rows)

    def check_rows(self) -> None:
        """Refuse as soon as the sheet holds more rows than an import takes."""
        limit = settings.IMPORT_MAX_ROWS
        if self.content_rows > limit + HEADER_ROWS:
            raise WorkbookError([str(ERROR_TOO_MANY_ROWS % {"sheet": self.title, "limit": limit})])
        scan_limit = 2 * limit + 10_000
        if self.row_elements > scan_limit:
            message = ERROR_TOO_MANY_BLANK_ROWS % {"sheet": self.title, "count": scan_limit}
            raise WorkbookError([str(message)])

    def finish(self) -> None:
        self.check_rows()
        rows = self.last_row - self.first_row + 1 if self.first_row else 0
        columns = self.last_column - self.first_column + 1 if self.first_row else 0
        first = f"{get_column_letter(self.first_column or 1)}{self.first_row or 1}"
        last = f"{get_column_letter(max(self.last_column, 1))}{max(self.last_row, 1)}"
        if self.declared_rows * self.declared_columns > MAX_CELLS:
            first, last = "A1", f"{get_column_letter(self.declared_columns)}{self.declared_rows}"
        if rows * columns > MAX_CELLS or self.declared_rows * self.declared_columns > MAX_CELLS:
            message = ERROR_SPREAD % {"sheet": self.title, "first": first, "last": last}
            raise WorkbookError([str(message)])


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace or prefix."""
    return name.rpartition("}")[2].rpartition(":")[2]


def _reference(text: str) -> tuple[int, int]:
    match = _REFERENCE.fullmatch(text)
    if not match:
        raise ValueError(f"bad cell reference {text!r}")
    letters, digits = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(digits), column


def _parse(stream, start) -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    try:
        parser.ParseFile(stream)
    except (expat.ExpatError, ValueError) as error:
        raise damaged(error) from None


# The form Excel, WPS and openpyxl write every row and cell in: `<row r="5" …>`, `<c r="B5" …>`.
# A part whose every row and cell tag has it is scanned with regular expressions (a tenth of the
# time); any other (prefixed tags, cells without a reference) goes through expat.
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_ANY_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
_HIDDEN_ROW = re.compile(rb'<row r="([0-9]{1,7})"[^>]*?\shidden="(?:1|true)"')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?\st="e"[^>]*(?<!/)>(.*?)</c>', re.S)
_FORMULA = re.compile(rb"<f[\s/>]")
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>([^<]*)</v>")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"')


def _fast_scan(data: bytes, scan: SheetScan) -> bool:
    """Scan a part written in the usual form; False (nothing done) for any other."""
    cells = data.count(b'<c r="')
    rows = data.count(b'<row r="')
    if len(_ANY_CELL.findall(data)) != cells or len(_ANY_ROW.findall(data)) != rows:
        return False
    scan.row_elements = rows
    found = _CELL.findall(data)
    numbers = sorted({int(digits) for _letters, digits in found})
    columns = [_reference(f"{letters.decode()}1")[1] for letters in {c for c, _r in found}]
    if numbers:
        scan.cell(numbers[0], min(columns))
        scan.cell(numbers[-1], max(columns))
        scan.content_rows = len(numbers)
    if b"hidden=" in data:
        for match in _HIDDEN_ROW.finditer(data):
            number = int(match.group(1))
            scan.hide_rows(number, number)
    if _FORMULA.search(data):
        _formulas(data, scan)
    if b't="e"' in data:
        for match in _ERROR_CELL.finditer(data):
            value = _VALUE.search(match.group(2))
            if value and value.group(1).strip():
                cell = _reference(match.group(1).decode())
                scan.errors[cell] = value.group(1).decode().strip()
    for match in _MERGE.finditer(data):
        top, left = _reference(match.group(1).decode())
        bottom, right = _reference((match.group(2) or match.group(1)).decode())
        scan.merged.append((top, left, bottom, right))
    return True


def _formulas(data: bytes, scan: SheetScan) -> None:
    """Each formula's cell, unless a value was saved with it."""
    end = 0
    for match in _FORMULA.finditer(data):
        if match.start() < end:
            continue  # (a second formula tag in the same cell)
        start = data.rfind(b'<c r="', 0, match.start())
        end = data.find(b"</c>", match.start())
        if start < 0 or end < 0 or data.find(b"</c>", start, match.start()) >= 0:
            raise ValueError("a formula outside a cell")
        cell = data[start:end]
        value = _VALUE.search(cell)
        if not (value and value.group(1).strip()):
            scan.unsaved_formulas.add(_reference(cell[6 : cell.index(b'"', 6)].decode()))


class _XlsxSheet:
    """One pass over a worksheet part: rows, cells, formulas, values, merged ranges."""

    def __init__(self, scan: SheetScan):
        self.scan = scan
        self.row = 0
        self.column = 0
        self.cell: tuple[int, int] | None = None
        self.formula = self.value = False
        self.error_cell = False
        self.text: list[str] = []
        self.capturing = False
        self.parser = expat.ParserCreate()

    def run(self, stream) -> None:
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        try:
            self.parser.ParseFile(stream)
        except (expat.ExpatError, ValueError) as error:
            raise damaged(error) from None
        self.end_cell()

    def start(self, name: str, attributes: dict) -> None:
        local = _local(name)
        if self.capturing:
            self.parser.CharacterDataHandler = None
            self.capturing = False
        if local == "c":
            self.end_cell()
            reference = attributes.get("r")
            if reference:
                self.row, self.column = _reference(reference)
            else:
                self.column += 1
            self.cell = (self.row, self.column)
            self.error_cell = attributes.get("t") == "e"
        elif local == "v" and self.cell:
            self.value = True
            if self.formula or self.error_cell:
                self.parser.CharacterDataHandler = self.text.append
                self.capturing = True
        elif local == "is" and self.cell:
            self.value = True
        elif local == "f" and self.cell:
            self.formula = True
        elif local == "row":
            self.end_cell()
            number = attributes.get("r")
            self.row = int(number) if number else self.row + 1
            self.column = 0
            self.scan.row_elements += 1
            if attributes.get("hidden") in ("1", "true"):
                self.scan.hide_rows(self.row, self.row)
            self.scan.check_rows()
        elif local == "mergeCell":
            first, _sep, last = attributes.get("ref", "").partition(":")
            top, left = _reference(first)
            bottom, right = _reference(last or first)
            self.scan.merged.append((top, left, bottom, right))

    def end_cell(self) -> None:
        if self.cell is None:
            return
        saved = "".join(self.text)
        if self.value or self.formula:
            self.scan.cell(*self.cell)
        if self.formula and not saved.strip():
            self.scan.unsaved_formulas.add(self.cell)
        if self.error_cell and saved.strip():
            self.scan.errors[self.cell] = saved.strip()
        self.cell = None
        self.formula = self.value = self.error_cell = False
        self.text = []


def _elements(archive: zipfile.ZipFile, part: str, wanted: str) -> list[dict[str, str]]:
    """The attributes (by local name) of each `wanted` element of a small XML part. The part has
    passed the package check: no DOCTYPE, so no entity to expand."""
    found: list[dict[str, str]] = []

    def start(name: str, attributes: dict) -> None:
        if _local(name) == wanted:
            found.append({_local(key): value for key, value in attributes.items()})

    try:
        with archive.open(part) as stream:
            _parse(stream, start)
    except KeyError as error:
        raise damaged(error) from None
    return found


def xlsx_scan(archive: zipfile.ZipFile) -> list[SheetScan]:
    """Every sheet of an .xlsx in workbook order, scanned."""
    targets = {}
    for relation in _elements(archive, "xl/_rels/workbook.xml.rels", "Relationship"):
        target = relation.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[relation.get("Id")] = (part, relation.get("Type", ""))
    scans = []
    for sheet in _elements(archive, "xl/workbook.xml", "sheet"):
        part, kind = targets.get(sheet.get("id"), ("", ""))
        scan = SheetScan(
            title=sheet.get("name", ""),
            hidden=sheet.get("state", "visible") != "visible",
            worksheet=kind.endswith("/worksheet"),
        )
        if scan.worksheet:
            try:
                data = archive.read(part)
            except KeyError as error:
                raise damaged(error) from None
            if not _fast_scan(data, scan):
                _XlsxSheet(scan).run(io.BytesIO(data))
        scan.finish()
        scans.append(scan)
    return scans


class _OdsContent:
    """One pass over an .ods content.xml: tables, rows and cells with their repeat counts."""

    def __init__(self):
        self.scans: list[SheetScan] = []
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.row = 0
        self.row_repeat = 1
        self.column = 0
        self.cell: tuple[int, int, int] | None = None  # row, column, columns repeated
        self.cell_content = False

    def start(self, name: str, attributes: dict) -> None:
        local = _local(name)
        if local in ("table-cell", "covered-table-cell"):
            self.end_cell()
            repeat = int(attributes.get("table:number-columns-repeated", 1))
            self.cell = (self.row, self.column + 1, repeat)
            self.column += repeat
            formula = "table:formula" in attributes
            valued = "office:value-type" in attributes
            self.cell_content = valued or formula
            if formula and not valued:
                self.scans[-1].unsaved_formulas.add((self.row, self.cell[1]))
            rows = int(attributes.get("table:number-rows-spanned", 1))
            columns = int(attributes.get("table:number-columns-spanned", 1))
            if rows > 1 or columns > 1:
                top, left = self.row, self.cell[1]
                self.scans[-1].merged.append((top, left, top + rows - 1, left + columns - 1))
        elif local == "p" and self.cell:
            self.cell_content = True
        elif local == "table-row":
            self.end_cell()
            self.row += self.row_repeat
            self.row_repeat = int(attributes.get("table:number-rows-repeated", 1))
            self.column = 0
            scan = self.scans[-1]
            scan.row_elements += 1
            if attributes.get("table:visibility", "visible") != "visible":
                scan.hide_rows(self.row, self.row + self.row_repeat - 1)
            scan.check_rows()
        elif local == "table":
            self.end_cell()
            style = attributes.get("table:style-name")
            self.scans.append(
                SheetScan(
                    title=attributes.get("table:name", ""), hidden=style in self.hidden_styles
                )
            )
            self.row, self.row_repeat, self.column = 0, 1, 0
        elif local == "style":
            self.style = attributes.get("style:name")
        elif (
            local == "table-properties"
            and attributes.get("table:display") == "false"
            and self.style is not None  # a nameless style hides no table (not all unstyled ones)
        ):
            self.hidden_styles.add(self.style)

    def end_cell(self) -> None:
        if self.cell and self.cell_content:
            row, column, columns = self.cell
            self.scans[-1].cell(row, column, rows=self.row_repeat, columns=columns)
        self.cell = None
        self.cell_content = False


def ods_scan(archive: zipfile.ZipFile) -> list[SheetScan]:
    """Every table of an .ods in order, scanned."""
    content = _OdsContent()
    try:
        with archive.open("content.xml") as stream:
            _parse(stream, content.start)
    except KeyError as error:
        raise damaged(error) from None
    content.end_cell()
    for scan in content.scans:
        scan.finish()
    return content.scans
