"""Finding a register's header and naming its columns.

Staff headers carry notes ("应安置面积（㎡）", "*协议编号"), other spellings of the same column
("电话号码" for 联系电话, "协议签订时间" for 签约日期, "是否老人户" for 老人户), and sometimes two
rows: a group label merged across the columns it covers ("户主信息") above the labels
("姓名", "身份证号"). `find_header` looks for the header in a sheet's first rows, as one row or two,
and maps every column it recognises; it lists the columns it does not, and refuses a header
where two columns claim the same field.
"""

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from resettlement.imports.scans import HEADER_ROWS, WorkbookError
from resettlement.imports.workbook import Grid

ERROR_NO_HEADER = _(
    "Sheet “%(sheet)s”: no header row found in the first %(rows)s rows "
    "(expected columns such as %(columns)s)."
)
ERROR_MISSING_COLUMNS = _("Sheet “%(sheet)s”: required columns are missing: %(columns)s.")
ERROR_COLUMN_TWICE = _(
    "Sheet “%(sheet)s”: columns %(columns)s are all read as “%(field)s”; keep one of them "
    "(delete or rename the others) so the import knows which to take."
)
NOTE_UNKNOWN_COLUMNS = _(
    "Sheet “%(sheet)s”: unrecognised columns %(columns)s were ignored (rename a column to the "
    "template's header for it to be imported)."
)

_NOTE = re.compile(r"[（(\[【].*?[）)\]】]")
_YES_NO_HOUSEHOLD = re.compile(r"^是否(.+户)$")  # 是否老人户 -> 老人户
IGNORED = frozenset({"序号", "序", "NO", "NO.", "编号序号"})  # row numbers, never data


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
        return {header_key(name) for name in (self.header, *self.aliases)}


def normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*:：]", "", _NOTE.sub("", text))


def header_key(value: object) -> str:
    """What a header label is matched by: without notes, spaces and marks, upper case, with the
    usual variants folded (是否X户 is X户, …时间 is …日期)."""
    text = normalize_header(value).upper()
    text = _YES_NO_HOUSEHOLD.sub(r"\1", text)
    if text.endswith("时间"):
        text = text[: -len("时间")] + "日期"
    return text


@dataclass
class Header:
    """A sheet's header as found: its last row, its label per column, the column of each key."""

    sheet: str
    row: int  # the header's last row; data starts below it
    labels: tuple[str | None, ...]
    positions: dict[str, int]  # column key -> 0-based column index
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (letter, label)
    twice: dict[str, list[int]] = field(default_factory=dict)  # key -> column indexes
    score: int = 0

    def letters(self) -> dict[str, str]:
        return {key: get_column_letter(index + 1) for key, index in self.positions.items()}

    def has(self, *keys: str) -> bool:
        return any(key in self.positions for key in keys)


def _group_labels(values: tuple, row: int, merged) -> dict[int, object]:
    """Column index -> the label of a cell of this row merged across it (a group label such as
    户主信息 over 姓名 and 身份证号)."""
    groups: dict[int, object] = {}
    for top, left, _bottom, right in merged:
        if top == row and right > left and left - 1 < len(values):
            for index in range(left - 1, right):
                groups[index] = values[left - 1]
    return groups


@dataclass(frozen=True)
class _Stacked:
    """A column's label in a two-row header: a group label above, the column's own below."""

    upper: object
    lower: object

    def spellings(self) -> tuple[str, ...]:
        return (str(self.lower), f"{self.upper}{self.lower}", str(self.upper))

    def __str__(self) -> str:
        return f"{self.upper}/{self.lower}"


