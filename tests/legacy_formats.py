"""Building .ods and old .xls registers for the import tests, byte by byte.

No library in the project writes either format (openpyxl writes .xlsx only; xlwt is not
installed; python-calamine only reads), so these write the little of each that a register
needs: an .ods is a zip of XML (content.xml) as LibreOffice and WPS save it; an .xls is a
compound file holding a BIFF8 `Workbook` stream of records, as Excel 97–2003 saves it. Both
take the `Sheet` specs of tests/workbooks.py: text and numbers, merged ranges, hidden rows and
hidden sheets.
"""

import datetime
import io
import struct
import zipfile
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import range_boundaries

from tests.workbooks import Sheet

ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def _merges(spec: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, column) of each merged range's first cell -> (rows, columns) it spans; the cells
    it covers map to (0, 0)."""
    spans = {}
    for cells in spec.merged:
        left, top, right, bottom = range_boundaries(cells)
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                spans[(row, column)] = (0, 0)
        spans[(top, left)] = (bottom - top + 1, right - left + 1)
    return spans


def _ods_cell(value, span) -> str:
    if span == (0, 0):
        return "<table:covered-table-cell/>"
    attributes = ""
    if span:
        attributes = (
            f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
        )
    if value is None:
        return f"<table:table-cell{attributes}/>"
    if isinstance(value, datetime.date):
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    elif isinstance(value, int | float) and not isinstance(value, bool):
        kind = f'office:value-type="float" office:value="{value}"'
    else:
        kind = 'office:value-type="string"'
    return (
        f"<table:table-cell {kind}{attributes}><text:p>{escape(str(value))}</text:p>"
        "</table:table-cell>"
    )


def ods_table(spec: Sheet, *, extra_rows: str = "") -> str:
    spans = _merges(spec)
    style = ' table:style-name="hidden"' if spec.hidden else ""
    rows = []
    width = max((len(row) for row in spec.rows if row), default=1)
    for number, row in enumerate(spec.rows, start=1):
        values = list(row or []) + [None] * (width - len(row or []))
        cells = "".join(
            _ods_cell(value, spans.get((number, column)))
            for column, value in enumerate(values, start=1)
        )
        visibility = ' table:visibility="collapse"' if number in spec.hidden_rows else ""
        rows.append(f"<table:table-row{visibility}>{cells}</table:table-row>")
    # LibreOffice ends each sheet with its empty rest, as one repeated row.
    rest = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    name = quoteattr(spec.title)
    return f"<table:table table:name={name}{style}>{''.join(rows)}{extra_rows}{rest}</table:table>"


def ods(*sheets: Sheet, tables: str | None = None) -> bytes:
    """An .ods of these sheets (or of the `tables` XML given as it is)."""
    hidden_style = (
        '<style:style style:name="hidden" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
    )
    body = tables if tables is not None else "".join(ods_table(sheet) for sheet in sheets)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES} '
        f'office:version="1.2"><office:automatic-styles>{hidden_style}</office:automatic-styles>'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE)  # first, stored
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# BIFF8 records
BOF, EOF, CODEPAGE, BOUNDSHEET = 0x0809, 0x000A, 0x0042, 0x0085
DIMENSIONS, ROW, LABEL, NUMBER, MERGEDCELLS = 0x0200, 0x0208, 0x0204, 0x0203, 0x00E5


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(sheet: bool) -> bytes:
    return _record(
        BOF, struct.pack("<HHHHII", 0x0600, 0x0010 if sheet else 0x0005, 0x0DBB, 0x07CC, 0, 6)
    )


def _text(value: str) -> bytes:
    encoded = value.encode("utf-16-le")
    return struct.pack("<HB", len(value), 1) + encoded


def label(row: int, column: int, text: str) -> bytes:
    """A text cell record (row and column from 1)."""
    return _record(LABEL, struct.pack("<HHH", row - 1, column - 1, 0) + _text(text))


def xls_sheet(
    spec: Sheet, *, dimensions: tuple[int, int] | None = None, cells: bytes = b""
) -> bytes:
    rows = len(spec.rows)
    columns = max((len(row) for row in spec.rows if row), default=1)
    last_row, last_column = dimensions or (rows, columns)
    out = [_bof(True), _record(DIMENSIONS, struct.pack("<IIHHH", 0, last_row, 0, last_column, 0))]
    for number in spec.hidden_rows:
        out.append(
            _record(ROW, struct.pack("<HHHHHHHH", number - 1, 0, columns, 0xFF, 0, 0, 0x0120, 0x0F))
        )
    covered = {key for key, span in _merges(spec).items() if span == (0, 0)}
    for row_index, row in enumerate(spec.rows):
        for column_index, value in enumerate(row or []):
            if value is None or (row_index + 1, column_index + 1) in covered:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.append(_record(NUMBER, struct.pack("<HHHd", row_index, column_index, 0, value)))
            else:
                out.append(label(row_index + 1, column_index + 1, str(value)))
    out.append(cells)
    if spec.merged:
        ranges = [range_boundaries(cells) for cells in spec.merged]
        data = struct.pack("<H", len(ranges)) + b"".join(
            struct.pack("<HHHH", top - 1, bottom - 1, left - 1, right - 1)
            for left, top, right, bottom in ranges
        )
        out.append(_record(MERGEDCELLS, data))
    out.append(_record(EOF, b""))
    return b"".join(out)


def biff_stream(*sheets: Sheet, substreams: list[bytes] | None = None) -> bytes:
    """The Workbook stream: globals (one BOUNDSHEET per sheet), then each sheet's records."""
    bodies = substreams or [xls_sheet(sheet) for sheet in sheets]

    def globals_with(positions: list[int]) -> bytes:
        bound = b"".join(
            _record(
                BOUNDSHEET,
                struct.pack("<IBB", position, 1 if sheet.hidden else 0, 0)
                + struct.pack("<BB", len(sheet.title), 1)
                + sheet.title.encode("utf-16-le"),
            )
            for position, sheet in zip(positions, sheets, strict=True)
        )
        return _bof(False) + _record(CODEPAGE, struct.pack("<H", 1200)) + bound + _record(EOF, b"")

    start = len(globals_with([0] * len(sheets)))
    positions = []
    for body in bodies:
        positions.append(start)
        start += len(body)
    return globals_with(positions) + b"".join(bodies)


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A compound file (version 3, 512-byte sectors) holding one stream, as Excel writes .xls:
    the FAT first, then the directory, then the stream (at least 4 KB, so no mini stream)."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    sectors = len(stream) // 512
    fat_sectors, difat_sectors = 1, 0
    while 128 * fat_sectors < fat_sectors + difat_sectors + 1 + sectors:
        fat_sectors += 1
        difat_sectors = -(-max(0, fat_sectors - 109) // 127)
    directory_at = fat_sectors + difat_sectors
    stream_at = directory_at + 1
    fat = [0xFFFFFFFD] * fat_sectors + [0xFFFFFFFC] * difat_sectors + [0xFFFFFFFE]
    fat += [stream_at + i + 1 for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 * fat_sectors - len(fat))
    numbers = list(range(fat_sectors))
    difat = numbers[:109] + [0xFFFFFFFF] * (109 - len(numbers[:109]))
    difat_blocks = b""
    rest = numbers[109:]
    for index in range(difat_sectors if rest else 0):
        chunk = rest[index * 127 : (index + 1) * 127]
        following = fat_sectors + index + 1 if index + 1 < difat_sectors else 0xFFFFFFFE
        chunk += [0xFFFFFFFF] * (127 - len(chunk))
        difat_blocks += struct.pack("<128I", *chunk, following)
    first_difat = fat_sectors if rest else 0xFFFFFFFE
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_sectors,
            directory_at,
            0,
            4096,
            0xFFFFFFFE,
            0,
            first_difat,
            len(difat_blocks) // 512,
        )
        + struct.pack("<109I", *difat)
    )

    def entry(title: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (title + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<III", start, size, 0)
        )

    directory = (
        entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)
        + entry(name, 2, 0xFFFFFFFF, stream_at, len(stream))
    ).ljust(512, b"\0")
    return header + struct.pack(f"<{len(fat)}I", *fat) + difat_blocks + directory + stream


def xls(*sheets: Sheet) -> bytes:
    """An .xls (BIFF8) of these sheets."""
    return compound_file(biff_stream(*sheets))
