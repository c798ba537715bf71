"""The rules a household record must satisfy, in one place.

`household_clean` turns loosely typed input (a spreadsheet row, a form, a JSON body) into a
`HouseholdData` or a dict of field -> messages; `household_conflicts` checks a batch of cleaned
records against each other and against what the project already stores. The import, the web
forms and the API all call these two functions, so each gives the same answer with the same
Chinese message.
"""

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.column_ranges import column_range
from resettlement.households.models import CompensationMode, Household, Member, Relation
from resettlement.id_numbers import normalize_id_number
from resettlement.input_values import (
    is_blank,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_name,
    parse_note,
    parse_text,
    without_invisible,
)
from resettlement.masking import mask_id_number
from resettlement.phone_numbers import normalize_phone
from resettlement.projects.entitlement import entitled_area_for
from resettlement.projects.models import Project, Village
from resettlement.spreadsheets import FORMULA_TRIGGERS

ERROR_AGREEMENT_FORMULA = _(
    "An agreement number cannot start with =, +, - or @: spreadsheets opening the lottery's "
    "published files would run it as a formula."
)
ERROR_UNKNOWN_VILLAGE = _("Village “%(village)s” is not one of this project's villages.")
ERROR_SWAP_NEEDS_AREA = _("A property-swap or mixed household needs a positive entitled area.")
ERROR_CASH_HAS_NO_AREA = _("A cash-compensation household has no entitled area (leave it blank).")
ERROR_SIGNED_IN_FUTURE = _("The signing date is in the future.")
ERROR_DUPLICATE_AGREEMENT = _("Agreement number %(value)s appears more than once (%(other)s).")
ERROR_AGREEMENT_EXISTS = _("Agreement number %(value)s is already registered in this project.")
ERROR_DUPLICATE_PERSON = _("ID number %(value)s appears more than once (%(other)s).")
ERROR_PERSON_EXISTS = _(
    "ID number %(value)s is already registered in this project (agreement %(agreement)s)."
)
ERROR_PERSONS_MISMATCH = _(
    "Recognised persons is %(stated)s, but the head and the recognised members make %(counted)s."
)
ERROR_MEMBER_HOUSEHOLD_UNKNOWN = _("Agreement number %(value)s is not in the household sheet.")
ERROR_ENTITLED_AREA_RANGE = _(
    "The entitled area the project's rule gives, %(area)s m², is more than an area can be "
    "(at most %(maximum)s m²): check the original area and the recognised persons."
)

Errors = dict[str, list[str]]

# The columns the numbers are stored in: no input may exceed them.
RANGES = {
    name: column_range(Household, name)
    for name in ("recognised_persons", "original_area", "entitled_area")
}

# How registers name relations beyond the choice labels.
RELATION_ALIASES = {
    **dict.fromkeys(("妻", "妻子", "丈夫", "夫", "爱人"), Relation.SPOUSE),
    **dict.fromkeys(("子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女"), Relation.CHILD),
    **dict.fromkeys(("儿媳", "女婿", "媳妇"), Relation.CHILD_IN_LAW),
    **dict.fromkeys(("孙子", "孙女", "外孙", "外孙女"), Relation.GRANDCHILD),
    **dict.fromkeys(("父亲", "母亲", "父", "母"), Relation.PARENT),
    **dict.fromkeys(("哥哥", "弟弟", "姐姐", "妹妹", "兄", "弟", "姐", "妹"), Relation.SIBLING),
}


@dataclass(frozen=True)
class MemberData:
    name: str
    relation: str
    id_number: str
    recognised: bool


@dataclass(frozen=True)
class HouseholdData:
    agreement_no: str
    village: Village
    head_name: str
    head_id_number: str
    phone: str
    recognised_persons: int
    original_area: Decimal
    entitled_area: Decimal
    compensation_mode: str
    signed_on: datetime.date | None
    elderly: bool
    disabled: bool
    hardship: bool
    note: str
    members: tuple[MemberData, ...] = field(default=())

    def model_fields(self) -> dict[str, object]:
        fields = {name: getattr(self, name) for name in HOUSEHOLD_FIELDS}
        fields["village_id"] = fields.pop("village").pk
        return fields


HOUSEHOLD_FIELDS = (
    "agreement_no",
    "village",
    "head_name",
    "head_id_number",
    "phone",
    "recognised_persons",
    "original_area",
    "entitled_area",
    "compensation_mode",
    "signed_on",
    "elderly",
    "disabled",
    "hardship",
    "note",
)


