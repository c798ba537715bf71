"""The .xlsx or .ods package, a zip of XML parts, checked before any part is parsed.

A workbook is small on the wire and large once opened: a 1.5 MB zip can hold 1.5 GB of XML,
and an XML part can declare entities that expand without end. `package_check` refuses such a
file from the zip's central directory (declared sizes, compression ratios, number of parts) and
the first bytes of each XML part (no document type declaration, which spreadsheet programs never
write and which is where entities are declared), without unpacking anything else. Python's zip
reader never returns more than a part's declared size (a lie ends in a CRC error), so the
declared sizes bound what parsing can unpack later.
"""

import struct
import zipfile
import zlib
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024
MAX_PARTS = 1000  # a workbook has a dozen; one with many sheets and pictures a few hundred
MAX_RATIO = 100  # spreadsheet XML compresses 5 to 20 times
RATIO_CHECKED_FROM = 1 * MB  # a smaller part is harmless whatever its ratio
XML_SUFFIXES = (".xml", ".rels", ".vml")
PROLOG_CHUNK = 16 * 1024
END_RECORD = b"PK\x05\x06"  # the zip's end-of-central-directory record
END_RECORD_SIZE = 22

ERROR_NOT_SPREADSHEET = _(
    "The file is not a spreadsheet that can be read. Save it as an Excel workbook (.xlsx or "
    ".xls) or an OpenDocument spreadsheet (.ods) and try again."
)
ERROR_TOO_LARGE = _("The file is larger than %(limit)s MB.")
ERROR_TOO_MANY_PARTS = _(
    "The file holds %(count)s parts, more than any workbook does (at most %(limit)s); "
    "it was refused without being opened."
)
ERROR_UNPACKED_TOO_LARGE = _(
    "Unpacked, the workbook would take %(size)s MB, more than the limit of %(limit)s MB; it was "
    "refused without being opened. Split the register into several files."
)
ERROR_COMPRESSION = _(
    "Part %(part)s of the file is compressed %(ratio)s times, far more than any workbook "
    "(at most %(limit)s times); it was refused without being unpacked."
)
ERROR_DOCTYPE = _(
    "Part %(part)s of the file has an XML document type declaration (DOCTYPE), which "
    "spreadsheet programs never write; the file was refused."
)
ERROR_DAMAGED = _(
    "The workbook is damaged and cannot be read (%(detail)s). Open it in Excel or WPS, save it "
    "again as .xlsx and upload it again."
)


class PackageRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def package_check(file) -> None:
    """Refuse (PackageRefused) an upload that is too large, not a zip, or a zip bomb; leave
    `file` at its start."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    limit = settings.IMPORT_MAX_MB
    if size > limit * MB:
        raise PackageRefused(str(ERROR_TOO_LARGE % {"limit": limit}))
    declared = _declared_part_count(file, size)
    if declared is not None and declared > MAX_PARTS:
        raise PackageRefused(str(ERROR_TOO_MANY_PARTS % {"count": declared, "limit": MAX_PARTS}))
    try:
        with zipfile.ZipFile(file) as archive:
            _parts_check(archive.infolist())
            for part in archive.infolist():
                if part.filename.lower().endswith(XML_SUFFIXES):
                    _prolog_check(archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        raise PackageRefused(str(ERROR_NOT_SPREADSHEET)) from None
    except (zlib.error, OSError) as error:
        raise PackageRefused(str(ERROR_DAMAGED % {"detail": error})) from None
    finally:
        file.seek(0)


def _declared_part_count(file, size: int) -> int | None:
    """The number of parts the zip's end record declares, read before the zip reader builds an
    entry for each one (100,000 of them fit in 10 MB); None if there is no end record."""
    tail_size = min(size, END_RECORD_SIZE + 0xFFFF)  # the record, then a comment of up to 64 KB
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    file.seek(0)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) < at + END_RECORD_SIZE:
        return None
    return struct.unpack("<H", tail[at + 10 : at + 12])[0]


def _parts_check(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise PackageRefused(str(ERROR_TOO_MANY_PARTS % {"count": len(parts), "limit": MAX_PARTS}))
    limit = settings.IMPORT_MAX_UNPACKED_MB
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limit * MB:
        message = ERROR_UNPACKED_TOO_LARGE % {"size": round(unpacked / MB), "limit": limit}
        raise PackageRefused(str(message))
    for part in parts:
        encrypted = part.flag_bits & 0x1
        if encrypted or part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageRefused(str(ERROR_NOT_SPREADSHEET))
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO:
            message = ERROR_COMPRESSION % {
                "part": part.filename,
                "ratio": round(ratio),
                "limit": MAX_RATIO,
            }
            raise PackageRefused(str(message))


class _Doctype(Exception):
    pass


class _Root(Exception):
    pass


def _raise(error):
    def handler(*args):
        raise error

    return handler


def _prolog_check(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Read the part up to its root element: refuse a DOCTYPE. A part that is not XML at all
    is left to the workbook reader, which reports it if it needs the part."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _raise(_Doctype)
    parser.StartElementHandler = _raise(_Root)
    with archive.open(part) as stream:
        while chunk := stream.read(PROLOG_CHUNK):
            try:
                parser.Parse(chunk, False)
            except _Root:
                return
            except _Doctype:
                raise PackageRefused(str(ERROR_DOCTYPE % {"part": part.filename})) from None
            except expat.ExpatError:
                return
