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
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resettlement.households.services import households_create
from resettlement.households.validation import (
    ERROR_MEMBER_HOUSEHOLD_UNKNOWN,
    HouseholdData,
    household_clean,
    household_conflicts,
    member_clean,
    members_check,
    village_lookup,
)
from resettlement.housing.services import flats_create
from resettlement.housing.validation import FlatData, building_lookup, flat_clean, flat_conflicts
from resettlement.imports.columns import (
    FLAT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    MEMBER_SHEET_NAMES,
)
from resettlement.imports.errors import CellError, row_errors
from resettlement.imports.models import (
    ImportBatch,
    ImportKind,
    ImportOutcome,
    ImportStage,
    ImportStatus,
)
from resettlement.imports.reports import error_workbook
from resettlement.imports.workbook import (
    ERROR_EMPTY,
    PROGRESS_EVERY,
    Sheet,
    WorkbookError,
    open_workbook,
    read_sheet,
)
from resettlement.projects.models import Project

ERROR_NO_HOUSEHOLD_SHEET = gettext_lazy("The workbook has a members sheet but no household sheet.")
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
    by: object
    batch: ImportBatch | None
    progress: Progress


@dataclass
class ImportResult:
    batch: ImportBatch
    errors: list[CellError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def households_import(
    *,
    project: Project,
    file,
    filename: str,
    dry_run: bool = False,
    by=None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a household register (and its members sheet); `batch`, if given, is the queued
    ImportBatch to record the outcome on, otherwise a new one is created."""
    attempt = _Attempt(project, ImportKind.HOUSEHOLDS, filename, by, batch, progress or _silent)
    sheets: list[Sheet] = []
    try:
        _read_households(file, sheets, attempt.progress)
    except WorkbookError as error:
        return _record(attempt, sheets, 0, _file_errors(error))
    records, errors = _household_records(project, sheets, attempt.progress)
    rows = len(sheets[0].rows)

    def write():
        return households_create(
            project=project,
            records=records,
            by=by,
            reason=_("import of %(file)s") % {"file": filename},
        )

    return _finish(attempt, sheets, rows, errors, dry_run, write)


def flats_import(
    *,
    project: Project,
    file,
    filename: str,
    dry_run: bool = False,
    by=None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a flat register into the project's buildings; `batch` as for households."""
    attempt = _Attempt(project, ImportKind.FLATS, filename, by, batch, progress or _silent)
    sheets: list[Sheet] = []
    try:
        with _opened(file) as workbook:
            sheets.append(
                read_sheet(
                    workbook.worksheets[0], FLAT_COLUMNS, progress=_reading(attempt.progress)
                )
            )
    except WorkbookError as error:
        return _record(attempt, sheets, 0, _file_errors(error))
    sheet = sheets[0]
    buildings = building_lookup(project)
    records: list[FlatData] = []
    source_rows = []
    errors: list[CellError] = []
    for index, row in enumerate(sheet.rows, start=1):
        record, field_errors = flat_clean(row.values, buildings=buildings)
        if field_errors:
            errors += row_errors(field_errors, row=row, sheet=sheet, columns=FLAT_COLUMNS)
        else:
            records.append(record)
            source_rows.append(row)
        _checked(attempt.progress, index, len(sheet.rows))
    labels = [_("row %(row)s") % {"row": row.number} for row in source_rows]
    for index, field_errors in flat_conflicts(records, labels=labels).items():
        errors += row_errors(
            field_errors, row=source_rows[index], sheet=sheet, columns=FLAT_COLUMNS
        )

    def write():
        return flats_create(
            records=records, by=by, reason=_("import of %(file)s") % {"file": filename}
        )

    return _finish(attempt, sheets, len(sheet.rows), errors, dry_run, write)


@contextmanager
def _opened(file):
    workbook = open_workbook(file)
    try:
        yield workbook
    finally:
        workbook.close()


def _read_households(file, sheets: list[Sheet], progress: Progress) -> None:
    with _opened(file) as workbook:
        household_sheet, member_sheet = _household_sheets(workbook)
        sheets.append(read_sheet(household_sheet, HOUSEHOLD_COLUMNS, progress=_reading(progress)))
        if member_sheet is not None:
            offset = len(sheets[0].rows)
            sheets.append(
                read_sheet(member_sheet, MEMBER_COLUMNS, progress=_reading(progress, offset))
            )


def _reading(progress: Progress, offset: int = 0):
    return lambda rows: progress(ImportStage.READING, offset + rows, None)


def _checked(progress: Progress, done: int, total: int) -> None:
    if done % PROGRESS_EVERY == 0:
        progress(ImportStage.CHECKING, done, total)


def _household_sheets(workbook):
    names = {name.strip(): name for name in workbook.sheetnames}
    member_name = next((names[n] for n in MEMBER_SHEET_NAMES if n in names), None)
    households = [ws for ws in workbook.worksheets if ws.title != member_name]
    if not households:
        raise WorkbookError([str(ERROR_NO_HOUSEHOLD_SHEET)])
    return households[0], (workbook[member_name] if member_name else None)


def _household_records(
    project: Project, sheets: list[Sheet], progress: Progress
) -> tuple[list[HouseholdData], list[CellError]]:
    household_sheet = sheets[0]
    villages = village_lookup(project)
    errors: list[CellError] = []
    records: list[HouseholdData] = []
    source_rows = []
    for index, row in enumerate(household_sheet.rows, start=1):
        record, field_errors = household_clean(row.values, project=project, villages=villages)
        if field_errors:
            errors += row_errors(
                field_errors, row=row, sheet=household_sheet, columns=HOUSEHOLD_COLUMNS
            )
        else:
            records.append(record)
            source_rows.append(row)
        _checked(progress, index, len(household_sheet.rows))
    member_rows: dict[int, list] = defaultdict(list)
    if len(sheets) > 1:
        records, member_rows, member_errors = _attach_members(sheets, records, source_rows)
        errors += member_errors
    labels = [
        _("row %(row)s (agreement %(agreement)s)")
        % {"row": row.number, "agreement": record.agreement_no}
        for row, record in zip(source_rows, records, strict=True)
    ]
    for index, field_errors in household_conflicts(project, records, labels=labels).items():
        for key, messages in field_errors.items():
            if key.startswith("members."):
                member_index = int(key.split(".")[1])
                row = member_rows[index][member_index]
                errors += row_errors(
                    {"id_number": messages},
                    row=row,
                    sheet=sheets[1],
                    columns=MEMBER_COLUMNS,
                    secondary=True,
                )
            else:
                errors += row_errors(
                    {key: messages},
                    row=source_rows[index],
                    sheet=household_sheet,
                    columns=HOUSEHOLD_COLUMNS,
                )
    return records, errors


def _attach_members(sheets, records, source_rows):
    household_sheet, member_sheet = sheets[0], sheets[1]
    index_by_agreement = {record.agreement_no: i for i, record in enumerate(records)}
    all_agreements = {
        str(row.values.get("agreement_no") or "").strip() for row in household_sheet.rows
    }
    members: dict[int, list] = defaultdict(list)
    member_rows: dict[int, list] = defaultdict(list)
    errors: list[CellError] = []
    for row in member_sheet.rows:
        member, field_errors = member_clean(row.values)
        agreement = str(row.values.get("agreement_no") or "").strip()
        if agreement not in all_agreements:
            message = ERROR_MEMBER_HOUSEHOLD_UNKNOWN % {"value": agreement}
            field_errors = {**field_errors, "agreement_no": [str(message)]}
        if field_errors:
            errors += row_errors(
                field_errors, row=row, sheet=member_sheet, columns=MEMBER_COLUMNS, secondary=True
            )
        elif agreement in index_by_agreement:
            index = index_by_agreement[agreement]
            members[index].append(member)
            member_rows[index].append(row)
    updated = list(records)
    for index, household_members in members.items():
        updated[index] = dataclasses.replace(records[index], members=tuple(household_members))
        for key, messages in members_check(updated[index], household_members).items():
            errors += row_errors(
                {key: messages},
                row=source_rows[index],
                sheet=household_sheet,
                columns=HOUSEHOLD_COLUMNS,
            )
    return updated, member_rows, errors


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
    if errors and sheets:
        content = ContentFile(error_workbook(sheets, errors))
        batch.error_report.save("errors.xlsx", content, save=False)
    batch.save()
    return ImportResult(batch=batch, errors=errors)