def normalize_agreement_no(value: object) -> str:
    """The canonical agreement number: trimmed, NFKC-normalised (full-width letters and digits
    folded), without invisible characters, in capitals, so QLS-T-0097 and qls-t-0097 are one
    agreement. It is stored so and written verbatim into the lottery's canonical CSV files
    (their digests are published; the verifier's own normalisation, trim and NFC, leaves it
    unchanged), so it may not start like a spreadsheet formula. Numbers stored before capitals
    were the rule are compared by `agreement_key`."""
    text = unicodedata.normalize("NFC", parse_text(without_invisible(value), max_length=40))
    text = text.upper()
    if text.startswith(FORMULA_TRIGGERS):
        raise ValidationError(ERROR_AGREEMENT_FORMULA, code="formula")
    return text


def agreement_key(value: str) -> str:
    """What makes two stored agreement numbers the same agreement (case does not)."""
    return value.upper()


def village_lookup(project: Project) -> dict[str, Village]:
    """The project's villages by code and by name (with or without the trailing 村)."""
    lookup: dict[str, Village] = {}
    for village in project.villages.all():
        lookup[village.code.lower()] = village
        lookup[village.name] = village
        lookup[village.name.removesuffix("村")] = village
    return lookup


def _resolve_village(value: object, villages: Mapping[str, Village]) -> Village:
    if isinstance(value, Village):
        key_candidates = [value.code.lower()]
    else:
        text = parse_text(value, max_length=50)
        key_candidates = [text, text.lower(), text.removesuffix("村")]
    for key in key_candidates:
        if key in villages:
            return villages[key]
    shown = value.name if isinstance(value, Village) else str(value)
    raise ValidationError(ERROR_UNKNOWN_VILLAGE, code="unknown_village", params={"village": shown})


class _Collector:
    def __init__(self) -> None:
        self.errors: Errors = {}

    def take(self, name: str, parse, value):
        try:
            return parse(value)
        except ValidationError as error:
            self.errors.setdefault(name, []).extend(error.messages)
            return None

    def add(self, name: str, message) -> None:
        self.errors.setdefault(name, []).append(str(message))


def household_clean(
    raw: Mapping[str, object], *, project: Project, villages: Mapping[str, Village]
) -> tuple[HouseholdData | None, Errors]:
    c = _Collector()
    agreement_no = c.take("agreement_no", normalize_agreement_no, raw.get("agreement_no"))
    village = c.take("village", lambda v: _resolve_village(v, villages), raw.get("village"))
    head_name = c.take("head_name", parse_name, raw.get("head_name"))
    head_id = c.take("head_id_number", normalize_id_number, raw.get("head_id_number"))
    phone = c.take("phone", normalize_phone, _as_text(raw.get("phone")))
    persons = c.take(
        "recognised_persons",
        lambda v: parse_int(v, bounds=RANGES["recognised_persons"]),
        raw.get("recognised_persons"),
    )
    original = c.take(
        "original_area",
        lambda v: parse_decimal(v, bounds=RANGES["original_area"]),
        raw.get("original_area"),
    )
    mode = c.take(
        "compensation_mode",
        lambda v: parse_choice(v, CompensationMode, default=CompensationMode.PROPERTY_SWAP),
        raw.get("compensation_mode"),
    )
    stated_area = c.take(
        "entitled_area",
        lambda v: parse_decimal(v, bounds=RANGES["entitled_area"], positive=False, required=False),
        raw.get("entitled_area"),
    )
    signed_on = c.take("signed_on", parse_date, raw.get("signed_on"))
    flags = {
        name: c.take(name, parse_bool, raw.get(name))
        for name in ("elderly", "disabled", "hardship")
    }
    note = c.take("note", lambda v: parse_note(v, max_length=1000), raw.get("note"))

    if signed_on and signed_on > timezone.localdate():
        c.add("signed_on", ERROR_SIGNED_IN_FUTURE)
    entitled = _entitled_area(c, project, mode, stated_area, persons, original)
    if c.errors:
        return None, c.errors
    assert entitled is not None, "without errors every value it needs was read"
    return (
        HouseholdData(
            agreement_no=agreement_no,
            village=village,
            head_name=head_name,
            head_id_number=head_id,
            phone=phone,
            recognised_persons=persons,
            original_area=original,
            entitled_area=entitled,
            compensation_mode=mode,
            signed_on=signed_on,
            note=note,
            **flags,
        ),
        {},
    )


def _as_text(value: object) -> str:
    # A phone number typed into Excel often arrives as a float (13800000000.0).
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if is_blank(value) else str(value)