def _match(sheet: str, row: int, labels: Sequence, columns: Sequence[Column]) -> Header:
    by_name = {name: column for column in columns for name in column.names()}
    positions: dict[str, int] = {}
    twice: dict[str, list[int]] = {}
    unknown = []
    for index, label in enumerate(labels):
        if label is None or not str(label).strip():
            continue
        spellings = label.spellings() if isinstance(label, _Stacked) else (str(label),)
        keys = [header_key(spelling) for spelling in spellings]
        column = next((by_name[key] for key in keys if key in by_name), None)
        if column is None:
            if not any(key in IGNORED for key in keys):
                unknown.append((get_column_letter(index + 1), str(label).strip()))
        elif column.key in positions:
            twice.setdefault(column.key, [positions[column.key]]).append(index)
        else:
            positions[column.key] = index
    required = [column for column in columns if column.required]
    score = 2 * sum(1 for column in required if column.key in positions) + len(positions)
    shown = tuple(None if label is None else str(label).strip() for label in labels)
    return Header(sheet, row, shown, positions, unknown, twice, score)


def _two_rows(top: tuple, groups: dict[int, object], bottom: tuple) -> list:
    """Each column's label from two header rows: its own below a group label, or the upper
    cell alone (merged down over both rows)."""
    width = max(len(top), len(bottom), max(groups, default=-1) + 1)
    labels: list = []
    for index in range(width):
        own = top[index] if index < len(top) else None
        upper = groups.get(index, own)
        lower = bottom[index] if index < len(bottom) else None
        if lower is None:
            labels.append(own)
        elif upper is None or upper == lower:
            labels.append(lower)
        else:
            labels.append(_Stacked(upper, lower))
    return labels


def candidates(grid: Grid, columns: Sequence[Column]) -> list[Header]:
    """Every reading of the sheet's first rows as a header: each row, then each two rows (so a
    reading of one row wins over one of two that recognises no more)."""
    rows = [(number, values) for number, values in grid.rows if number <= HEADER_ROWS + 1]
    found = [_match(grid.title, number, values, columns) for number, values in rows]
    for (number, values), (following, below) in itertools.pairwise(rows):
        if following == number + 1:
            labels = _two_rows(values, _group_labels(values, number, grid.scan.merged), below)
            found.append(_match(grid.title, following, labels, columns))
    return found


def best_header(grid: Grid, columns: Sequence[Column]) -> Header | None:
    """The reading that recognises the most columns (one row rather than two when both do), if
    it recognises at least half of the required ones; None if no row looks like this
    register's header."""
    required = [column for column in columns if column.required]
    best = None
    for header in candidates(grid, columns):
        found = sum(1 for column in required if column.key in header.positions)
        if found and found * 2 >= len(required) and (best is None or header.score > best.score):
            best = header
    return best


def header_errors(header: Header, columns: Sequence[Column]) -> list[str]:
    """What makes a recognised header unusable: required columns missing, a field claimed by
    two columns."""
    errors = []
    missing = [c.header for c in columns if c.required and c.key not in header.positions]
    if missing:
        errors.append(
            str(ERROR_MISSING_COLUMNS % {"sheet": header.sheet, "columns": "、".join(missing)})
        )
    headers = {column.key: column.header for column in columns}
    for key, indexes in header.twice.items():
        shown = "、".join(f"{get_column_letter(i + 1)}（{header.labels[i]}）" for i in indexes)
        errors.append(
            str(
                ERROR_COLUMN_TWICE
                % {"sheet": header.sheet, "columns": shown, "field": headers[key]}
            )
        )
    return errors


def unknown_note(header: Header) -> str | None:
    if not header.unknown:
        return None
    shown = "、".join(f"{letter}（{label}）" for letter, label in header.unknown)
    return str(NOTE_UNKNOWN_COLUMNS % {"sheet": header.sheet, "columns": shown})


def no_header_error(title: str, columns: Sequence[Column]) -> WorkbookError:
    required = [column for column in columns if column.required]
    expected = "、".join(column.header for column in required[:4])
    message = ERROR_NO_HEADER % {"sheet": title, "rows": HEADER_ROWS, "columns": expected}
    return WorkbookError([str(message)])
