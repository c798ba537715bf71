"""Household searches never put a full ID number in an address: the search forms (the staff
page's and the admin's) post, and ID numbers are searched by their last 6 characters."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from resettlement.households.models import Member, Relation
from tests.factories import HouseholdFactory, synthetic_id_number

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:households_household_changelist")
SEARCH = "/admin/households/household/search/"
SHORTENED = "完整身份证号码不会出现在网址中：已改为按后 6 位检索。"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_no_full_id(url: str, *id_numbers: str) -> None:
    for id_number in id_numbers:
        assert id_number not in url
        assert id_number[-7:] not in url, "no more than the last 6 characters"


def listed(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_search_box_posts_with_a_separate_box_for_the_last_digits(world, login):
    page = listed(login("admin"), CHANGELIST)
    form = page.split('id="changelist-search"')[1].split("</form>")[0]
    assert 'method="post"' in form and f'action="{SEARCH}"' in form
    assert 'name="id_digits"' in form and 'maxlength="6"' in form
    assert "身份证号码请按后 6 位检索：网址中不会出现完整号码。" in form


@pytest.mark.parametrize("box", ["q", "id_digits"])
def test_a_full_id_number_typed_in_either_box_is_searched_by_its_last_six(world, login, box):
    client = login("admin")
    household = world.household_a
    full = household.head_id_number
    response = client.post(SEARCH, {box: f" {full} ", "project__id__exact": world.project_a.pk})
    assert response.status_code == 302
    location = response["Location"]
    assert_no_full_id(location, full)
    assert query_of(location) == {
        "id_digits": [full[-6:]],
        "project__id__exact": [str(world.project_a.pk)],
    }
    assert [str(m) for m in get_messages(response.wsgi_request)] == [SHORTENED]
    page = listed(client, location)
    assert household.agreement_no in page and world.household_b.agreement_no not in page


def test_the_last_digits_find_a_members_id_number_too(world, login):
    client = login("admin")
    member_id = synthetic_id_number(male=False)
    Member.objects.create(
        household=world.household_b, name="王芳", relation=Relation.SPOUSE, id_number=member_id
    )
    response = client.post(SEARCH, {"id_digits": member_id[-4:].lower()})
    assert query_of(response["Location"]) == {"id_digits": [member_id[-4:]]}
    assert list(get_messages(response.wsgi_request)) == []
    page = listed(client, response["Location"])
    assert world.household_b.agreement_no in page and world.household_a.agreement_no not in page


def test_names_and_agreement_numbers_are_searched_as_typed(world, login):
    client = login("admin")
    other = HouseholdFactory(project=world.project_a, agreement_no="YT-2021-000123456")
    response = client.post(SEARCH, {"q": "YT-2021-000123456"})
    assert query_of(response["Location"]) == {"q": ["YT-2021-000123456"]}
    page = listed(client, response["Location"])
    assert other.agreement_no in page and world.household_a.agreement_no not in page
    response = client.post(SEARCH, {"q": world.household_b.head_name})
    assert world.household_b.agreement_no in listed(client, response["Location"])


def test_an_address_with_a_full_id_number_is_answered_at_one_without(world, login):
    client = login("admin")
    full = world.household_a.head_id_number
    spaced = f"{full[:6]} {full[6:14]} {full[14:]}"
    for params in (
        {"q": full},
        {"q": spaced},
        {"id_digits": full},
        {"q": full, "status": "signed"},
    ):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 302, params
        assert_no_full_id(response["Location"], full)
        assert query_of(response["Location"])["id_digits"] == [full[-6:]]
    page = listed(client, response["Location"])
    assert world.household_a.agreement_no in page
    assert SHORTENED in page


@pytest.mark.parametrize("persona", ["team", "lead", "clerk", "supervisor", "leader", "outsider"])
def test_only_administrators_open_households_in_the_admin(world, login, persona):
    """Administrators see full ID numbers (they hold view_personal_data); no other role opens
    the admin, so nothing there needs masking."""
    client = login(persona)
    change = reverse("admin:households_household_change", args=[world.household_a.pk])
    for url in (CHANGELIST, change):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.post(SEARCH, {"q": world.household_a.head_id_number})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert_no_full_id(response["Location"], world.household_a.head_id_number)


STAFF_SEARCH = reverse("households:search")


def test_the_staff_search_form_posts(world, login):
    page = listed(login("clerk"), STAFF_SEARCH)
    form = page.split('role="search"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in form and f'action="{STAFF_SEARCH}"' in form


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "leader", "admin"])
def test_a_full_id_number_typed_on_the_staff_page_is_searched_by_its_last_six(
    world, login, persona
):
    client = login(persona)
    full = world.household_a.head_id_number
    posted = {"q": full, "id_digits": "", "project": world.project_a.pk, "village": ""}
    response = client.post(STAFF_SEARCH, posted)
    assert response.status_code == 302
    assert_no_full_id(response["Location"], full)
    assert query_of(response["Location"]) == {
        "project": [str(world.project_a.pk)],
        "id_digits": [full[-6:]],
    }
    page = listed(client, response["Location"])
    assert SHORTENED in page and world.household_a.agreement_no in page


def test_the_staff_page_keeps_a_name_search_as_typed(world, login):
    client = login("clerk")
    response = client.post(STAFF_SEARCH, {"q": world.household_a.head_name, "id_digits": "12X"})
    assert query_of(response["Location"]) == {
        "q": [world.household_a.head_name],
        "id_digits": ["12X"],
    }
    assert list(get_messages(response.wsgi_request)) == []


def test_a_staff_address_with_a_full_id_number_is_answered_at_one_without(world, login):
    client = login("supervisor")
    full = world.household_a.head_id_number
    response = client.get(STAFF_SEARCH, {"q": full, "page": 2})
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF_SEARCH}?id_digits={full[-6:]}"