def _entitled_area(c, project, mode, stated, persons, original) -> Decimal | None:
    if mode is None or "entitled_area" in c.errors:
        return None
    if mode == CompensationMode.CASH:
        if stated:
            c.add("entitled_area", ERROR_CASH_HAS_NO_AREA)
        return Decimal("0.00")
    if stated is None:
        if persons is None or original is None:
            return None
        stated = entitled_area_for(project, recognised_persons=persons, original_area=original)
        maximum = RANGES["entitled_area"].maximum
        if stated > maximum:
            c.add("entitled_area", ERROR_ENTITLED_AREA_RANGE % {"area": stated, "maximum": maximum})
            return None
    if stated <= 0:
        c.add("entitled_area", ERROR_SWAP_NEEDS_AREA)
        return None
    return stated


def member_clean(raw: Mapping[str, object]) -> tuple[MemberData | None, Errors]:
    c = _Collector()
    name = c.take("name", parse_name, raw.get("name"))
    relation = c.take(
        "relation",
        lambda v: parse_choice(v, Relation, aliases=RELATION_ALIASES),
        raw.get("relation"),
    )
    id_number = c.take(
        "id_number",
        lambda v: "" if is_blank(v) else normalize_id_number(v),
        raw.get("id_number"),
    )
    recognised = c.take(
        "recognised",
        lambda v: True if is_blank(v) else parse_bool(v),
        raw.get("recognised"),
    )
    if c.errors:
        return None, c.errors
    return MemberData(name=name, relation=relation, id_number=id_number, recognised=recognised), {}


def members_check(household: HouseholdData, members: Sequence[MemberData]) -> Errors:
    """Rules joining a household and its members (only checked when members are given)."""
    counted = 1 + sum(1 for member in members if member.recognised)
    if counted != household.recognised_persons:
        message = ERROR_PERSONS_MISMATCH % {
            "stated": household.recognised_persons,
            "counted": counted,
        }
        return {"recognised_persons": [message]}
    return {}


def household_conflicts(
    project: Project,
    records: Sequence[HouseholdData],
    *,
    labels: Sequence[str] | None = None,
    exclude_pk: int | None = None,
) -> dict[int, Errors]:
    """Duplicates within the batch and against the stored project, by record index.

    `labels` names each record for messages ("row 5"); an agreement number or a person's ID
    number may occur only once in a project, counting heads and members alike.
    """
    labels = labels or [str(index + 1) for index in range(len(records))]
    stored = Household.objects.filter(project=project)
    if exclude_pk is not None:
        stored = stored.exclude(pk=exclude_pk)
    stored_agreements = {
        agreement_key(value): value for value in stored.values_list("agreement_no", flat=True)
    }
    stored_people = dict(stored.values_list("head_id_number", "agreement_no"))
    members = Member.objects.filter(household__in=stored).exclude(id_number="")
    stored_people.update(members.values_list("id_number", "household__agreement_no"))

    conflicts: dict[int, Errors] = defaultdict(dict)
    seen_agreements: dict[str, list[int]] = defaultdict(list)
    seen_people: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for index, record in enumerate(records):
        seen_agreements[agreement_key(record.agreement_no)].append(index)
        seen_people[record.head_id_number].append((index, "head_id_number"))
        for position, member in enumerate(record.members):
            if member.id_number:
                seen_people[member.id_number].append((index, f"members.{position}"))

    for key, indexes in seen_agreements.items():
        value = records[indexes[0]].agreement_no
        if key in stored_agreements:
            for index in indexes:
                _add(
                    conflicts,
                    index,
                    "agreement_no",
                    ERROR_AGREEMENT_EXISTS,
                    value=stored_agreements[key],
                )
        elif len(indexes) > 1:
            for index in indexes:
                other = "、".join(labels[i] for i in indexes if i != index)
                _add(
                    conflicts,
                    index,
                    "agreement_no",
                    ERROR_DUPLICATE_AGREEMENT,
                    value=value,
                    other=other,
                )
    for value, places in seen_people.items():
        if value in stored_people:
            for index, name in places:
                _add(
                    conflicts,
                    index,
                    name,
                    ERROR_PERSON_EXISTS,
                    value=mask_id_number(value),
                    agreement=stored_people[value],
                )
        elif len(places) > 1:
            for index, name in places:
                other = "、".join(labels[i] for i, _name in places if i != index) or labels[index]
                _add(
                    conflicts,
                    index,
                    name,
                    ERROR_DUPLICATE_PERSON,
                    value=mask_id_number(value),
                    other=other,
                )
    return dict(conflicts)


def _add(conflicts, index: int, name: str, message, **params) -> None:
    conflicts[index].setdefault(name, []).append(str(message % params))
