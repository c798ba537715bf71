"""The one-sheet family register (户籍式花名册): a row per person, each family's rows together,
the head's row marked 户主 under 与户主关系, the family's agreement number (and often its
village and areas) merged down its rows.

`families` cuts the rows into families by agreement number and finds each head; `household_values`
gives the household's values as a household sheet's row would (户主姓名 and 户主身份证号 from the
head's own 姓名 and 身份证号); `member_values` each other person's.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resettlement.households.validation import agreement_key, normalize_agreement_no
from resettlement.imports.columns import HEAD_RELATIONS
from resettlement.imports.tables import SheetRow
from resettlement.input_values import is_blank

ERROR_NO_HEAD = _(
    "The family of agreement %(agreement)s has no head's row (与户主关系 “户主”): mark the "
    "head's row."
)
ERROR_TWO_HEADS = _(
    "The family of agreement %(agreement)s has more than one head (rows %(rows)s): one row is "
    "the head's (户主), the others are members."
)

# Taken from the head's own cells when the sheet has no column of their own.
HEAD_FROM_PERSON = {"head_name": "name", "head_id_number": "id_number"}
PERSON_KEYS = ("name", "relation", "id_number", "recognised")

Errors = dict[str, list[str]]


@dataclass
class Family:
    agreement: str
    rows: list[SheetRow] = field(default_factory=list)
    head: SheetRow | None = None

    @property
    def head_row(self) -> SheetRow:
        """The head's row: every family that `families` returns as complete has one."""
        assert self.head is not None, f"family {self.agreement} has no head"
        return self.head

    @property
    def members(self) -> list[SheetRow]:
        return [row for row in self.rows if row is not self.head]


def _is_head(row: SheetRow) -> bool:
    relation = row.values.get("relation")
    if is_blank(relation):
        return False
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(relation)))
    return text in HEAD_RELATIONS


def families(rows: list[SheetRow]) -> tuple[list[Family], list[tuple[SheetRow, Errors]]]:
    """The families, a run of rows with the same agreement number each, and the rows that
    belong to none (no agreement number, or no single head)."""
    found: list[Family] = []
    refused: list[tuple[SheetRow, Errors]] = []
    for row in rows:
        try:
            agreement = normalize_agreement_no(row.values.get("agreement_no"))
        except ValidationError as error:
            refused.append((row, {"agreement_no": error.messages}))
            continue
        if not found or agreement_key(found[-1].agreement) != agreement_key(agreement):
            found.append(Family(agreement))
        found[-1].rows.append(row)
    complete = []
    for family in found:
        heads = [row for row in family.rows if _is_head(row)]
        if len(heads) == 1:
            family.head = heads[0]
            complete.append(family)
        elif not heads:
            message = ERROR_NO_HEAD % {"agreement": family.agreement}
            refused.append((family.rows[0], {"relation": [str(message)]}))
        else:
            shown = "、".join(str(row.number) for row in heads)
            message = ERROR_TWO_HEADS % {"agreement": family.agreement, "rows": shown}
            refused += [(row, {"relation": [str(message)]}) for row in heads[1:]]
    return complete, refused


def household_values(family: Family) -> dict[str, object]:
    values = {k: v for k, v in family.head_row.values.items() if k not in PERSON_KEYS}
    for key, person_key in HEAD_FROM_PERSON.items():
        if is_blank(values.get(key)):
            values[key] = family.head_row.values.get(person_key)
    return values


def head_cells(family: Family) -> dict[str, str]:
    """Which of the sheet's columns a household field was read from, where not its own."""
    return {
        key: person_key
        for key, person_key in HEAD_FROM_PERSON.items()
        if is_blank(family.head_row.values.get(key))
    }


def member_values(row: SheetRow) -> dict[str, object]:
    return {key: row.values.get(key) for key in PERSON_KEYS}
