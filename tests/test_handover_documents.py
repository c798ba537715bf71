"""The papers as printed: every font embedded and CJK (pdffonts), the flat code and the amounts
in figures and in 人民币大写 found by pdftotext in the notice, the handover confirmation, the
key receipt and the 选房确认书; the notice fits one A4 page with three flats; a reprint is the
same bytes, a voided paper's next print a new number."""

import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from resettlement.archive.models import IssuedKind, IssuedStatus
from resettlement.archive.registry import document_void, issued_bytes
from resettlement.documents import render_layout
from resettlement.handover.documents import (
    TEMPLATES,
    handover_papers,
    household_sums,
    notice_sums,
    paper_context,
    paper_issue,
    paper_register,
)
from resettlement.handover.models import InspectionResult
from resettlement.handover.services import (
    FlatHandover,
    handover_record,
    household_flats,
    inspection_record,
)
from resettlement.housing.models import Flat
from resettlement.projects.templatetags.quantities import yuan
from resettlement.rmb import rmb_upper
from tests.handover_fixtures import handover_day

pytestmark = pytest.mark.django_db


def poppler(tool: str, content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.pdf"
        path.write_bytes(content)
        return subprocess.run(
            [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def assert_fonts_embedded_cjk(content: bytes) -> None:
    """Every font row of `pdffonts`: embedded (emb yes) and a Noto Sans … CJK font."""
    header, _rule, *rows = poppler("pdffonts", content).splitlines()
    assert rows, "the PDF names no font"
    emb = header.index("emb")
    for row in rows:
        assert row[emb : emb + 3] == "yes", row
        name = row.split()[0].split("+")[-1].replace("-", "")  # Noto-Sans-CJK-SC-Bold
        assert name.startswith(("NotoSansCJK", "NotoSansMonoCJK")), row


def text_of(content: bytes) -> str:
    """pdftotext's text without the spaces and line breaks it adds between glyphs and cells."""
    return "".join(poppler("pdftotext", content).split())


@pytest.fixture
def day(world):
    return handover_day(world)


def handed(batch, household, by=None):
    (flat,) = household_flats(household, batch)
    today = timezone.localdate()
    paper_register(IssuedKind.HANDOVER_NOTICE, batch.appointments.get(household=household))
    inspection_record(
        household=household, flat=flat, inspected_on=today, result=InspectionResult.ACCEPTED
    )
    return handover_record(
        batch=batch,
        household=household,
        flats=[
            FlatHandover(
                flat=flat,
                water_reading=Decimal("3.5"),
                electricity_reading=Decimal("17"),
                door_keys=3,
                access_cards=2,
                mailbox_keys=1,
                quality_guarantee=True,
                usage_manual=True,
            )
        ],
        handed_on=today,
        by=by,
    )


def test_the_notice_names_the_flat_and_the_sums_in_figures_and_in_words(day):
    batch, people = day
    appointment = batch.appointments.get(household=people[0])
    document = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
    content = issued_bytes(document)
    assert_fonts_embedded_cjk(content)
    text = text_of(content)
    sums = notice_sums(appointment)
    assert sums.maintenance_fund == (sums.gross_area * Decimal("60.00")).quantize(Decimal("0.01"))
    for expected in (
        "5-1-101",
        yuan(abs(sums.balance)),
        rmb_upper(abs(sums.balance)),
        yuan(sums.maintenance_fund),
        yuan(sums.property_fee),
        yuan(abs(sums.due)),
        rmb_upper(abs(sums.due)),
        "029-00000000",
        document.number,
        document.code,
        "社区服务中心一楼",
    ):
        assert expected in text, expected


def test_the_notice_fits_one_a4_page_with_three_flats(day):
    batch, people = day
    batch.place = "西安市长安区郭杜街道闵旗寨村回迁安置小区社区服务中心一楼大厅交房办理专区"
    batch.save()
    project = batch.project
    project.name = "长安区郭杜街道闵旗寨村城中村改造回迁安置项目（一期）"
    project.save()
    appointment = batch.appointments.get(household=people[0])
    document = paper_register(IssuedKind.HANDOVER_NOTICE, appointment)
    context = paper_context(IssuedKind.HANDOVER_NOTICE, appointment, document)
    flats = list(Flat.objects.filter(building=batch.buildings.get()).order_by("code")[:3])
    context["flats"] = flats
    context["sums"] = household_sums(people[0], flats)
    laid_out = render_layout(TEMPLATES[IssuedKind.HANDOVER_NOTICE], context)
    assert len(laid_out.pages) == 1
    page = laid_out.pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (210, 297)
    text = text_of(laid_out.write_pdf())
    assert all(flat.code in text for flat in flats) and document.code in text


def test_the_handover_confirmation_and_key_receipt_name_the_flat_readings_and_sums(day, personas):
    batch, people = day
    handover = handed(batch, people[0], by=personas["clerk"])
    confirmation, receipt = handover_papers(handover)
    sums = notice_sums(batch.appointments.get(household=people[0]))

    content = issued_bytes(confirmation)
    assert_fonts_embedded_cjk(content)
    text = text_of(content)
    for expected in (
        "5-1-101",
        "3.50m³",
        "17.00度",
        yuan(abs(sums.balance)),
        rmb_upper(abs(sums.balance)),
        yuan(sums.maintenance_fund),
        yuan(abs(sums.due)),
        rmb_upper(abs(sums.due)),
        confirmation.number,
        confirmation.code,
    ):
        assert expected in text, expected

    content = issued_bytes(receipt)
    assert_fonts_embedded_cjk(content)
    text = text_of(content)
    assert "5-1-101" in text and receipt.number in text and receipt.code in text
    assert "5-1-101321" in text, "the flat's keys, cards and mailbox keys in figures"


def test_the_selection_confirmation_is_numbered_with_its_code_and_amounts(day):
    batch, people = day
    selection = people[0].selections.get()
    document = paper_issue(IssuedKind.SELECTION_CONFIRMATION, selection)
    assert document.number == f"{batch.project.code}-XF-{document.year}-000001"
    content = issued_bytes(document)
    assert_fonts_embedded_cjk(content)
    text = text_of(content)
    for expected in (
        "5-1-101",
        yuan(abs(selection.balance)),
        rmb_upper(abs(selection.balance)),
        document.number,
        document.code,
    ):
        assert expected in text, expected
    assert f"XF-{selection.pk:06d}" not in text


def test_a_reprint_is_the_same_bytes_and_a_voided_paper_prints_as_a_new_number(day, monkeypatch):
    from tests.documents import forbid_weasyprint

    batch, people = day
    appointment = batch.appointments.get(household=people[1])
    first = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
    with monkeypatch.context() as patched:
        forbid_weasyprint(patched)
        again = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
    assert (again.pk, again.number, again.stored_id) == (first.pk, first.number, first.stored_id)
    assert issued_bytes(again) == issued_bytes(first)

    assert document_void(subject=appointment, kind=IssuedKind.HANDOVER_NOTICE, reason="改约")
    renewed = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
    first.refresh_from_db()
    assert first.status == IssuedStatus.VOIDED
    assert renewed.pk != first.pk and renewed.sequence == first.sequence + 1
    assert issued_bytes(renewed) != issued_bytes(first)
    assert renewed.number in text_of(issued_bytes(renewed))
