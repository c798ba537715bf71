"""The map popup of a building being handed over states its flats handed over and to hand
over, in Chinese, after a handover and after it is undone."""

import pytest
from playwright.sync_api import expect

from resettlement.handover.services import handover_undo
from tests import geodata
from tests.browser.conftest import log_in
from tests.handover_fixtures import handover_day
from tests.test_handover_counts import hand_over

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def popup_of(page, code: str):
    page.goto("/map/?project=PA")
    page.wait_for_function("() => document.body.dataset.mapReady === 'true'")
    page.evaluate(
        """(code) => window.resettlementMap.map.eachLayer((layer) => {
             if (layer.feature && layer.feature.properties.code === code && layer.getBounds)
               layer.openPopup();
           })""",
        code,
    )
    popup = page.locator(".building-popup")
    expect(popup).to_be_visible()
    return popup


def fact(popup, term: str):
    return popup.locator(f"dt:text-is('{term}') + dd")


def test_the_popup_counts_flats_handed_over_and_to_hand_over(world, personas, page):
    batch, people = handover_day(world, by=personas["supervisor"])
    building = batch.buildings.get()
    building.footprint = geodata.footprint(0, width=0.0012, depth=0.0008).__geo_interface__
    building.save()
    handover = hand_over(batch, people[0], by=personas["clerk"])
    log_in(page, "team")
    popup = popup_of(page, "5#")
    expect(fact(popup, "已交房套数")).to_have_text("1")
    expect(fact(popup, "待交房套数")).to_have_text("3")

    handover_undo(handover=handover, reason="钥匙错发", by=personas["supervisor"])
    popup = popup_of(page, "5#")
    expect(fact(popup, "已交房套数")).to_have_text("0")
    expect(fact(popup, "待交房套数")).to_have_text("4")
