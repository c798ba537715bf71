import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

# Transactional so the live server thread sees the data on PostgreSQL too; serialized_rollback
# restores what data migrations created (roles, milestone types) after each flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("browser_locale", ["en-US"])  # a PC set to English
def test_project_team_member_sees_only_its_own_project(world, personas, page):
    log_in(page, "team")
    cards = page.locator(".project-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(world.project_a.name)
    expect(page.locator("body")).not_to_contain_text(world.project_b.name)
    # The interface is Chinese although the browser asks for English.
    expect(page.locator(".brand")).to_have_text("回迁安置管理系统")
    # Household records are not for construction teams: no menu entry.
    expect(page.locator("nav.nav")).not_to_contain_text("回迁户")

    page.click(f"text={world.project_a.name}")
    expect(page.locator("h1")).to_have_text(world.project_a.name)
    page.click(f"#buildings >> text={world.building_a.code}")
    expect(page.locator("#milestones tbody tr")).to_have_count(19)
    expect(page.locator('tr[data-node="start"]')).to_contain_text("开工")

    response = page.goto(f"/projects/{world.project_b.code}/")
    assert response.status == 404
    response = page.goto(world.building_b.get_absolute_url())
    assert response.status == 404
    response = page.goto("/households/")
    assert response.status == 403


def test_leader_sees_both_projects(world, personas, page):
    log_in(page, "leader")
    expect(page.locator(".project-card")).to_have_count(2)
