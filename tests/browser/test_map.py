import datetime
import math

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maps.gcj02 import wgs84_to_gcj02
from maps.palette import PHASE_STYLES
from resettlement.housing.models import Phase
from resettlement.progress.services import building_milestones_record
from tests import geodata
from tests.browser.conftest import log_in
from tests.factories import make_building

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def mapped(world):
    """Project A: one building not started, one with its foundation under way."""
    world.building_a.footprint = geodata.footprint(0, width=0.0012, depth=0.0008).__geo_interface__
    world.building_a.save()
    busy = make_building(world.project_a, "2#")
    busy.footprint = geodata.footprint(3, width=0.0012, depth=0.0008).__geo_interface__
    busy.save()
    start = busy.milestones.get(milestone_type__code="start")

    building_milestones_record(
        changes=[
            (
                start,
                {"percent": 50, "actual_start": timezone.localdate() - datetime.timedelta(days=3)},
            )
        ]
    )
    return world


def open_map(page, project="PA"):
    page.goto(f"/map/?project={project}")
    page.wait_for_function("() => document.body.dataset.mapReady === 'true'")


def pixel_at_building(page, code: str) -> tuple[int, int, int]:
    """The colour the canvas drew at the centre of the building's footprint."""
    return tuple(
        page.evaluate(
            """(code) => {
          const map = window.resettlementMap.map;
          let layer = null;
          map.eachLayer((l) => { if (l.feature && l.feature.properties.code === code && l.getBounds) layer = l; });
          const point = map.latLngToContainerPoint(layer.getBounds().getCenter());
          const canvas = document.querySelector("#map canvas");
          const ratio = canvas.width / canvas.clientWidth;
          const pixel = canvas.getContext("2d").getImageData(Math.round(point.x * ratio), Math.round(point.y * ratio), 1, 1).data;
          return [pixel[0], pixel[1], pixel[2]];
        }""",
            code,
        )
    )


def expected(phase: Phase) -> tuple[int, int, int]:
    """The phase colour (getImageData is not premultiplied: colour and opacity stay apart)."""
    colour = PHASE_STYLES[phase].colour
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def close(a, b, tolerance=3) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_map_colours_buildings_by_phase_and_opens_a_popup(mapped, personas, page):
    log_in(page, "team")
    open_map(page)
    expect(page.locator(".map-legend")).to_contain_text("未开工")
    expect(page.locator(".map-legend")).to_contain_text("基础施工")
    assert page.evaluate("document.body.dataset.buildingsShown") == "2"
    assert close(pixel_at_building(page, "1#"), expected(Phase.NOT_STARTED))
    assert close(pixel_at_building(page, "2#"), expected(Phase.FOUNDATION))

    box = page.locator("#map").bounding_box()
    point = page.evaluate(
        """() => {
          const map = window.resettlementMap.map; let target = null;
          map.eachLayer((l) => { if (l.feature && l.feature.properties.code === "2#" && l.getBounds) target = l; });
          return map.latLngToContainerPoint(target.getBounds().getCenter());
        }"""
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.locator(".building-popup")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("2#")
    expect(popup).to_contain_text("基础施工")
    expect(popup).to_contain_text("开工")  # current stage
    popup.locator("a").click()
    expect(page.locator("h1")).to_contain_text("2#")


def test_legend_filters_phases(mapped, personas, page):
    log_in(page, "team")
    open_map(page)
    page.locator('.map-legend input[value="not_started"]').uncheck()
    assert page.evaluate("document.body.dataset.buildingsShown") == "1"
    page.locator('.map-legend input[value="not_started"]').check()
    assert page.evaluate("document.body.dataset.buildingsShown") == "2"


def test_map_shows_only_the_users_projects(mapped, personas, page):
    mapped.building_b.footprint = geodata.footprint(6).__geo_interface__
    mapped.building_b.save()
    log_in(page, "team")
    open_map(page, project="")
    codes = page.evaluate(
        """() => { const out = []; window.resettlementMap.map.eachLayer((l) => { if (l.feature && l.feature.properties.project) out.push(l.feature.properties.project); }); return [...new Set(out)]; }"""
    )
    assert codes == ["PA"]


def test_gcj02_shift_in_the_browser_matches_the_server(mapped, personas, page):
    log_in(page, "team")
    open_map(page)
    for lng, lat in [(108.95, 34.22), (108.98, 34.23), (116.39, 39.9)]:
        shifted = page.evaluate("([lng, lat]) => window.wgs84ToGcj02(lng, lat)", [lng, lat])
        expected_lng, expected_lat = wgs84_to_gcj02(lng, lat)
        assert math.isclose(shifted[0], expected_lng, abs_tol=1e-9)
        assert math.isclose(shifted[1], expected_lat, abs_tol=1e-9)
    # About 460 m at Xi'an, as the domain brief says.
    dx = (wgs84_to_gcj02(108.95, 34.22)[0] - 108.95) * 92_000
    dy = (wgs84_to_gcj02(108.95, 34.22)[1] - 34.22) * 111_000
    assert 350 < math.hypot(dx, dy) < 600
