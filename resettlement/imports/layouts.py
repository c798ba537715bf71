"""Which sheet of a workbook is which register, found by its header wherever it is.

A household register may follow an instructions sheet; its members may be on a sheet named
家庭成员名单 or 人员信息; or one sheet may hold whole families, a row per person under the
head's (与户主关系 户主). `household_layout` reads every sheet's first rows and decides; a sheet
that looks like a members sheet but whose header is not found, or a hidden sheet holding a
register, is an error naming it, never a sheet silently left out.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from resettlement.imports.columns import (
    FAMILY_COLUMNS,
    FLAT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    MEMBER_SHEET_WORDS,
)
from resettlement.imports.headers import (
    Column,
    Header,
    best_header,
    header_errors,
    no_header_error,
    unknown_note,
)
from resettlement.imports.scans import HEADER_ROWS, SheetScan, WorkbookError
from resettlement.imports.tables import Table, read_table
from resettlement.imports.workbook import Book

ERROR_NO_HOUSEHOLD_SHEET = _("The workbook has a members sheet but no household sheet.")
ERROR_SEVERAL_SHEETS = _(
    "Sheets %(sheets)s all look like a %(register)s; import them one file at a time."
)
ERROR_MEMBER_SHEET_UNREAD = _(
    "Sheet “%(sheet)s” looks like a members sheet, but its header was not found in its first "
    "%(rows)s rows (it needs columns such as %(columns)s). Rename its columns as in the template "
    "or delete the sheet."
)
ERROR_HIDDEN_SHEET = _(
    "Sheet “%(sheet)s” is hidden but holds a %(register)s. Hidden sheets are not imported "
    "unseen: unhide it (or delete it) and upload the file again."
)
ERROR_FAMILY_AND_MEMBERS = _(
    "Sheet “%(sheet)s” lists each family's members under its head, and sheet “%(members)s” "
    "lists members too: keep the members in one place."
)
NOTE_OTHER_SHEET = _("Sheet “%(sheet)s” is not a register and was not imported.")

HOUSEHOLDS, MEMBERS, FAMILIES, FLATS = "households", "members", "families", "flats"
REGISTER_NAMES = {
    HOUSEHOLDS: _("household register"),
    MEMBERS: _("members sheet"),
    FAMILIES: _("household register"),
    FLATS: _("flat register"),
}
# Columns only a household register has: with 与户主关系 they make a one-sheet family register.
HOUSEHOLD_ONLY = (
    "village",
    "recognised_persons",
    "original_area",
    "entitled_area",
    "compensation_mode",
    "signed_on",
)
INSTRUCTIONS_SHEETS = frozenset({"填写说明", "说明", "填表说明"})


@dataclass
class Layout:
    """The tables to import and the notes on what else the workbook held."""

    main: Table
    kind: str  # HOUSEHOLDS, FAMILIES or FLATS
    members: Table | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [self.main, *([self.members] if self.members else [])]


def _kind(book: Book, scan: SheetScan, *, flats: bool) -> tuple[str | None, Header | None]:
    head = book.grid(scan, up_to=HEADER_ROWS + 1)
    if flats:
        header = best_header(head, FLAT_COLUMNS)
        return (FLATS, header) if header else (None, None)
    family = best_header(head, FAMILY_COLUMNS)
    if family and family.has("relation") and _household_only(family) >= 2:
        return FAMILIES, family
    households = best_header(head, HOUSEHOLD_COLUMNS)
    if households and _household_only(households):
        return HOUSEHOLDS, households
    members = best_header(head, MEMBER_COLUMNS)
    if members:
        return MEMBERS, members
    if households:
        return HOUSEHOLDS, households
    return None, None


def _household_only(header: Header) -> int:
    return sum(1 for key in HOUSEHOLD_ONLY if key in header.positions)


_Found = dict[str, list[tuple[SheetScan, Header]]]


def _sheets(book: Book, *, flats: bool) -> tuple[_Found, list[str]]:
    """Each visible sheet by its kind; errors for hidden registers and unread member sheets;
    notes on the others."""
    found: _Found = {}
    notes: list[str] = []
    for scan in book.sheets:
        kind, header = _kind(book, scan, flats=flats)
        if scan.hidden:
            if kind:
                message = ERROR_HIDDEN_SHEET % {
                    "sheet": scan.title,
                    "register": REGISTER_NAMES[kind],
                }
                raise WorkbookError([str(message)])
            continue
        if kind and header is not None:
            found.setdefault(kind, []).append((scan, header))
        elif not flats and any(word in scan.title for word in MEMBER_SHEET_WORDS):
            columns = "、".join(c.header for c in MEMBER_COLUMNS if c.required)
            message = ERROR_MEMBER_SHEET_UNREAD % {
                "sheet": scan.title,
                "rows": HEADER_ROWS,
                "columns": columns,
            }
            raise WorkbookError([str(message)])
        elif scan.content_rows and scan.title.strip() not in INSTRUCTIONS_SHEETS:
            notes.append(str(NOTE_OTHER_SHEET % {"sheet": scan.title}))
    return found, notes


def _one(found: _Found, *kinds: str) -> tuple[SheetScan, Header] | None:
    sheets = [entry for kind in kinds for entry in found.get(kind, [])]
    if len(sheets) > 1:
        names = "、".join(f"“{scan.title}”" for scan, _header in sheets)
        message = ERROR_SEVERAL_SHEETS % {"sheets": names, "register": REGISTER_NAMES[kinds[0]]}
        raise WorkbookError([str(message)])
    return sheets[0] if sheets else None


def _table(
    book: Book,
    scan: SheetScan,
    header: Header,
    columns: tuple[Column, ...],
    *,
    secondary: bool = False,
) -> Table:
    errors = header_errors(header, columns)
    if errors:
        raise WorkbookError(errors)
    table = read_table(book.grid(scan), header, columns, key=_key(columns), secondary=secondary)
    note = unknown_note(header)
    table.notes[:0] = [note] if note else []
    return table


def _key(columns: tuple[Column, ...]) -> str:
    return "building" if columns is FLAT_COLUMNS else "agreement_no"


def _first_visible(book: Book) -> str:
    return next((scan.title for scan in book.sheets if not scan.hidden), book.sheets[0].title)


def household_layout(book: Book) -> Layout:
    found, notes = _sheets(book, flats=False)
    main = _one(found, HOUSEHOLDS, FAMILIES)
    members = _one(found, MEMBERS)
    if main is None:
        if members:
            raise WorkbookError([str(ERROR_NO_HOUSEHOLD_SHEET)])
        raise no_header_error(_first_visible(book), HOUSEHOLD_COLUMNS)
    scan, header = main
    kind = FAMILIES if main in found.get(FAMILIES, []) else HOUSEHOLDS
    columns = FAMILY_COLUMNS if kind == FAMILIES else HOUSEHOLD_COLUMNS
    layout = Layout(main=_table(book, scan, header, columns), kind=kind, notes=notes)
    if members and kind == FAMILIES:
        names = {"sheet": scan.title, "members": members[0].title}
        raise WorkbookError([str(ERROR_FAMILY_AND_MEMBERS % names)])
    if members:
        layout.members = _table(book, *members, MEMBER_COLUMNS, secondary=True)
    for table in layout.tables():
        layout.notes += table.notes
    return layout


def flat_layout(book: Book) -> Layout:
    found, notes = _sheets(book, flats=True)
    main = _one(found, FLATS)
    if main is None:
        raise no_header_error(_first_visible(book), FLAT_COLUMNS)
    layout = Layout(main=_table(book, *main, FLAT_COLUMNS), kind=FLATS, notes=notes)
    layout.notes += layout.main.notes
    return layout
