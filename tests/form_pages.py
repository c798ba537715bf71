"""The site of tests/site_pages.py plus every state in which a page shows another form, with
stored values that a careless form would lose: planned dates on a node not yet started, a
signing date, decimals and negative amounts, multi-line notes, empty and set lottery groups and
pools. `form_pages(site)` lists the addresses to open (every route, then these states)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from resettlement.households.models import Household
from resettlement.lottery.lifecycle import lottery_draw, lottery_freeze
from resettlement.lottery.models import DrawMethod, GroupRule, Lottery, LotteryMode
from resettlement.lottery.services import entry_update, lottery_create, pool_flats_set, roster_build
from resettlement.progress.services import building_milestones_record
from resettlement.selection.models import SelectionEvent
from resettlement.selection.rules import event_rules_set
from resettlement.selection.services import event_create
from tests.factories import HouseholdFactory
from tests.html_forms import page_forms
from tests.selection_fixtures import WITNESSES
from tests.site_pages import Site, page_urls, site_build

D = Decimal
NOTE = "第一行：地基已验收\n第二行：等待监理签字"


@dataclass
class FormSite:
    site: Site
    planned_node: object  # a node not started, with planned dates only
    planned_event: SelectionEvent  # rules still editable
    lotteries: dict[str, Lottery]  # by state: draft, assign, frozen, notary, drawn


def form_site_build(world, personas) -> FormSite:
    site = site_build(world, personas)
    by = personas["supervisor"]
    building = site.building
    today = timezone.localdate()
    node = building.milestones.exclude(milestone_type__code="start").order_by("pk").first()
    building_milestones_record(
        changes=[
            (
                node,
                {
                    "planned_start": today + datetime.timedelta(days=400),
                    "planned_finish": today + datetime.timedelta(days=439),
                    "note": NOTE,
                },
            )
        ],
        by=by,
    )
    Household.objects.filter(pk=site.household.pk).update(
        note=NOTE, original_area=D("95.55"), phone="13800138000"
    )
    event = event_create(
        project=site.project,
        name="第二批选房日",
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=61),
        queue_source="signing",
        buildings=[building],
        desks=3,
        max_flats=2,
        allowed_excess=D("12.50"),
        allowed_layouts="A",
        by=by,
    )
    event_rules_set(
        event=event,
        values={"shortfall_refund_price": D("3999.99")},
        tiers=[(D("5.25"), D("4200.00")), (D("30"), D("6300.50"))],
        floors=[(1, 2, D("-50.00")), (10, 18, D("120.55"))],
        by=by,
    )
    return FormSite(
        site=site, planned_node=node, planned_event=event, lotteries=_lotteries(site, by)
    )


def _lotteries(site: Site, by) -> dict[str, Lottery]:
    made = {}
    plans = {
        "draft": {"group_rule": GroupRule.EXPLICIT, "scheduled_on": datetime.date(2031, 5, 17)},
        "assign": {"mode": LotteryMode.ASSIGN},
        "frozen": {},
        "notary": {"draw_method": DrawMethod.NOTARY},
        "drawn": {},
    }
    for state, options in plans.items():
        people = [HouseholdFactory(project=site.project, entitled_area=D("80.00")) for _ in "ab"]
        lottery = lottery_create(project=site.project, name=f"{state}摇号", by=by, **options)
        roster_build(
            lottery=lottery,
            households=Household.objects.filter(pk__in=[p.pk for p in people]),
            by=by,
        )
        if state == "draft":
            entry_update(entry=lottery.entries.first(), group=3, by=by)
        if state == "assign":
            flats = site.event.buildings.get(code="6#").flats.filter(layout="B")[:2]
            pool_flats_set(lottery=lottery, pool="B户型池", flats=flats, by=by)
            entry_update(entry=lottery.entries.first(), pool="B户型池", by=by)
        if state in ("frozen", "notary", "drawn"):
            lottery_freeze(lottery=lottery, by=by)
        if state == "drawn":
            lottery_draw(lottery=lottery, public_input="03 14 15", witnesses=WITNESSES, by=by)
        made[state] = lottery
    return made


def form_pages(form_site: FormSite) -> list[str]:
    """Every route of the site once, then each other state of a page with forms."""
    site = form_site.site
    extra = [
        reverse("progress:milestone-edit", args=[form_site.planned_node.pk]),
        reverse("selection:rules", args=[form_site.planned_event.pk]),
        reverse("selection:event", args=[form_site.planned_event.pk]),
        *(reverse("lottery:detail", args=[lot.pk]) for lot in form_site.lotteries.values()),
        reverse("households:edit", args=[site.household.pk]),
    ]
    return [*page_urls(site).values(), *extra]


def visited_forms(client, site):
    """Each form of each page of `form_pages(site)` that answers with HTML to `client`: its
    page's address, that answer and the form."""
    for url in form_pages(site):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for form in page_forms(response.content.decode(), f"http://testserver{url}"):
            yield url, response, form
