"""Progress reports kept and asked for on the web: a leader asks for a report of every project,
follows it (the polled fragment) and downloads its PDF and workbook; a project team sees and
asks for its own project's only; desk clerks and anonymous readers are refused; a future date
is refused in Chinese; workers record the weekly reports once, when they are due."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from resettlement.reports.jobs import (
    report_request,
    requeue_waiting,
    weekly_moment,
    weekly_reports_due,
)
from resettlement.reports.models import EVERY_PROJECT, ProgressReport, ReportOrigin

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LIST = reverse("reports:list")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run `function` as if its transaction committed: the reports it records are queued
    (and, with the tests' immediate backend, written)."""

    def run(function, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args)

    return run


@pytest.fixture
def ask(committed):
    def post(client, scope: str, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return committed(client.post, LIST, {"scope": scope, "as_of": day.isoformat()})

    return post


def test_a_leader_asks_for_every_project_and_downloads_both_files(world, login, personas, ask):
    leader = login("leader")
    page = leader.get(LIST).content.decode()
    assert "全部项目" in page and "PA项目" in page and "PB项目" in page
    response = ask(leader, EVERY_PROJECT)
    report = ProgressReport.objects.get()
    assert response["Location"] == report.get_absolute_url()
    assert (report.status, report.project, report.created_by) == ("done", None, personas["leader"])
    detail = leader.get(report.get_absolute_url()).content.decode()
    assert "已完成" in detail and "下载 PDF" in detail
    pdf = leader.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "private, no-store"
    xlsx = leader.get(reverse("reports:xlsx", args=[report.pk]))
    assert xlsx.content.startswith(b"PK")
    assert "attachment" in xlsx["Content-Disposition"]
    progress = reverse("reports:progress", args=[report.pk])
    assert leader.get(progress)["Location"] == report.get_absolute_url()  # opened as a page
    fragment = leader.get(progress, headers=HX)
    assert fragment["Cache-Control"] == "no-store"
    assert 'data-status="done"' in fragment.content.decode()
    assert "every 2s" not in fragment.content.decode()  # finished: polling stops


def test_a_project_team_sees_and_asks_for_its_own_project_only(world, login, ask):
    leader, team = login("leader"), login("team")
    ask(leader, "PB")
    ask(leader, EVERY_PROJECT)
    page = team.get(LIST).content.decode()
    assert "PB项目" not in page and "全部项目" not in page
    for report in ProgressReport.objects.all():  # PB's and every project's
        assert team.get(report.get_absolute_url()).status_code == 404
        assert team.get(reverse("reports:pdf", args=[report.pk])).status_code == 404
    refused = ask(team, "PB")
    assert refused.status_code == 422 and ProgressReport.objects.count() == 2
    assert ask(team, EVERY_PROJECT).status_code == 422
    assert ask(team, "PA").status_code == 302
    mine = ProgressReport.objects.get(project=world.project_a)
    assert team.get(mine.get_absolute_url()).status_code == 200
    assert "PA项目" in team.get(LIST).content.decode()


def test_desk_clerks_and_anonymous_readers_are_refused(world, login, client, ask):
    assert login("clerk").get(LIST).status_code == 403
    assert ask(login("clerk"), "PA").status_code == 403
    assert "进展报告" not in login("clerk").get(reverse("projects:home")).content.decode()
    assert client.get(LIST)["Location"].startswith(reverse("login"))


def test_a_future_day_is_refused_in_chinese(world, login, ask):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = ask(login("leader"), "PA", tomorrow)
    assert response.status_code == 422
    assert "报告日期不能晚于今天" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_the_dashboard_and_the_home_page_lead_to_the_reports(world, login):
    leader = login("leader")
    dashboard = leader.get(reverse("projects:dashboard", args=["PA"])).content.decode()
    assert f'{LIST}?project=PA"' in dashboard
    assert f'href="{LIST}"' in leader.get(reverse("projects:home")).content.decode()


def test_weekly_reports_are_recorded_once_when_due(world, settings, committed):
    settings.REPORT_WEEKLY_AT = "MON 08:00"
    sunday_night = datetime.datetime(2026, 11, 29, 23, 0, tzinfo=SHANGHAI)
    monday_morning = datetime.datetime(2026, 11, 30, 8, 5, tzinfo=SHANGHAI)
    assert weekly_moment(sunday_night) == datetime.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    assert weekly_moment(monday_morning) == datetime.datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    assert committed(weekly_reports_due, monday_morning) == 3  # every project, PA, PB
    assert weekly_reports_due(monday_morning) == 0  # a second worker, or the next minute
    weekly = ProgressReport.objects.filter(origin=ReportOrigin.WEEKLY)
    assert {report.as_of for report in weekly} == {datetime.date(2026, 11, 29)}  # the Sunday
    assert sorted(weekly.values_list("scope", flat=True)) == [EVERY_PROJECT, "PA", "PB"]
    assert all(report.status == "done" and report.pdf_id for report in weekly)
    settings.REPORT_WEEKLY_AT = ""
    assert weekly_moment(monday_morning) is None
    assert weekly_reports_due(monday_morning + datetime.timedelta(days=7)) == 0


def test_a_report_whose_task_was_lost_is_queued_again(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=False):  # recorded; their tasks never ran
        waiting = report_request(project=world.project_a, as_of=today)
        stalled = report_request(project=world.project_b, as_of=today)
        fresh = report_request(project=None, as_of=today)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ProgressReport.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    ProgressReport.objects.filter(pk=stalled.pk).update(status="running", created_at=long_ago)
    assert requeue_waiting() == 2
    statuses = dict(ProgressReport.objects.values_list("pk", "status"))
    assert statuses == {waiting.pk: "done", stalled.pk: "done", fresh.pk: "queued"}
