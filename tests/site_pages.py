"""A populated site and an address for each of its routes, for tests that visit every page
(the Content-Security-Policy tests): project A of the `world` fixture with a selection day
under way (one confirmed selection), a published lottery and a mapped building."""

import datetime
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from resettlement import urls as root_urls
from resettlement.handover.models import Handover
from resettlement.lottery.models import Lottery
from resettlement.progress.services import building_milestones_record
from resettlement.reports.jobs import report_request, report_run
from resettlement.selection.board import board_link_create
from resettlement.selection.confirmation import selection_confirm
from resettlement.selection.lifecycle import desk_call_next, event_open
from resettlement.selection.models import Selection, SelectionEvent
from resettlement.selection.services import flats_hold
from tests import geodata
from tests.selection_fixtures import planned_day

# Included namespaces that are not the site's own pages (api_urls and admin_urls visit a few).
NOT_PAGES = ("api", "admin")


@dataclass
class Site:
    event: SelectionEvent
    lottery: Lottery
    selection: Selection
    handover: Handover

    @property
    def project(self):
        return self.event.project

    @property
    def building(self):
        return self.event.buildings.get(code="5#")

    @property
    def milestone(self):
        return self.building.milestones.get(milestone_type__code="start")

    @property
    def household(self):
        return self.selection.household


def site_build(world, personas) -> Site:
    world.project_a.household_access_codes = True  # its households' pages offer a new code
    world.project_a.save()
    event, _people = planned_day(world, by=personas["supervisor"])
    event_open(event=event)
    desk = event.desks.get(number=1)
    entry = desk_call_next(desk=desk)
    building = event.buildings.get(code="5#")
    flat = building.flats.get(code="5-1-101")
    flats_hold(entry=entry, desk=desk, flats=[flat])
    selection = selection_confirm(
        entry=entry, desk=desk, flats=[flat], idempotency_key=uuid.uuid4()
    )
    building.footprint = geodata.footprint(0, width=0.0012, depth=0.0008).__geo_interface__
    building.save()
    today = timezone.localdate()
    building_milestones_record(  # a timeline to draw: planned, started late, under way
        changes=[
            (
                building.milestones.get(milestone_type__code="start"),
                {
                    "planned_start": today - datetime.timedelta(days=30),
                    "planned_finish": today - datetime.timedelta(days=10),
                    "actual_start": today - datetime.timedelta(days=20),
                    "percent": 50,
                },
            )
        ]
    )
    # Another household chose in 6#, whose building is finished and accepted: its handover.
    other_desk = event.desks.get(number=2)
    other_entry = desk_call_next(desk=other_desk)
    other_flat = event.buildings.get(code="6#").flats.get(code="6-1-101")
    flats_hold(entry=other_entry, desk=other_desk, flats=[other_flat])
    other = selection_confirm(
        entry=other_entry, desk=other_desk, flats=[other_flat], idempotency_key=uuid.uuid4()
    )
    handover = _handover_under_way(other_flat.building, other, by=personas["supervisor"])
    # A progress report of the project, written (its PDF and workbook kept).
    report = report_request(project=event.project, as_of=today, by=personas["leader"])
    report_run(report.pk)
    return Site(event=event, lottery=event.lottery, selection=selection, handover=handover)


