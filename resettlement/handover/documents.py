"""The papers a household is given at handover, each registered (archive.registry: a number, a
verification code printed as text and QR code) and its bytes stored once:

- 交房通知书 (IssuedKind.HANDOVER_NOTICE), subject an Appointment: the flats, the appointment,
  what to bring, the settlement balance and the sums due at handover. Issuing it records the
  household as notified (已通知交房).
- 房屋交接确认书 (HANDOVER_CONFIRMATION) and 钥匙领取单 (KEY_RECEIPT), subject a Handover.
- 选房确认书 (SELECTION_CONFIRMATION), subject a Selection: the selection's own document
  (selection.documents), here so that bulk printing handles every kind alike.

`paper_register` numbers a paper (once per subject and kind), `paper_layout` lays it out with
its number (bulk printing writes the pages), `paper_issue` does both and stores the bytes.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from resettlement.accounts.models import User
from resettlement.archive.models import DocumentKind, IssuedDocument, IssuedKind
from resettlement.archive.registry import (
    document_attach,
    document_register,
    verification_context,
)
from resettlement.documents import pdf_bytes, render_layout
from resettlement.handover.models import Appointment, Handover
from resettlement.handover.services import active_selection, household_flats
from resettlement.households.access_codes import printed_access_code
from resettlement.households.lifecycle import household_notify
from resettlement.households.models import Household, HouseholdStatus
from resettlement.rmb import rmb_upper
from resettlement.selection.documents import (
    confirmation_document,
    confirmation_issued,
    confirmation_layout,
)
from resettlement.selection.models import Selection

CENT = Decimal("0.01")

TEMPLATES = {
    IssuedKind.HANDOVER_NOTICE: "documents/handover_notice.html",
    IssuedKind.HANDOVER_CONFIRMATION: "documents/handover_confirmation.html",
    IssuedKind.KEY_RECEIPT: "documents/key_receipt.html",
}

# What a household brings to the handover (printed on the notice).
TO_BRING = (
    "户主及家庭成员身份证原件",
    "户口簿原件",
    "安置补偿协议",
    "选房确认书",
    "缴款凭证（面积差价款、专项维修资金、物业服务费）",
)


Subject = Appointment | Handover | Selection


def paper_household(subject: Subject) -> Household:
    return subject.household


def paper_flats(kind: str, subject: Subject) -> list:
    if kind == IssuedKind.SELECTION_CONFIRMATION:
        assert isinstance(subject, Selection)
        return [item.flat for item in subject.flats.select_related("flat__building")]
    if kind == IssuedKind.HANDOVER_NOTICE:
        assert isinstance(subject, Appointment)
        return household_flats(subject.household, subject.batch)
    assert isinstance(subject, Handover)
    return [item.flat for item in subject.flats.select_related("flat__building")]


def paper_register(kind: str, subject: Subject, *, by: User | None = None) -> IssuedDocument:
    """The subject's paper of this kind, numbered once. A notice records its household as
    notified (已通知交房) in the same transaction."""
    if kind == IssuedKind.SELECTION_CONFIRMATION:
        assert isinstance(subject, Selection)
        return confirmation_issued(subject, by=by)
    household = paper_household(subject)
    with transaction.atomic():
        document = document_register(
            subject=subject,
            kind=kind,
            household=household,
            flat_codes=[flat.code for flat in paper_flats(kind, subject)],
            by=by,
        )
        if kind == IssuedKind.HANDOVER_NOTICE:
            current = Household.objects.filter(pk=household.pk).values_list("status", flat=True)
            if current.get() == HouseholdStatus.ALLOCATED:
                household_notify(household=household, by=by)
    return document


@dataclass(frozen=True)
class Sums:
    """What a notice asks the household to settle at handover (yuan)."""

    gross_area: Decimal
    balance: Decimal  # the selection's settlement: > 0 to pay, < 0 refunded
    maintenance_fund: Decimal  # 专项维修资金: gross area × rate
    property_fee: Decimal  # first property-service period: gross area × rate × months
    months: int

    @property
    def due(self) -> Decimal:
        """Everything to pay at handover (a refund counts against it)."""
        return self.balance + self.maintenance_fund + self.property_fee


def notice_sums(appointment: Appointment, flats: list | None = None) -> Sums:
    flats = (
        flats if flats is not None else household_flats(appointment.household, appointment.batch)
    )
    return household_sums(appointment.household, flats)


def household_sums(household: Household, flats: list) -> Sums:
    """The sums a household settles at handover for these flats (the notice asks for them, the
    handover confirmation records them)."""
    project = household.project
    area = sum((flat.gross_area for flat in flats), Decimal(0))
    selection = active_selection(household)
    return Sums(
        gross_area=area,
        balance=selection.balance if selection is not None else Decimal(0),
        maintenance_fund=(area * project.maintenance_fund_rate).quantize(CENT, ROUND_HALF_UP),
        property_fee=(area * project.property_fee_rate * project.property_fee_months).quantize(
            CENT, ROUND_HALF_UP
        ),
        months=project.property_fee_months,
    )


def paper_context(kind: str, subject: Appointment | Handover, document: IssuedDocument) -> dict:
    household = paper_household(subject)
    flats = paper_flats(kind, subject)
    context = {
        "document": document,
        **verification_context(document, household, printed_access_code(household)),
        "household": household,
        "project": household.project,
        "flats": flats,
    }
    if kind == IssuedKind.HANDOVER_NOTICE:
        assert isinstance(subject, Appointment)
        sums = notice_sums(subject, flats)
        context.update(
            appointment=subject,
            batch=subject.batch,
            slot=subject.slot,
            sums=sums,
            balance_in_words=rmb_upper(abs(sums.balance)),
            due_in_words=rmb_upper(abs(sums.due)),
            to_bring=TO_BRING,
        )
    else:
        assert isinstance(subject, Handover)
        sums = household_sums(household, flats)
        context.update(
            handover=subject,
            batch=subject.batch,
            handed=list(subject.flats.select_related("flat__building")),
            sums=sums,
            balance_in_words=rmb_upper(abs(sums.balance)),
            due_in_words=rmb_upper(abs(sums.due)),
        )
    return context


def paper_layout(kind: str, subject: Subject, document: IssuedDocument):
    """The paper laid out with its number and code (a weasyprint.Document)."""
    if isinstance(subject, Selection):
        assert kind == IssuedKind.SELECTION_CONFIRMATION
        return confirmation_layout(subject, document)
    return render_layout(TEMPLATES[IssuedKind(kind)], paper_context(kind, subject, document))


def paper_issue(kind: str, subject: Subject, *, by: User | None = None) -> IssuedDocument:
    """The subject's paper of this kind, registered and its bytes stored: a reprint is the same
    bytes."""
    if kind == IssuedKind.SELECTION_CONFIRMATION:
        assert isinstance(subject, Selection)
        confirmation_document(subject, kind=DocumentKind.SELECTION_CONFIRMATION, by=by)
        return confirmation_issued(subject, by=by)
    document = paper_register(kind, subject, by=by)
    if document.stored_id is None:
        document_attach(document, pdf_bytes(paper_layout(kind, subject, document)), by=by)
    return document


def handover_papers(handover: Handover, *, by: User | None = None) -> list[IssuedDocument]:
    """The 房屋交接确认书 and the 钥匙领取单 of a handover, issued."""
    return [
        paper_issue(kind, handover, by=by)
        for kind in (IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT)
    ]
