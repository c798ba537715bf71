from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from resettlement.accounts.access import Capability, projects_where, require, user_can
from resettlement.housing.flat_grid import flat_grid
from resettlement.housing.forms import FlatPositionFormSet, FlatSpecForm
from resettlement.housing.models import STATUS_MARKS, Building, FlatStatus
from resettlement.housing.services import flats_generate
from resettlement.progress.timeline import (
    MilestoneRow,
    Timeline,
    building_timeline,
    milestone_changes,
)

HISTORY_ROWS = 30


def _building(request, pk: int) -> Building:
    visible = Building.objects.filter(project__in=projects_where(request.user))
    return get_object_or_404(
        visible.with_phase().select_related("project", "village", "current_milestone"), pk=pk
    )


def _messages_beside_nodes(
    request, timeline: Timeline
) -> tuple[list[Message], list[tuple[MilestoneRow, list[Message]]]]:
    """The messages of this request split in two: those about a node of the timeline (tagged
    with its anchor, shown beside it, where the page lands after a save) and the others, for
    the top of the page."""
    anchors = {row.anchor for row in timeline.rows}
    beside: dict[str, list[Message]] = {anchor: [] for anchor in anchors}
    others: list[Message] = []
    for message in messages.get_messages(request):
        if message.extra_tags in anchors:
            beside[message.extra_tags].append(message)
        else:
            others.append(message)
    return others, [(row, beside[row.anchor]) for row in timeline.rows]


@login_required
def building_detail(request, pk: int):
    building = _building(request, pk)
    timeline = building_timeline(building, timezone.localdate())
    page_messages, milestone_rows = _messages_beside_nodes(request, timeline)
    flats = list(building.flats.all())
    statuses = Counter(flat.status for flat in flats)
    context = {
        "building": building,
        "project": building.project,
        "nav": "projects",
        "timeline": timeline,
        "milestone_rows": milestone_rows,
        "messages": page_messages,  # in place of the context processor's: the rest are beside
        "grids": flat_grid(flats),
        # 交房: flats whose keys were handed (已交付), and those chosen still waiting for theirs.
        "flats_handed_over": statuses[FlatStatus.HANDED_OVER],
        "flats_to_hand_over": statuses[FlatStatus.SELECTED],
        "statuses": list(STATUS_MARKS.items()),
        "history": milestone_changes(building, HISTORY_ROWS),
        "can_manage_flats": user_can(request.user, Capability.MANAGE_FLATS, building.project),
        "can_edit_milestones": user_can(request.user, Capability.EDIT_MILESTONES, building.project),
        "can_approve": user_can(
            request.user, Capability.APPROVE_MILESTONE_EXCEPTIONS, building.project
        ),
    }
    return render(request, "housing/building_detail.html", context)


@login_required
def building_generate_flats(request, pk: int):
    building = _building(request, pk)
    require(request.user, Capability.MANAGE_FLATS, building.project)
    spec_form = FlatSpecForm(request.POST or None, initial={"last_floor": building.floors})
    positions = FlatPositionFormSet(request.POST or None, prefix="positions")
    if request.method == "POST" and spec_form.is_valid() and positions.is_valid():
        specs = [
            form.position_spec() for form in positions if form.has_changed() and form.cleaned_data
        ]
        try:
            flats = flats_generate(
                building=building,
                positions=specs,
                first_floor=spec_form.cleaned_data["first_floor"],
                last_floor=spec_form.cleaned_data["last_floor"],
                by=request.user,
            )
        except ValidationError as error:
            spec_form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(count)s flats generated for %(building)s.")
                % {"count": len(flats), "building": building.code},
            )
            return redirect(building)
    return render(
        request,
        "housing/generate_flats.html",
        {
            "building": building,
            "project": building.project,
            "spec_form": spec_form,
            "positions": positions,
            "nav": "projects",
        },
    )
