"""Old .xls workbooks (Excel 97–2003, BIFF8), scanned before the reader parses them.

An .xls is a compound file (a small FAT file system) holding a `Workbook` stream of records.
The reader (python-calamine) reserves a sheet's declared DIMENSIONS and then allocates the
whole rectangle its cells span: a 2 KB file declaring or filling IV65536 costs it over a GB.
`xls_scan` walks the records first, with nothing but struct, and reports per sheet what the reader
needs bounded (the declared and the true extent, the rows holding values) and what it does not
give (hidden rows, error values, merged ranges); a file that is not a sound compound file is
refused as damaged.
"""

import struct

from django.utils.translation import gettext_lazy as _

from resettlement.imports.scans import SheetScan, WorkbookError, damaged

ERROR_ENCRYPTED = _(
    "The workbook is protected with a password, so it cannot be read. Open it, remove the "
    "password (or save an unprotected copy) and upload that."
)

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
STREAM_NAMES = ("Workbook", "Book")
ENCRYPTED = "EncryptedPackage"  # a password-protected .xlsx is a compound file holding this

BOF, EOF, BOUNDSHEET, DIMENSIONS, ROW, MERGEDCELLS = 0x0809, 0x000A, 0x0085, 0x0200, 0x0208, 0x00E5
NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA, RSTRING, MULRK = (
    0x0203,
    0x0204,
    0x0205,
    0x027E,
    0x00FD,
    0x0006,
    0x00D6,
    0x00BD,
)
CELL_RECORDS = frozenset({NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA, RSTRING})
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
}
ROW_HIDDEN = 0x0020  # fDyZero in the ROW record's flags


def is_xls(head: bytes) -> bool:
    return head.startswith(SIGNATURE)


def xls_scan(data: bytes) -> list[SheetScan]:
    """Every sheet of the workbook in its order, scanned; WorkbookError if damaged."""
    try:
        stream = _workbook_stream(data)
        return _sheets(stream)
    except (struct.error, IndexError, ValueError, UnicodeDecodeError) as error:
        raise damaged(error) from None


def _workbook_stream(data: bytes) -> bytes:
    if not data.startswith(SIGNATURE) or len(data) < 512:
        raise ValueError("not a compound file")
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if sector_size not in (512, 4096) or mini_size != 64:
        raise ValueError("unknown sector size")
    (directory_start,) = struct.unpack_from("<I", data, 0x30)
    (cutoff, minifat_start, _minifat_count) = struct.unpack_from("<III", data, 0x38)
    (difat_start, difat_count) = struct.unpack_from("<II", data, 0x44)
    sectors = (len(data) - 512) // sector_size

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise ValueError(f"sector {number} beyond the file")
        offset = 512 + number * sector_size
        return data[offset : offset + sector_size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat = difat_start
    for _step in range(min(difat_count, sectors)):
        if next_difat in (FREE, END_OF_CHAIN):
            break
        block = sector(next_difat)
        count = sector_size // 4 - 1
        fat_sectors += struct.unpack_from(f"<{count}I", block)
        (next_difat,) = struct.unpack_from("<I", block, count * 4)
    fat: list[int] = []
    for number in fat_sectors:
        if number not in (FREE, END_OF_CHAIN):
            fat += struct.unpack(f"<{sector_size // 4}I", sector(number))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        numbers: list[int] = []
        current = start
        while current not in (FREE, END_OF_CHAIN):
            if current >= len(table) or len(numbers) > limit:
                raise ValueError("broken sector chain")
            numbers.append(current)
            current = table[current]
        return numbers

    directory = b"".join(sector(n) for n in chain(directory_start, fat, sectors))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    root = entries[0]
    for entry in entries:
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(name_length - 2, 0)].decode("utf-16-le", "replace")
        if name == ENCRYPTED:
            raise WorkbookError([str(ERROR_ENCRYPTED)])
        if entry[66] != 2 or name not in STREAM_NAMES:
            continue
        start, size = struct.unpack_from("<II", entry, 116)
        if size > len(data):
            raise ValueError("stream larger than the file")
        if size >= cutoff:
            content = b"".join(sector(n) for n in chain(start, fat, sectors))
            return content[:size]
        mini_stream = b"".join(
            sector(n) for n in chain(struct.unpack_from("<I", root, 116)[0], fat, sectors)
        )
        minifat_bytes = b"".join(sector(n) for n in chain(minifat_start, fat, sectors))
        minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
        content = b"".join(
            mini_stream[n * mini_size : (n + 1) * mini_size]
            for n in chain(start, minifat, len(minifat))
        )
        return content[:size]
    raise ValueError("no Workbook stream")


def _records(stream: bytes, offset: int = 0):
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, stream[offset + 4 : offset + 4 + length]
        offset += 4 + length


def _sheets(stream: bytes) -> list[SheetScan]:
    sheets = []
    for kind, record in _records(stream):
        if kind == BOUNDSHEET:
            position, state, sheet_type = struct.unpack_from("<IBB", record)
            sheets.append((position, _short_string(record[6:]), state & 0x03 != 0, sheet_type))
        elif kind == EOF:
            break
    scans = []
    for position, name, hidden, sheet_type in sheets:
        scan = SheetScan(title=name, hidden=hidden, worksheet=sheet_type == 0)
        if scan.worksheet:
            _scan_sheet(stream, position, scan)
        scan.finish()
        scans.append(scan)
    return scans


def _short_string(data: bytes) -> str:
    length, flags = data[0], data[1]
    if flags & 0x01:
        return data[2 : 2 + 2 * length].decode("utf-16-le")
    return data[2 : 2 + length].decode("latin-1")


def _scan_sheet(stream: bytes, position: int, scan: SheetScan) -> None:
    records = _records(stream, position)
    kind, _record = next(records, (None, b""))
    if kind != BOF:
        raise ValueError(f"sheet “{scan.title}” does not start with BOF")
    for kind, record in records:
        if kind == EOF:
            return
        if kind in CELL_RECORDS:
            row, column = struct.unpack_from("<HH", record)
            scan.cell(row + 1, column + 1)
            code = _error_code(kind, record)
            if code:
                scan.errors[(row + 1, column + 1)] = code
        elif kind == MULRK:
            row, first = struct.unpack_from("<HH", record)
            (last,) = struct.unpack_from("<H", record, len(record) - 2)
            scan.cell(row + 1, first + 1)
            scan.cell(row + 1, last + 1)
        elif kind == DIMENSIONS:
            first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", record)
            scan.declared(last_row - first_row, last_column - first_column)
        elif kind == ROW:
            row, flags = (
                struct.unpack_from("<H", record)[0],
                struct.unpack_from("<H", record, 12)[0],
            )
            if flags & ROW_HIDDEN:
                scan.hide_rows(row + 1, row + 1)
        elif kind == MERGEDCELLS:
            (count,) = struct.unpack_from("<H", record)
            for index in range(count):
                top, bottom, left, right = struct.unpack_from("<HHHH", record, 2 + 8 * index)
                scan.merged.append((top + 1, left + 1, bottom + 1, right + 1))
        scan.check_rows()
    raise ValueError(f"sheet “{scan.title}” has no EOF")


def _error_code(kind: int, record: bytes) -> str | None:
    if kind == BOOLERR and record[7] == 1:
        return ERROR_CODES.get(record[6], "#ERROR")
    if kind == FORMULA and record[12:14] == b"\xff\xff" and record[6] == 2:
        return ERROR_CODES.get(record[8], "#ERROR")
    return None
