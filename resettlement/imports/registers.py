"""Importing the household register (回迁户花名册) and the flat register (房源表).

Each import validates every row, then writes everything in one transaction or nothing at all.
Every attempt is recorded as an ImportBatch; a rejected one keeps an error workbook (the rows
as uploaded, with the errors beside them) for the uploader to download and fix. Uploads from
the web run these in a background task (`resettlement.imports.tasks`), which passes the
batch to fill in and a progress callback.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resettlement.accounts.models import User
from resettlement.households.services import households_create
from resettlement.households.validation import (
    ERROR_MEMBER_HOUSEHOLD_UNKNOWN,
    HouseholdData,
    MemberData,
    agreement_key,
    household_clean,
    household_conflicts,
    member_clean,
    members_check,
    normalize_agreement_no,
    village_lookup,
)
from resettlement.housing.services import flats_create
from resettlement.housing.validation import FlatData, building_lookup, flat_clean, flat_conflicts
from resettlement.imports import families
from resettlement.imports.columns import (
    FAMILY_COLUMNS,
    FLAT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
)
from resettlement.imports.errors import CellError, row_errors
from resettlement.imports.layouts import FAMILIES, Layout, flat_layout, household_layout
from resettlement.imports.models import (
    ImportBatch,
    ImportKind,
    ImportOutcome,
    ImportStage,
    ImportStatus,
)
from resettlement.imports.reports import error_workbook
from resettlement.imports.scans import WorkbookError
from resettlement.imports.tables import Sheet, SheetRow
from resettlement.imports.workbook import PROGRESS_EVERY, open_workbook
from resettlement.input_values import is_blank
from resettlement.projects.models import Project

ERROR_EMPTY = gettext_lazy("Sheet “%(sheet)s” has no data rows under the header.")
ERRORS_KEPT = 200  # errors kept on the batch for its page; the error workbook has them all

# progress(stage, rows done, rows in all or None while the file is still being read)
Progress = Callable[[str, int, int | None], None]


def _silent(stage: str, done: int, total: int | None) -> None:
    pass


@dataclass
class _Attempt:
    """One import under way: what is imported, by whom, and where it is recorded."""

    project: Project
    kind: str
    filename: str
    by: User | None
    batch: ImportBatch | None
    progress: Progress
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    batch: ImportBatch
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Source:
    """The rows a record was read from, so that its errors point at their cells."""

    row: SheetRow
    members: list[SheetRow] = field(default_factory=list)


@dataclass
class _Places:
    """Where a household record's fields are in the file."""

    sheet: Sheet
    columns: tuple
    member_sheet: Sheet | None = None
    member_columns: tuple = MEMBER_COLUMNS
    members_secondary: bool = True
    renamed: list[dict[str, str]] = field(default_factory=list)  # per record: field -> key

    def errors(self, index: int | None, source: _Source, field_errors) -> list[CellError]:
        renamed = self.renamed[index] if index is not None and self.renamed else {}
        errors = []
        for key, messages in field_errors.items():
            if key.startswith("members."):
                assert self.member_sheet is not None, "member errors come with their sheet"
                position, _dot, name = key.removeprefix("members.").partition(".")
                errors += row_errors(
                    {name or "id_number": messages},
                    row=source.members[int(position)],
                    sheet=self.member_sheet,
                    columns=self.member_columns,
                    secondary=self.members_secondary,
                )
            else:
                errors += row_errors(
                    {renamed.get(key, key): messages},
                    row=source.row,
                    sheet=self.sheet,
                    columns=self.columns,
                )
        return errors


