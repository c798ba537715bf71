"""Reading a 20,000-household register (20,000 households and 20,000 members, two sheets):
openpyxl's streaming reader, as the import used it until issue 8, against the reader it uses now
(the checks and scans of issue 7 and 8, then python-calamine), on .xlsx, .ods and .xls.

Only reading is timed: from the file's bytes to every sheet's rows as Python values. Each
figure is the best of three runs. The target is the new reader on .xlsx: under a second, a
third of the whole import's budget (bench/import_households.py).
Run: .venv/bin/python bench/register_readers.py [ROWS]
"""

import io
import sys
import time

from common import ROOT, environment, fresh_sqlite, report, setup_django

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
TARGET_SECONDS = 1.0
RUNS = 3


def openpyxl_streaming(content: bytes) -> int:
    """The rows of every sheet through openpyxl's sheet parser, as the old reader did (read-only
    workbook, data only, the parser's rows without padding)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    count = 0
    for worksheet in workbook.worksheets:
        with worksheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for _number, cells in parser.parse():
                count += bool([cell["value"] for cell in cells])
    workbook.close()
    return count


def calamine_reader(content: bytes) -> int:
    from resettlement.imports.workbook import open_workbook

    book = open_workbook(io.BytesIO(content))
    try:
        return sum(len(book.grid(scan).rows) for scan in book.sheets)
    finally:
        book.close()


def best(read, content: bytes) -> tuple[float, int]:
    times, rows = [], 0
    for _run in range(RUNS):
        start = time.perf_counter()
        rows = read(content)
        times.append(time.perf_counter() - start)
    return min(times), rows


def main() -> bool:
    setup_django(environment(fresh_sqlite()))
    sys.path.insert(0, str(ROOT))
    from synthetic import household_register_rows

    from tests.legacy_formats import ods, xls
    from tests.workbooks import Sheet, workbook

    households, members = household_register_rows(
        ROWS, ["基准0村", "基准1村"], members_per_household=1
    )
    sheets = (Sheet("住户", households), Sheet("家庭成员", members))
    files = {"xlsx": workbook(*sheets), "ods": ods(*sheets), "xls": xls(*sheets)}
    for kind, content in files.items():
        print(f"  .{kind}: {len(content) / 1024 / 1024:.1f} MB")
    old, rows = best(openpyxl_streaming, files["xlsx"])
    print(f"openpyxl streaming reader, .xlsx: {old:.2f} s ({rows:,} rows)")
    ok = True
    for kind, content in files.items():
        seconds, rows = best(calamine_reader, content)
        print(f"checks + scan + python-calamine, .{kind}: {seconds:.2f} s ({rows:,} rows)")
        if kind == "xlsx":
            ok = report("new reader on the .xlsx register", seconds, "s", TARGET_SECONDS)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