def _handover_under_way(building, selection, *, by):
    """The selected household's handover: a batch for its building, its appointment and notice, an
    inspection with a defect, the keys handed (documents numbered, not yet printed)."""
    from decimal import Decimal

    from resettlement.archive.models import IssuedKind
    from resettlement.handover.documents import paper_register
    from resettlement.handover.models import HalfDay, PrintKind
    from resettlement.handover.printing import job_start
    from resettlement.handover.services import (
        FlatHandover,
        appointments_assign,
        batch_open,
        inspection_record,
        slots_add,
    )
    from resettlement.handover.services import handover_record as record
    from tests.handover_fixtures import accept_completion

    accept_completion(building)
    batch = batch_open(
        project=building.project,
        name="6#楼交房",
        buildings=[building],
        place="社区服务中心",
        by=by,
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    slots_add(batch=batch, days=[tomorrow], half_days=[HalfDay.MORNING], desks=1, capacity=5)
    appointments_assign(batch=batch, by=by)
    appointment = batch.appointments.get()
    paper_register(IssuedKind.HANDOVER_NOTICE, appointment, by=by)
    flat = selection.flats.get().flat
    inspection_record(
        household=selection.household, flat=flat, inspected_on=timezone.localdate(),
        result="accepted_defects",
        defects=[{"room": "卫生间", "category": "bathroom", "description": "地漏反水"}],
    )  # fmt: skip
    handover = record(
        batch=batch,
        household=selection.household,
        flats=[
            FlatHandover(
                flat=flat,
                water_reading=Decimal("2.5"),
                electricity_reading=Decimal(31),
                door_keys=3,
                quality_guarantee=True,
                usage_manual=True,
            )
        ],
        handed_on=timezone.localdate(),
        by=by,
    )
    paper_register(IssuedKind.HANDOVER_CONFIRMATION, handover, by=by)
    job_start(batch=batch, kind=PrintKind.HANDOVER_PAPERS, by=by)  # run at once (tests)
    return handover


def page_urls(site: Site) -> dict[str, str]:
    """One address per named route of the site's own URL configuration (objects that exist
    where it matters; a missing photo or import record still answers, with a 404)."""
    code = site.project.code
    event, lottery = site.event, site.lottery
    token = lottery.public_token
    board_link, board = board_link_create(event=event)
    handover = site.handover
    batch = handover.batch
    appointment = handover.appointment
    defect = handover.household.inspections.get().defects.get()
    issued = handover.household.issued_documents.order_by("pk").first()
    job = batch.print_jobs.get()
    report = site.project.progress_reports.get()
    args = {
        "projects:home": [],
        "login": [],
        "favicon": [],
        "healthz": [],
        "logout": [],
        "projects:dashboard": [code],
        "imports:page": [code],
        "imports:template": [code, "flats"],
        "imports:error-report": [999_999],
        "imports:batch": [999_999],
        "households:create": [code],
        "housing:building-detail": [site.building.pk],
        "housing:building-generate-flats": [site.building.pk],
        "progress:milestone-bulk": [code],
        "progress:milestone-template": [code],
        "maps:geometry": [code],
        "maps:geometry-download": [code, "geojson"],
        "maps:project-image": [code],
        "maps:page": [],
        "progress:milestone-edit": [site.milestone.pk],
        "progress:milestone-exception": [site.milestone.pk],
        "progress:milestone-photo": [999_999],
        "progress:milestone-photo-thumb": [999_999],
        "lottery:list": [code],
        "lottery:detail": [lottery.pk],
        "lottery:roster-build": [lottery.pk],
        "lottery:entry": [lottery.pk, lottery.entries.first().pk],
        "lottery:pool": [lottery.pk],
        "lottery:groups": [lottery.pk],
        "lottery:freeze": [lottery.pk],
        "lottery:draw": [lottery.pk],
        "lottery:publish": [lottery.pk],
        "lottery:cancel": [lottery.pk],
        "lottery:redraw": [lottery.pk],
        "lottery:notary-import": [lottery.pk],
        "lottery:notice-preview": [lottery.pk],
        "lottery:notice-details": [lottery.pk],
        "lottery:file": [lottery.pk, "result.csv"],
        "lottery:verifier": [],
        "lottery:notice": [token],
        "lottery:notice-pdf": [token],
        "lottery:notice-file": [token, "result.csv"],
        "selection:events": [code],
        "selection:event": [event.pk],
        "selection:event-step": [event.pk, "close"],
        "selection:summary": [event.pk],
        "selection:rules": [event.pk],
        "selection:board-open": [event.pk],
        "selection:board-link-revoke": [event.pk, board_link.pk],
        "selection:desk-console": [event.pk, 1],
        "selection:desk-action": [event.pk, 1, "call"],
        "selection:detail": [site.selection.pk],
        "selection:confirmation": [site.selection.pk],
        "selection:board": [board],
        "selection:board-data": [board],
        "households:search": [],
        "households:detail": [site.household.pk],
        "households:edit": [site.household.pk],
        "households:access-code": [site.household.pk],
        "household_status:status": [],
        "household_status:sign-out": [],
        "household_status:document": [issued.pk],
        "handover:project": [code],
        "handover:batch": [batch.pk],
        "handover:batch-assign": [batch.pk],
        "handover:batch-close": [batch.pk],
        "handover:batch-defects": [batch.pk],
        "handover:day": [batch.pk, appointment.slot.day.isoformat()],
        "handover:appointment": [appointment.pk],
        "handover:notice": [appointment.pk],
        "handover:inspection-add": [appointment.pk],
        "handover:handover-add": [appointment.pk],
        "handover:appointment-step": [appointment.pk, "arrive"],
        "handover:defect-photo": [defect.pk],
        "handover:defect-photo-thumb": [defect.pk],
        "handover:defect-step": [defect.pk, "fix"],
        "handover:handover": [handover.pk],
        "handover:handover-undo": [handover.pk],
        "handover:handover-paper": [handover.pk, "confirmation"],
        "archive:verify": [issued.code],
        "handover:print-panel": [batch.pk],
        "handover:print-start": [batch.pk],
        "handover:print-job": [job.pk],
        "handover:print-progress": [job.pk],
        "handover:print-retry": [job.pk],
        "handover:print-pdf": [job.pk],
        "handover:print-zip": [job.pk],
        "reports:list": [],
        "reports:detail": [report.pk],
        "reports:progress": [report.pk],
        "reports:pdf": [report.pk],
        "reports:xlsx": [report.pk],
        "api-schema": [],
        "api-docs": [],
    }
    return {name: reverse(name, args=values) for name, values in args.items()}


def route_names() -> set[str]:
    """The names of the site's own routes: the root configuration's and those of each app it
    includes under a namespace (not the API, the admin or Django's language switch)."""
    names = set()
    for pattern in root_urls.urlpatterns:
        if isinstance(pattern, URLResolver) and pattern.namespace not in (None, *NOT_PAGES):
            names |= {f"{pattern.namespace}:{route.name}" for route in pattern.url_patterns}
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def api_urls(site: Site) -> list[str]:
    return [
        reverse("api:api-root"),
        reverse("api:project-list"),
        reverse("api:project-detail", args=[site.project.code]),
        reverse("api:building-list"),
        reverse("api:household-list"),
        reverse("api:household-detail", args=[site.household.pk]),
        reverse("api:geo-buildings"),
        reverse("api:me"),
        reverse("api:me-token"),
        reverse("api:selection-list"),
        reverse("api-docs") + "?script=",  # Swagger UI's start-up script
        "/api/v1/no-such-endpoint/",
    ]


def admin_urls(site: Site) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:login"),
        reverse("admin:housing_building_changelist"),
        reverse("admin:housing_building_change", args=[site.building.pk]),
        reverse("admin:households_household_changelist"),
        reverse("admin:jsi18n"),
        "/admin/no-such-page/",
    ]