def households_import(
    *,
    project: Project,
    file,
    filename: str,
    dry_run: bool = False,
    by: User | None = None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a household register (its members on a sheet of their own or under each head);
    `batch`, if given, is the queued ImportBatch to record the outcome on, otherwise a new one
    is created."""
    attempt = _Attempt(project, ImportKind.HOUSEHOLDS, filename, by, batch, progress or _silent)
    try:
        layout = _read(file, household_layout, attempt)
    except WorkbookError as error:
        return _record(attempt, [], 0, _file_errors(error))
    villages = village_lookup(project)
    build = _family_records if layout.kind == FAMILIES else _household_records
    records, sources, places, errors, count = build(project, layout, villages, attempt)
    labels = [
        _("row %(row)s (agreement %(agreement)s)")
        % {"row": source.row.number, "agreement": record.agreement_no}
        for source, record in zip(sources, records, strict=True)
    ]
    for index, field_errors in household_conflicts(project, records, labels=labels).items():
        errors += places.errors(index, sources[index], field_errors)
    sheets = [table.sheet for table in layout.tables()]

    def write():
        return households_create(
            project=project,
            records=records,
            by=by,
            reason=_("import of %(file)s") % {"file": filename},
        )

    return _finish(attempt, sheets, count, errors, dry_run, write)


def flats_import(
    *,
    project: Project,
    file,
    filename: str,
    dry_run: bool = False,
    by: User | None = None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a flat register into the project's buildings; `batch` as for households."""
    attempt = _Attempt(project, ImportKind.FLATS, filename, by, batch, progress or _silent)
    try:
        layout = _read(file, flat_layout, attempt)
    except WorkbookError as error:
        return _record(attempt, [], 0, _file_errors(error))
    table = layout.main
    sheet = table.sheet
    buildings = building_lookup(project)
    records: list[FlatData] = []
    source_rows = []
    errors: list[CellError] = list(table.errors)
    rows = table.records()
    for index, row in enumerate(rows, start=1):
        record, field_errors = flat_clean(row.values, buildings=buildings)
        if record is None:
            errors += row_errors(field_errors, row=row, sheet=sheet, columns=FLAT_COLUMNS)
        else:
            records.append(record)
            source_rows.append(row)
        _checked(attempt.progress, index, len(rows))
    labels = [_("row %(row)s") % {"row": row.number} for row in source_rows]
    for index, field_errors in flat_conflicts(records, labels=labels).items():
        errors += row_errors(
            field_errors, row=source_rows[index], sheet=sheet, columns=FLAT_COLUMNS
        )

    def write():
        return flats_create(
            records=records, by=by, reason=_("import of %(file)s") % {"file": filename}
        )

    return _finish(attempt, [sheet], len(sheet.rows), errors, dry_run, write)


def _read(file, layout_of, attempt: _Attempt) -> Layout:
    book = open_workbook(file)
    try:
        layout = layout_of(book)
    finally:
        book.close()
    attempt.notes = layout.notes
    read = sum(len(table.sheet.rows) for table in layout.tables())
    attempt.progress(ImportStage.READING, read, None)
    return layout


def _checked(progress: Progress, done: int, total: int) -> None:
    if done % PROGRESS_EVERY == 0:
        progress(ImportStage.CHECKING, done, total)


def _household_records(project, layout: Layout, villages, attempt: _Attempt):
    """Records from a household sheet, with the members sheet's rows attached by agreement."""
    table = layout.main
    places = _Places(table.sheet, HOUSEHOLD_COLUMNS)
    errors: list[CellError] = list(table.errors)
    records: list[HouseholdData] = []
    sources: list[_Source] = []
    rows = table.records()
    for index, row in enumerate(rows, start=1):
        record, field_errors = household_clean(row.values, project=project, villages=villages)
        if record is None:
            errors += places.errors(None, _Source(row), field_errors)
        else:
            records.append(record)
            sources.append(_Source(row))
        _checked(attempt.progress, index, len(rows))
    if layout.members is not None:
        places.member_sheet = layout.members.sheet
        errors += layout.members.errors
        known = {key for row in table.sheet.rows if (key := _agreement(row)) is not None}
        errors += _attach_members(layout.members, records, sources, places, known)
    return records, sources, places, errors, len(table.sheet.rows)


def _agreement(row: SheetRow) -> str | None:
    try:
        return agreement_key(normalize_agreement_no(row.values.get("agreement_no")))
    except ValidationError:
        return None


def _attach_members(table, records, sources, places: _Places, known: set[str]) -> list:
    index_by_key = {agreement_key(record.agreement_no): i for i, record in enumerate(records)}
    members: dict[int, list] = defaultdict(list)
    errors: list[CellError] = []
    for row in table.records():
        member, field_errors = member_clean(row.values)
        key = _agreement(row)
        if key not in known:
            shown = str(row.values.get("agreement_no") or "").strip()
            message = ERROR_MEMBER_HOUSEHOLD_UNKNOWN % {"value": shown}
            field_errors = {**field_errors, "agreement_no": [str(message)]}
        if field_errors:
            errors += row_errors(
                field_errors,
                row=row,
                sheet=table.sheet,
                columns=MEMBER_COLUMNS,
                secondary=True,
            )
        elif key in index_by_key:
            index = index_by_key[key]
            members[index].append(member)
            sources[index].members.append(row)
    for index, household_members in members.items():
        records[index] = dataclasses.replace(records[index], members=tuple(household_members))
        field_errors = members_check(records[index], household_members)
        errors += places.errors(index, sources[index], field_errors)
    return errors


def _family_records(project, layout: Layout, villages, attempt: _Attempt):
    """Records from a one-sheet family register: each family's head row and member rows."""
    table = layout.main
    places = _Places(
        table.sheet,
        FAMILY_COLUMNS,
        member_sheet=table.sheet,
        member_columns=FAMILY_COLUMNS,
        members_secondary=False,
    )
    found, refused = families.families(table.records())
    errors: list[CellError] = list(table.errors)
    for row, field_errors in refused:
        errors += places.errors(None, _Source(row), field_errors)
    records: list[HouseholdData] = []
    sources: list[_Source] = []
    for done, family in enumerate(found, start=1):
        source = _Source(family.head_row, family.members)
        members: list[MemberData] = []
        member_errors = {}
        for position, row in enumerate(family.members):
            member, field_errors = member_clean(families.member_values(row))
            if member is not None:  # else its errors are there
                members.append(member)
            for name, messages in field_errors.items():
                member_errors[f"members.{position}.{name}"] = messages
        values = families.household_values(family)
        if is_blank(values.get("recognised_persons")) and not member_errors:
            values["recognised_persons"] = 1 + sum(1 for member in members if member.recognised)
        record, field_errors = household_clean(values, project=project, villages=villages)
        field_errors = {**field_errors, **member_errors}
        if record is not None and not member_errors:
            record = dataclasses.replace(record, members=tuple(members))
            field_errors = members_check(record, members)
        places.renamed.append(families.head_cells(family))
        if field_errors or record is None:
            errors += places.errors(len(places.renamed) - 1, source, field_errors)
            places.renamed.pop()
        else:
            records.append(record)
            sources.append(source)
        _checked(attempt.progress, done, len(found))
    households = len(found) + len({row.number for row, _errors in refused})
    return records, sources, places, errors, households


def _file_errors(error: WorkbookError) -> list[CellError]:
    return [CellError(message=message) for message in error.messages]


def _finish(attempt: _Attempt, sheets, rows, errors, dry_run, write) -> ImportResult:
    if not errors and rows == 0:
        errors = [CellError(message=str(ERROR_EMPTY % {"sheet": sheets[0].title}))]
    if errors:
        errors.sort(key=lambda error: (error.sheet or "", error.row or 0, error.column or ""))
        return _record(attempt, sheets, rows, errors)
    if dry_run:
        return _record(attempt, sheets, rows, [], outcome=ImportOutcome.VALIDATED)
    attempt.progress(ImportStage.WRITING, rows, rows)
    with transaction.atomic():
        created = write()
        result = _record(attempt, sheets, rows, [], outcome=ImportOutcome.IMPORTED)
    result.created = len(created)
    return result


def _record(
    attempt: _Attempt, sheets, rows, errors, outcome=ImportOutcome.REJECTED
) -> ImportResult:
    batch = attempt.batch or ImportBatch(
        project=attempt.project,
        kind=attempt.kind,
        filename=attempt.filename[:255],
        created_by=attempt.by,
    )
    batch.outcome = outcome
    batch.status = ImportStatus.FINISHED
    batch.stage = ""
    batch.row_count = batch.rows_done = batch.rows_total = rows
    batch.error_count = len(errors)
    batch.first_errors = [dataclasses.asdict(error) for error in errors[:ERRORS_KEPT]]
    batch.notes = attempt.notes
    if errors and sheets:
        content = ContentFile(error_workbook(sheets, errors))
        batch.error_report.save("errors.xlsx", content, save=False)
    batch.save()
    return ImportResult(batch=batch, errors=errors, notes=attempt.notes)
