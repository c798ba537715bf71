"""Project teams update milestones from a phone-sized page; supervisors record exceptions and
edit the template; everyone sees delays and the history."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from resettlement.accounts.models import Role
from resettlement.progress.models import BuildingMilestone, MilestonePhoto, ProjectMilestone
from resettlement.progress.services import building_milestones_record
from tests.factories import make_building, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)


def node(building, code) -> BuildingMilestone:
    return building.milestones.select_related("milestone_type", "building").get(
        milestone_type__code=code
    )


def template_form(project, *, weights=None, remove=()) -> dict:
    """The template page's form as submitted: every node, with changed weights and removals."""
    template = list(ProjectMilestone.objects.filter(project=project).order_by("sequence"))
    data = {
        "nodes-TOTAL_FORMS": len(template),
        "nodes-INITIAL_FORMS": len(template),
        "nodes-MIN_NUM_FORMS": 0,
        "nodes-MAX_NUM_FORMS": 1000,
    }
    for index, entry in enumerate(template):
        code = entry.milestone_type.code
        data[f"nodes-{index}-position"] = entry.sequence
        data[f"nodes-{index}-milestone_type"] = entry.milestone_type_id
        data[f"nodes-{index}-weight"] = (weights or {}).get(code, str(entry.weight))
        if code in remove:
            data[f"nodes-{index}-DELETE"] = "on"
    return data


def phone_photo(*, size=(4000, 3000), taken="2025:06:28 09:30:00") -> SimpleUploadedFile:
    image = Image.new("RGB", size, (180, 120, 60))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to be upright
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0x9003] = taken
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


