"""Handover on a phone (390×844), in the default Chinese interface: a supervisor is refused a
batch for a building without 竣工验收, then takes one household from its notice (printed, a
PDF) through an inspection with a defect and its photo, the fix and its acceptance, to the
handover and the printed 房屋交接确认书 with the flat's code on it."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from resettlement.handover.models import Defect, DefectStatus, Handover, HandoverBatch
from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import FlatStatus
from tests.browser.conftest import log_in, new_context
from tests.documents import pdf_text
from tests.handover_fixtures import handover_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _jpeg() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (120, 90), (180, 40, 40)).save(data, "JPEG")
    return data.getvalue()


def _pdf(page, href: str) -> bytes:
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"


def test_one_household_from_its_notice_to_its_keys_on_a_phone(
    world, personas, browser, live_server
):
    batch, people = handover_day(world)
    household = people[0]
    flat = household.selections.get().flats.get().flat
    appointment = batch.appointments.get(household=household)
    page = new_context(browser, live_server, **PHONE).new_page()
    page.set_default_timeout(15_000)
    log_in(page, "supervisor")

    # A batch for 6#, whose completion acceptance is not done, is refused by name.
    page.goto(reverse("handover:project", args=[batch.project.code]))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    six = world.project_a.buildings.get(code="6#")
    page.fill("#id_name", "6#楼交房")
    page.check(f"input[name=buildings][value='{six.pk}']")
    page.fill("#id_place", "一楼大厅")
    page.locator("#open-batch button[type=submit]").click()
    errors = page.locator("#open-batch .form-errors")
    expect(errors).to_contain_text("6#")
    expect(errors).to_contain_text("竣工验收")
    assert HandoverBatch.objects.count() == 1
    _fits_the_phone(page)

    # The notice: printed once (the household is notified), its number on the page.
    page.goto(reverse("handover:appointment", args=[appointment.pk]))
    _fits_the_phone(page)
    notice = _pdf(page, page.locator("#print-notice").get_attribute("href"))
    assert flat.code in pdf_text(notice)
    page.reload()
    expect(page.locator("#notice-number")).to_have_text(
        household.issued_documents.get(kind="handover_notice").number
    )
    household.refresh_from_db()
    assert household.status == HouseholdStatus.NOTIFIED

    # The inspection: accepted with a defect noted, with a photo taken on the phone.
    form = page.locator("#inspection-form")
    expect(form.locator("#id_reinspect_on")).to_be_hidden()
    form.locator("input[name=result][value=refused]").check()
    expect(form.locator("#id_reinspect_on")).to_be_visible()
    form.locator("input[name=result][value=accepted_defects]").check()
    expect(form.locator("#id_reinspect_on")).to_be_hidden()
    form.locator("#id_defect-0-room").fill("主卧")
    form.locator("#id_defect-0-category").select_option("walls")
    form.locator("#id_defect-0-description").fill("墙面裂缝约30厘米")
    form.locator("#id_defect-0-photo").set_input_files(
        files=[{"name": "crack.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.locator("#save-inspection").click()
    defect = Defect.objects.get()
    row = page.locator(f"#defect-{defect.pk}")
    expect(row).to_contain_text("墙面裂缝约30厘米")
    expect(row.locator("img.defect-thumb")).to_be_visible()

    # The contractor's fix, then the household accepts it.
    row.locator("form[action$='/fix/'] button").click()
    expect(page.locator(f"#defect-{defect.pk} form[action$='/accept/']")).to_be_visible()
    page.locator(f"#defect-{defect.pk} form[action$='/accept/'] button").click()
    expect(page.locator(f"#defect-{defect.pk} form")).to_have_count(0)
    defect.refresh_from_db()
    assert defect.status == DefectStatus.ACCEPTED

    # The handover: readings, keys, both booklets; then the confirmation printed.
    prefix = f"#id_flat-{flat.pk}-"
    handover_form = page.locator("#handover-form")
    handover_form.locator(prefix + "water_reading").fill("12.5")
    handover_form.locator(prefix + "electricity_reading").fill("230.4")
    handover_form.locator(prefix + "door_keys").fill("3")
    handover_form.locator(prefix + "access_cards").fill("2")
    handover_form.locator(prefix + "mailbox_keys").fill("1")
    handover_form.locator(prefix + "quality_guarantee").check()
    handover_form.locator(prefix + "usage_manual").check()
    _fits_the_phone(page)
    page.locator("#save-handover").click()
    handover = Handover.objects.get()
    expect(page.locator(f"#handover-{handover.pk}")).to_be_visible()
    confirmation = _pdf(
        page, page.locator(f"#print-confirmation-{handover.pk}").get_attribute("href")
    )
    assert flat.code in pdf_text(confirmation)
    flat.refresh_from_db()
    household.refresh_from_db()
    assert flat.status == FlatStatus.HANDED_OVER
    assert household.status == HouseholdStatus.HANDED_OVER
