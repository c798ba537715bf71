"""Hostile and large registers (issue 7): how fast each is refused, and a 20,000-row import.

The probe's figures before the limits: the 4.8 KB dimension bomb ran 30 s (the worker was
killed), the 1.5 MB zip bomb was refused after 19.6 s at 3.1 GB, a 200,000-row upload was a
500 after 30.8 s. Each bomb here must be refused well under a second, from declared sizes
before anything is unpacked; the row limits read up to the limit, then stop. The 20,000-row
register (20,000 households, 20,000 members) must import in the background task within its
target. Production-like settings, fresh SQLite.
Run: .venv/bin/python bench/import_limits.py
"""

import io
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from common import environment, fresh_sqlite, migrate, report, setup_django

MB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ("协议编号", "村", "户主姓名", "户主身份证号", "安置人口", "被征收面积")
IMPORT_TARGET_SECONDS = 30.0


def cell_row(number: int, values, first_column: int = 1) -> str:
    from openpyxl.utils import get_column_letter

    cells = "".join(
        f'<c r="{get_column_letter(first_column + i)}{number}" t="inlineStr">'
        f"<is><t>{value}</t></is></c>"
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def sheet(rows: str, *, dimension: str = "", prolog: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f"{declared}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def workbook_with(parts: dict[str, bytes], *, stream: tuple[str, int] | None = None) -> bytes:
    """A one-sheet workbook whose parts are replaced by `parts`; `stream` = (part, MB) writes
    that part as MB of blank XML through the compressor, never holding it in memory."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if stream and info.filename == stream[0]:
                with target.open(info.filename, "w", force_zip64=True) as part:
                    part.write(sheet(cell_row(1, HEADER))[: -len("</sheetData></worksheet>")])
                    chunk = b" " * MB
                    for _ in range(stream[1]):
                        part.write(chunk)
                    part.write(b"</sheetData></worksheet>")
            else:
                target.writestr(info.filename, parts.get(info.filename, source.read(info)))
        for name, data in parts.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def hostile_files() -> dict[str, tuple[bytes, float]]:
    """name -> (file, target seconds). The row limit is reached by reading up to it: its target
    is higher than the bombs', refused from declared sizes alone."""
    last = cell_row(1_048_576, ["x"], first_column=16_384)
    first = ["QLS-0001", "基准0村", "张三", "110101199003070017", "3", "90"]
    rows = cell_row(1, HEADER) + cell_row(2, first)
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    many_rows = "".join(cell_row(n, [f"QLS-{n:06d}", "张三"]) for n in range(2, 200_002))
    blank_rows = "".join(f'<row r="{n}"/>' for n in range(2, 10**6))
    return {
        "dimension bomb (A1:XFD1048576, one cell in the last row)": (
            workbook_with({SHEET: sheet(rows + last, dimension="A1:XFD1048576")}),
            0.5,
        ),
        "zip bomb (1.5 GB of XML)": (workbook_with({}, stream=(SHEET, 1536)), 0.1),
        "compression-ratio bomb (40 MB of XML)": (workbook_with({}, stream=(SHEET, 40)), 0.1),
        "20,000 parts": (
            workbook_with({f"xl/media/p{i}.bin": b"" for i in range(20_000)}),
            0.1,
        ),
        "billion laughs (entities)": (
            workbook_with(
                {
                    SHEET: sheet(
                        cell_row(1, ["&l9;"]), prolog=f'<!DOCTYPE x [<!ENTITY l0 "lol">{laughs}]>'
                    )
                }
            ),
            0.1,
        ),
        "1,000,000 blank rows": (
            workbook_with({SHEET: sheet(cell_row(1, HEADER) + blank_rows)}),
            1.0,
        ),
        "200,000 data rows (refused at the 20,000-row limit)": (
            workbook_with({SHEET: sheet(cell_row(1, HEADER) + many_rows)}),
            3.0,
        ),
    }


def refusals(project) -> bool:
    """Each hostile file timed, then read again under tracemalloc for its peak memory."""
    from resettlement.imports.registers import households_import

    def attempt(content: bytes):
        return households_import(project=project, file=io.BytesIO(content), filename="x.xlsx")

    ok = True
    for name, (content, target) in hostile_files().items():
        start = time.perf_counter()
        result = attempt(content)
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        attempt(content)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        outcome = str(result.errors[0]) if result.errors else f"{result.created} imported"
        print(f"  {len(content) / 1024:,.0f} KB file, peak {peak / MB:.1f} MB: {outcome[:100]}")
        ok &= report(f"{name}: answered in", elapsed, "s", target)
    return ok


def worst_accepted(project, legit_seconds: float) -> bool:
    """The costliest file the limits let through: just under IMPORT_MAX_UNPACKED_MB of shared
    strings (2.3 million), compressed under 100 times into a 6 MB file. The reader reads the whole
    table when it opens a sheet; the bound is that this costs no more than twice the largest
    legitimate register."""
    from django.conf import settings

    from resettlement.imports.registers import households_import

    limit = (settings.IMPORT_MAX_UNPACKED_MB - 1) * MB
    strings, size, number = [], 0, 0
    while size < limit:
        item = b"<si><t>%d</t></si>" % number
        strings.append(item)
        size += len(item)
        number += 1
    table = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    table += b"".join(strings) + b"</sst>"
    types = zipfile.ZipFile(io.BytesIO(workbook_with({}))).read("[Content_Types].xml")
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    content = workbook_with(
        {"xl/sharedStrings.xml": table, "[Content_Types].xml": types.replace(b"</Types>", override)}
    )
    start = time.perf_counter()
    result = households_import(project=project, file=io.BytesIO(content), filename="x.xlsx")
    elapsed = time.perf_counter() - start
    print(f"  {len(content) / MB:.1f} MB file, {number:,} strings: {str(result.errors[0])[:80]}")
    return report(
        "worst accepted file (shared strings at the unpacked limit)",
        elapsed,
        "s",
        round(2 * legit_seconds, 1),
    )


def background_import(project) -> float | None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from synthetic import household_workbook

    from resettlement.imports.models import ImportBatch
    from resettlement.imports.tasks import import_queue

    villages = [village.name for village in project.villages.all()]
    content = household_workbook(20_000, villages, members_per_household=1, seed=3)
    path = Path(tempfile.mkdtemp()) / "register.xlsx"
    path.write_bytes(content)
    upload = SimpleUploadedFile("register.xlsx", content)
    start = time.perf_counter()
    batch = import_queue(project=project, kind="households", upload=upload, dry_run=False, by=None)
    elapsed = time.perf_counter() - start  # the immediate backend runs the task at once
    batch = ImportBatch.objects.get(pk=batch.pk)
    print(
        f"  {len(content) / MB:.1f} MB file: {batch.get_outcome_display()}, {batch.row_count} rows"
    )
    name = "20,000 households + 20,000 members, background task"
    ok = report(name, elapsed, "s", IMPORT_TARGET_SECONDS)
    return elapsed if ok and batch.outcome == "imported" else None


def main() -> bool:
    env = environment(fresh_sqlite())
    migrate(env)
    setup_django(env)
    from resettlement.progress.setup import project_create
    from resettlement.projects.models import District, StreetOffice, Village

    district = District.objects.create(code="610113", name="雁塔区")
    office = StreetOffice.objects.create(district=district, code="BENCH", name="基准街道")
    villages = [
        Village.objects.create(street_office=office, code=f"BV{i}", name=f"基准{i}村")
        for i in range(4)
    ]
    project = project_create(code="BENCH", name="基准项目", street_office=office, villages=villages)
    refused = refusals(project)
    imported = background_import(project)
    bounded = worst_accepted(project, imported or IMPORT_TARGET_SECONDS)
    return refused and imported is not None and bounded


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