@time_machine.travel(TODAY)
def test_team_updates_a_node_with_photos_from_the_phone_page(world, login, personas):
    milestone = node(world.building_a, "start")
    client = login("team")
    response = client.post(
        reverse("progress:milestone-edit", args=[milestone.pk]),
        {
            "percent": 100,
            "actual_start": "2025-06-01",
            "actual_finish": "2025-06-20",
            "note": "场地平整完成",
            "photos": [phone_photo(), phone_photo(size=(800, 600))],
            "caption": "开工现场",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.percent, milestone.actual_finish, milestone.updated_by) == (
        100,
        datetime.date(2025, 6, 20),
        personas["team"],
    )
    photos = list(MilestonePhoto.objects.filter(milestone=milestone).order_by("pk"))
    assert len(photos) == 2
    first = photos[0]
    assert (first.width, first.height) == (1440, 1920), "turned upright and resized"
    assert first.taken_on == datetime.date(2025, 6, 28)
    with first.image.open() as stored:
        assert not Image.open(stored).getexif(), "metadata stripped"
    thumb = Image.open(first.thumbnail.open())
    assert max(thumb.size) <= 400
    served = client.get(reverse("progress:milestone-photo", args=[first.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    page = client.get(world.building_a.get_absolute_url()).content.decode()
    assert reverse("progress:milestone-photo-thumb", args=[first.pk]) in page


def test_photos_of_another_project_are_not_served(world, personas):
    milestone = node(world.building_b, "start")
    from resettlement.progress.photos import milestone_photos_add, photo_prepare

    photo = milestone_photos_add(
        milestone=milestone, photos=[photo_prepare(phone_photo(size=(300, 200)))]
    )[0]
    client = __import__("django.test").test.Client()
    client.force_login(personas["team"])
    assert client.get(reverse("progress:milestone-photo", args=[photo.pk])).status_code == 404


@time_machine.travel(TODAY)
def test_a_file_that_is_not_a_photo_changes_nothing(world, login):
    milestone = node(world.building_a, "start")
    bad = SimpleUploadedFile("notes.jpg", b"not an image", content_type="image/jpeg")
    response = login("team").post(
        reverse("progress:milestone-edit", args=[milestone.pk]),
        {"percent": 40, "actual_start": "2025-06-01", "photos": [bad]},
    )
    assert "notes.jpg 不是系统能读取的照片" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.percent == 0 and not MilestonePhoto.objects.exists()


@time_machine.travel(TODAY)
def test_the_page_explains_an_out_of_order_completion(world, login):
    milestone = node(world.building_a, "foundation")
    response = login("team").post(
        reverse("progress:milestone-edit", args=[milestone.pk]),
        {"percent": 100, "actual_start": "2025-06-01", "actual_finish": "2025-06-20"},
    )
    assert "请按顺序完成节点，或请项目主管记录例外" in response.content.decode()


def test_only_project_supervisors_record_exceptions(world, login, personas):
    milestone = node(world.building_a, "foundation")
    url = reverse("progress:milestone-exception", args=[milestone.pk])
    assert login("team").get(url).status_code == 403
    response = login("lead").post(url, {"reason": "桩基先行验收"})
    assert response.status_code == 302
    exception = milestone.exceptions.get()
    assert (exception.approved_by, exception.reason) == (personas["lead"], "桩基先行验收")
    other = node(world.building_b, "foundation")
    assert (
        login("lead").get(reverse("progress:milestone-exception", args=[other.pk])).status_code
        == 404
    )


def test_team_of_another_project_cannot_update_a_node(world, login):
    milestone = node(world.building_b, "start")
    assert (
        login("team").get(reverse("progress:milestone-edit", args=[milestone.pk])).status_code
        == 404
    )
    assert (
        login("clerk")
        .get(reverse("progress:milestone-edit", args=[node(world.building_a, "start").pk]))
        .status_code
        == 403
    )


@time_machine.travel(TODAY)
def test_bulk_page_tops_out_the_chosen_buildings(world, login):
    second = make_building(world.project_a, "2#")
    for building in (world.building_a, second):
        building_milestones_record(
            changes=[
                (
                    node(building, code),
                    {
                        "percent": 100,
                        "actual_start": TODAY - datetime.timedelta(days=60),
                        "actual_finish": TODAY - datetime.timedelta(days=30),
                    },
                )
                for code in ("start", "foundation", "superstructure")
            ]
        )
    topping_out = node(second, "topping_out").milestone_type
    response = login("team").post(
        reverse("progress:milestone-bulk", args=["PA"]),
        {
            "milestone_type": topping_out.pk,
            "buildings": [world.building_a.pk, second.pk],
            "percent": 100,
            "actual_start": "2025-06-01",
            "actual_finish": "2025-06-25",
        },
    )
    assert response.status_code == 302
    assert BuildingMilestone.objects.filter(milestone_type=topping_out, percent=100).count() == 2


def test_building_page_shows_who_changed_what(world, login, personas):
    milestone = node(world.building_a, "start")
    with time_machine.travel(TODAY):
        building_milestones_record(
            changes=[(milestone, {"percent": 40, "actual_start": datetime.date(2025, 6, 1)})],
            by=personas["team"],
        )
    page = login("leader").get(world.building_a.get_absolute_url()).content.decode()
    history = page[page.index('id="history"') :]
    assert "完成百分比：0 → <b>40</b>" in history
    assert "team" in history


@time_machine.travel(TODAY)
def test_dashboard_lists_delayed_buildings_first_with_days_late(world, login):
    late = make_building(world.project_a, "9#")
    building_milestones_record(
        changes=[(node(late, "start"), {"planned_finish": datetime.date(2025, 6, 10)})]
    )
    page = login("leader").get(reverse("projects:dashboard", args=["PA"])).content.decode()
    delayed = page[
        page.index('id="delayed"') : page.index("</section>", page.index('id="delayed"'))
    ]
    assert 'data-building="9#"' in delayed and "开工（20）" in delayed
    assert "1 栋楼进度延误" in login("leader").get(reverse("projects:home")).content.decode()


def test_template_page_is_for_supervisors_and_reweights_progress(world, login):
    url = reverse("progress:milestone-template", args=["PA"])
    assert login("team").get(url).status_code == 403
    data = template_form(world.project_a, weights={"start": "10"}, remove={"landscaping_roads"})
    data.update(
        {
            "new-name": "人防专项验收",
            "new-phase": "acceptance",
            "new-weight": "2",
            "new-position": "15",
        }
    )
    response = login("lead").post(url, data)
    assert response.status_code == 302
    codes = list(
        ProjectMilestone.objects.filter(project=world.project_a)
        .order_by("sequence")
        .values_list("milestone_type__name", flat=True)
    )
    assert "园林道路" not in codes
    assert codes.index("人防专项验收") == codes.index("专项验收(消防/规划/节能/人防)") - 1
    assert world.building_a.milestones.filter(milestone_type__name="人防专项验收").exists()
    assert not world.building_a.milestones.filter(milestone_type__code="landscaping_roads").exists()


@time_machine.travel(TODAY)
def test_a_node_with_progress_cannot_leave_the_template(world, login):
    building_milestones_record(
        changes=[(node(world.building_a, "start"), {"percent": 10, "actual_start": TODAY})]
    )
    data = template_form(world.project_a, remove={"start"})
    response = login("lead").post(reverse("progress:milestone-template", args=["PA"]), data)
    assert "开工 不能从模板中删除" in response.content.decode()
    assert ProjectMilestone.objects.filter(project=world.project_a).count() == 19


def test_project_supervisor_persona_is_scoped(world, personas):
    outsider_lead = make_user("lead-b", Role.PROJECT_SUPERVISOR, projects=[world.project_b])
    from django.test import Client

    client = Client()
    client.force_login(outsider_lead)
    assert client.get(reverse("progress:milestone-template", args=["PA"])).status_code == 404


def test_the_saved_message_is_shown_once_beside_the_saved_node(world, login):
    """The page lands on the saved node (a phone shows only that part of it): the message is
    there, just above the node, and not repeated at the top of the page."""
    milestone = node(world.building_a, "foundation")
    client = login("team")
    response = client.post(
        reverse("progress:milestone-edit", args=[milestone.pk]),
        {"percent": 0, "note": "基坑开挖完成"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#node-foundation-saved")
    page = client.get(response["Location"]).content.decode()
    saved = "已保存 1# 基础(±0)。"
    assert page.count(saved) == 1
    beside = page.index('id="node-foundation-saved"')
    assert beside < page.index(saved) < page.index('id="node-foundation"')
