"""Import errors, each tied to a sheet, a row and a column, worded for the staff who fix them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from resettlement.imports.headers import Column
    from resettlement.imports.tables import Sheet, SheetRow


@dataclass(frozen=True)
class CellError:
    message: str
    row: int | None = None
    column: str | None = None  # spreadsheet letter, when the column is in the file
    header: str | None = None
    sheet: str | None = None  # only for a secondary sheet (家庭成员)

    def __str__(self) -> str:
        place = self.place()
        if not place:
            return self.message
        return _("%(place)s: %(message)s") % {"place": place, "message": self.message}

    def place(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(
                _("column %(column)s (%(header)s)") % {"column": self.column, "header": self.header}
            )
        elif self.header:
            parts.append(_("column %(header)s") % {"header": self.header})
        return _(", ").join(parts)


def row_errors(
    field_errors: Mapping[str, Sequence[str]],
    *,
    row: SheetRow,
    sheet: Sheet,
    columns: Sequence[Column],
    secondary: bool = False,
) -> list[CellError]:
    """CellErrors for one row from a record's field -> messages."""
    headers = {column.key: column.header for column in columns}
    errors = []
    for key, messages in field_errors.items():
        for message in messages:
            errors.append(
                CellError(
                    message=str(message),
                    row=row.number,
                    column=sheet.letters.get(key),
                    header=headers.get(key),
                    sheet=sheet.title if secondary else None,
                )
            )
    return errors
