import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from resettlement.accounts.access import (
    Capability,
    project_ids_where,
    project_or_404,
    require,
    user_can,
)
from resettlement.archive.models import StoredDocument
from resettlement.archive.responses import PRIVATE, document_response
from resettlement.documents import pdf_response
from resettlement.households.presentation import show_personal_data
from resettlement.housing.models import Flat, FlatStatus
from resettlement.response_cache import body_for
from resettlement.selection.board import (
    ERROR_LINK_UNKNOWN,
    STATUS_CODES,
    board_link_create,
    board_link_for,
    board_link_opened,
    board_links_revoke,
    board_payload,
    board_poll,
)
from resettlement.selection.confirmation import (
    selection_confirm,
    selection_confirm_repeated,
    selection_swap,
    selection_void,
    settlement_for,
)
from resettlement.selection.documents import (
    confirmation_document,
    summary_context,
    summary_document,
    summary_pdf,
)
from resettlement.selection.forms import (
    DeskFlatsForm,
    EventForm,
    FlatFilterForm,
    FloorFormSet,
    RulesForm,
    SwapForm,
    TierFormSet,
    VoidForm,
    formset_rows,
)
from resettlement.selection.lifecycle import (
    desk_call_next,
    desk_current,
    event_close,
    event_open,
    queue_absent,
    queue_present,
)
from resettlement.selection.models import (
    SELECTION_LIFECYCLE,
    BoardLink,
    Desk,
    FlatHold,
    QueueStatus,
    Selection,
    SelectionEvent,
    SelectionStatus,
)
from resettlement.selection.rules import event_rules_set, rules_of
from resettlement.selection.services import (
    event_create,
    flats_hold,
    holds_extend,
    holds_live,
    holds_release,
)
from resettlement.selection.settlement import SettlementError

FLATS_SHOWN = 120
VOID_CONFIRMED = "confirmed"  # the value of `void` on the second step of voiding
ERROR_NOBODY_AT_DESK = gettext_lazy("No household is at this desk.")
# What a desk action tells the clerk's screen reader (a live region beside the panel).
ANNOUNCEMENTS = {
    "call": gettext_lazy("Number %(number)s called to this desk."),
    "present": gettext_lazy("Number %(number)s is present: tick the flats to lock."),
    "absent": gettext_lazy("Number %(number)s marked absent."),
    "hold": gettext_lazy("Flats locked for number %(number)s."),
    "extend": gettext_lazy("Lock extended for number %(number)s."),
    "release": gettext_lazy("Flats released for number %(number)s."),
}


def _event(request, pk: int, capability=Capability.RUN_DESK) -> SelectionEvent:
    require(request.user, capability)
    events = SelectionEvent.objects.select_related("project", "lottery")
    project_ids = project_ids_where(request.user, capability)
    if project_ids is not None:
        events = events.filter(project_id__in=project_ids)
    return get_object_or_404(events, pk=pk)


@login_required
def event_list(request, code: str):
    project = project_or_404(request.user, code, Capability.VIEW_HOUSEHOLDS)
    can_manage = user_can(request.user, Capability.MANAGE_SELECTION, project)
    form = EventForm(request.POST or None, project=project)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_SELECTION, project)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                event = event_create(project=project, by=request.user, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Selection event created."))
                return redirect(event)
    events = project.selection_events.annotate(
        selected=Count("selections", filter=Q(selections__status=SelectionStatus.ACTIVE))
    )
    return render(
        request,
        "selection/event_list.html",
        {
            "project": project,
            "events": events,
            "form": form,
            "can_manage": can_manage,
            "nav": "projects",
        },
    )


@login_required
def event_detail(request, pk: int):
    event = _event(request, pk, Capability.VIEW_HOUSEHOLDS)
    queue = event.queue.select_related("household", "desk").order_by("position")
    selections = event.selections.select_related(
        "household", "desk", "confirmed_by"
    ).prefetch_related("flats__flat")
    can_manage = user_can(request.user, Capability.MANAGE_SELECTION, event.project)
    board_links = event.board_links.active().select_related("created_by") if can_manage else []
    return render(
        request,
        "selection/event_detail.html",
        {
            "event": event,
            "project": event.project,
            "queue": queue,
            "selections": selections,
            "log": event.log.select_related("user", "desk", "household")[:80],
            "desks": event.desks.all(),
            "board_links": board_links,
            "board_link_hours": settings.BOARD_LINK_HOURS,
            "can_manage": can_manage,
            "can_run": user_can(request.user, Capability.RUN_DESK, event.project),
            "nav": "projects",
        },
    )


@login_required
@require_POST
def event_step(request, pk: int, step: str):
    event = _event(request, pk, Capability.MANAGE_SELECTION)
    actions = {
        "open": (lambda: event_open(event=event, by=request.user), _("The event is open.")),
        "close": (lambda: event_close(event=event, by=request.user), _("The event is closed.")),
        "board": (
            lambda: board_links_revoke(event=event, by=request.user),
            _("Every board link of this event is revoked: the boards showing them stop."),
        ),
    }
    if step not in actions:
        raise Http404
    action, success = actions[step]
    try:
        action()
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, success)
    return redirect(event)


@login_required
def event_rules(request, pk: int):
    """The event's rules, editable until it opens: limits, price tiers, floor adjustments."""
    event = _event(request, pk, Capability.MANAGE_SELECTION)
    data = request.POST if request.method == "POST" else None
    form = RulesForm(data, instance=event)
    # Bound formsets take the rows as posted (initial rows would count as "unchanged" there).
    tiers = TierFormSet(
        data,
        prefix="tiers",
        initial=None if data else list(event.price_tiers.values("up_to_excess", "price_per_m2")),
    )
    floors = FloorFormSet(
        data,
        prefix="floors",
        initial=None
        if data
        else list(event.floor_adjustments.values("floor_from", "floor_to", "per_m2")),
    )
    if data is not None and form.is_valid() and tiers.is_valid() and floors.is_valid():
        try:
            event_rules_set(
                event=event,
                values=form.cleaned_data,
                tiers=formset_rows(tiers, ("up_to_excess", "price_per_m2")),
                floors=formset_rows(floors, ("floor_from", "floor_to", "per_m2")),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rules saved."))
            return redirect(event)
    return render(
        request,
        "selection/rules.html",
        {
            "event": event,
            "project": event.project,
            "form": form,
            "tiers": tiers,
            "floors": floors,
            "fixed": not event.can_edit_rules,
            "nav": "projects",
        },
    )


# The desk console (htmx: every action answers with the panel, no page reload)


def _desk(request, pk: int, number: int) -> Desk:
    event = _event(request, pk)
    return get_object_or_404(
        Desk.objects.select_related("event__project"), event=event, number=number
    )


def _panel_context(
    request,
    desk: Desk,
    *,
    error: str = "",
    confirmed: Selection | None = None,
    focus: bool = True,
    announcement: str = "",
) -> dict:
    """The panel; with `focus`, the control to work with next carries `autofocus` (htmx moves
    the focus there after the swap): after actions only, not on the page's load (its first Tab
    is the skip link) nor on the panel's own refreshes (filters, countdown)."""
    event = desk.event
    entry = desk_current(desk)
    context = {
        "event": event,
        "desk": desk,
        "entry": entry,
        "error": error,
        "confirmed": confirmed,
        "waiting": event.queue.filter(status=QueueStatus.WAITING).count(),
        "idempotency_key": uuid.uuid4(),
        "announcement": announcement,
        "held": [],
        "offer": [],
        "preview_error": "",
    }
    if entry is not None:
        _household_context(request, context, desk, entry)
    context["focus"] = _focus(context) if focus else ""
    return context


def _focus(context: dict) -> str:
    """The control a clerk works with next: the error to read, the confirmation to print,
    叫号, 到场, 确认选房, the flats to tick, or the panel's heading."""
    entry = context["entry"]
    if context["error"]:
        return "error"
    if context["confirmed"]:
        return "print"
    if entry is None:
        return "call"
    if entry.can_present:
        return "present"
    if context["held"]:
        return "held" if context["preview_error"] else "confirm"
    return "flat" if context["offer"] else "offer"


def _household_context(request, context: dict, desk: Desk, entry) -> None:
    event = desk.event
    household = entry.household
    show_personal_data(request.user, [household])
    held = list(holds_live(entry, desk).select_related("flat__building").order_by("flat__code"))
    flats = [hold.flat for hold in held]
    try:
        preview = settlement_for(event, household, flats) if flats else None
        preview_error = ""
    except SettlementError as problem:
        preview, preview_error = None, str(problem)
    layouts = event.layouts or sorted(
        set(
            Flat.objects.filter(building__in=event.buildings.all()).values_list("layout", flat=True)
        )
    )
    filters = FlatFilterForm(request.GET or None, event=event, layouts=layouts)
    context.update(
        household=household,
        held=held,
        deadline=held[0].expires_at if held else None,
        preview=preview,
        preview_error=preview_error,
        offer=_offer(event, household, held, filters),
        filters=filters,
    )


def _offer(event: SelectionEvent, household, held, filters: FlatFilterForm):
    """Available flats of the event that still fit the household's entitlement and limit: the
    cap above the entitlement is the one its lock checks (EventRules.excess_cap)."""
    room = (
        household.entitled_area
        + rules_of(event).excess_cap
        - sum(hold.flat.gross_area for hold in held)
    )
    flats = (
        Flat.objects.available()
        .filter(building__in=event.buildings.all(), gross_area__lte=room)
        .select_related("building")
    )
    if event.layouts:
        flats = flats.filter(layout__in=event.layouts)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["building"]:
            flats = flats.filter(building=data["building"])
        if data["layout"]:
            flats = flats.filter(layout=data["layout"])
        if data["floor_min"]:
            flats = flats.filter(floor__gte=data["floor_min"])
        if data["floor_max"]:
            flats = flats.filter(floor__lte=data["floor_max"])
    if len(held) >= event.max_flats:
        return []
    return list(
        flats.order_by("building__sort_key", "stairwell", "floor", "position")[:FLATS_SHOWN]
    )


def _panel(request, desk: Desk, *, status: int = 200, **extra) -> HttpResponse:
    html = render_to_string(
        "selection/_desk_panel.html", _panel_context(request, desk, **extra), request=request
    )
    return HttpResponse(html, status=status)


@login_required
def desk_console(request, pk: int, number: int):
    desk = _desk(request, pk, number)
    if request.htmx:
        return _panel(request, desk, focus=False)
    return render(
        request,
        "selection/desk.html",
        {
            **_panel_context(request, desk, focus=False),
            "project": desk.event.project,
            "nav": "projects",
        },
    )


@login_required
@require_POST
def desk_action(request, pk: int, number: int, action: str):
    desk = _desk(request, pk, number)
    user = request.user
    entry = desk_current(desk)
    named = DeskFlatsForm(request.POST)
    if not named.is_valid():
        problems = [message for field in named.errors.values() for message in field]
        return _panel(request, desk, error=" ".join(problems), status=400)
    chosen = list(
        Flat.objects.filter(pk__in=named.cleaned_data["flats"]).select_related("building")
    )
    confirmed = None
    try:
        if action == "confirm":
            confirmed = _confirm(request, desk, entry)
        elif action == "call":
            entry = desk_call_next(desk=desk, by=user)
        elif entry is None:
            raise ValidationError(ERROR_NOBODY_AT_DESK)
        elif action == "present":
            queue_present(entry=entry, desk=desk, by=user)
        elif action == "absent":
            queue_absent(entry=entry, desk=desk, by=user)
        elif action == "hold":
            flats_hold(entry=entry, desk=desk, flats=chosen, by=user)
        elif action == "extend":
            holds_extend(entry=entry, desk=desk, by=user)
        elif action == "release":
            holds_release(entry=entry, desk=desk, flats=chosen or None, by=user)
        else:
            raise Http404
    except ValidationError as error:
        return _panel(request, desk, error=" ".join(error.messages))
    if not request.htmx:
        return redirect("selection:desk-console", pk=pk, number=number)
    if confirmed is not None:
        announcement = _("Selection of %(agreement)s confirmed") % {
            "agreement": confirmed.household.agreement_no
        }
    else:
        announcement = str(ANNOUNCEMENTS[action]) % {"number": entry.order_no if entry else ""}
    return _panel(request, desk, confirmed=confirmed, announcement=announcement)


def _confirm(request, desk: Desk, entry) -> Selection:
    """Confirm the flats the household holds at this desk. The same key again, once the
    household has left the desk (a double click), shows the selection it made."""
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        key = uuid.uuid4()
    earlier = selection_confirm_repeated(desk=desk, idempotency_key=key)
    if earlier is not None:
        return earlier
    if entry is None:
        raise ValidationError(ERROR_NOBODY_AT_DESK)
    held = [
        hold.flat
        for hold in FlatHold.objects.filter(queue_entry=entry, desk=desk).select_related("flat")
    ]
    return selection_confirm(
        entry=entry, desk=desk, flats=held, idempotency_key=key, by=request.user
    )


# Selections


def _selection(request, pk: int) -> Selection:
    require(request.user, Capability.VIEW_HOUSEHOLDS)
    selections = Selection.objects.select_related(
        "household__village", "household__project", "event", "desk"
    )
    project_ids = project_ids_where(request.user, Capability.VIEW_HOUSEHOLDS)
    if project_ids is not None:
        selections = selections.filter(household__project_id__in=project_ids)
    return get_object_or_404(selections, pk=pk)


@login_required
def selection_detail(request, pk: int):
    selection = _selection(request, pk)
    project = selection.household.project
    can_change = user_can(request.user, Capability.MANAGE_SELECTION, project)
    void_form = VoidForm(request.POST if "void" in request.POST else None)
    swap_form = SwapForm(request.POST if "swap" in request.POST else None, project=project)
    void_asked = False
    if request.method == "POST":
        require(request.user, Capability.MANAGE_SELECTION, project)
        # Voiding takes two steps: the form, then a page that repeats what will happen.
        void_asked = request.POST.get("void") != VOID_CONFIRMED and void_form.is_valid()
        outcome = None if void_asked else _change(request, selection, void_form, swap_form)
        if outcome is not None:
            return redirect(outcome)
    show_personal_data(request.user, [selection.household])
    return render(
        request,
        "selection/selection_detail.html",
        {
            "selection": selection,
            "flats": selection.flats.select_related("flat__building"),
            "project": project,
            "form": void_form,
            "swap_form": swap_form,
            "replaced_by": Selection.objects.filter(replaces=selection).first(),
            "documents": StoredDocument.objects.of(selection),
            "can_change": can_change and selection.can_void,
            "void_asked": void_asked and selection.can_void,
            "void_confirmed": VOID_CONFIRMED,
            "nav": "projects",
        },
    )


def _change(request, selection: Selection, void_form, swap_form) -> Selection | None:
    """Void or swap from the selection page; the selection to show next, or None on errors."""
    try:
        if "swap" in request.POST and swap_form.is_valid():
            data = swap_form.cleaned_data
            new = selection_swap(
                selection=selection,
                flats=data["flat_codes"],
                reason=data["swap_reason"],
                by=request.user,
            )
            messages.success(request, _("Flats swapped; the old selection stays on record."))
            return new
        if request.POST.get("void") == VOID_CONFIRMED and void_form.is_valid():
            selection_void(
                selection=selection, reason=void_form.cleaned_data["reason"], by=request.user
            )
            messages.success(request, _("Selection voided; its flats are back in the pool."))
            return selection
    except ValidationError as error:
        if getattr(error, "code", None) in SELECTION_LIFECYCLE.verbs:
            # Refused by its lifecycle (voided meanwhile): nothing to correct on the form.
            messages.error(request, error.messages[0])
            return selection
        form = swap_form if "swap" in request.POST else void_form
        if hasattr(error, "error_dict") and "reason" in error.error_dict:
            form.add_error(None, error.error_dict["reason"])
        else:
            form.add_error(None, error)
    return None


@login_required
def selection_confirmation_pdf(request, pk: int):
    """The 选房确认书 for signing: the copy stored when it was confirmed (or, once voided, its
    voided copy), so a reprint is the same document, byte for byte. `?document=<kind>` gives
    one of the stored copies (the signed confirmation of a voided selection)."""
    selection = _selection(request, pk)
    if "document" in request.GET:  # one of the stored copies, e.g. the signed one once voided
        stored = StoredDocument.objects.of(selection).filter(kind=request.GET["document"])
        document = stored.first()
        if document is None:
            raise Http404
    else:
        document = confirmation_document(selection, by=request.user)
    return document_response(
        request, document, filename=f"selection-{selection.pk}.pdf", cache_control=PRIVATE
    )


# The day summary


@login_required
def event_summary(request, pk: int):
    """Live while the day is open; once closed, the PDF is the summary stored at closing."""
    event = _event(request, pk, Capability.VIEW_HOUSEHOLDS)
    if request.GET.get("format") == "pdf":
        filename = f"selection-day-{event.pk}.pdf"
        document = summary_document(event, by=request.user)
        if document is not None:
            return document_response(request, document, filename=filename, cache_control=PRIVATE)
        response = pdf_response(summary_pdf(event), filename)
        response["Cache-Control"] = PRIVATE
        return response
    return render(request, "selection/summary.html", {**summary_context(event), "nav": "projects"})


# The board (选房大屏): staff open it; its link then works without login until it expires or
# is revoked.


@login_required
@require_POST
def board_open(request, pk: int):
    """A new board link (a credential that works without login): only for the staff who run
    the day, and only by a form, never by following a link."""
    event = _event(request, pk, Capability.RUN_DESK)
    _link, token = board_link_create(event=event, by=request.user)
    return redirect(reverse("selection:board", args=[token]))


@login_required
@require_POST
def board_link_revoke(request, pk: int, link_pk: int):
    event = _event(request, pk, Capability.MANAGE_SELECTION)
    link = get_object_or_404(BoardLink, pk=link_pk, event=event)
    if board_links_revoke(event=event, links=BoardLink.objects.filter(pk=link.pk), by=request.user):
        messages.success(request, _("Board link revoked: the board showing it stops."))
    else:
        messages.info(request, _("This board link was already revoked or has expired."))
    return redirect(event)


def _link_refused(request, link: BoardLink | None, problem: str, *, page: bool) -> HttpResponse:
    """404 for a link that never was, 410 (Gone) for one that expired or was revoked."""
    status = 404 if link is None else 410
    if not page:
        return JsonResponse({"detail": problem}, status=status)
    return render(request, "selection/board_gone.html", {"problem": problem}, status=status)


@require_safe  # public: read only
def board(request, token: str):
    link, problem = board_link_for(token)
    if problem:
        return _link_refused(request, link, problem, page=True)
    board_link_opened(link=link)
    event = link.event
    labels = {
        "desk": _("Desk %(number)s"),
        "waiting": _("%(count)s waiting"),
        "stairwell": _("Stairwell %(number)s"),
        "closed": _("The selection day is closed."),
        "offline": _("Connection lost, retrying…"),
        "updated": _("Data updated at %(time)s"),
        "page": _("Page %(page)s of %(pages)s"),
        "time_zone": settings.TIME_ZONE,
        "statuses": {code: str(FlatStatus(status).label) for status, code in STATUS_CODES.items()},
    }
    return render(
        request,
        "selection/board.html",
        {
            "event": event,
            "data_url": reverse("selection:board-data", args=[token]),
            "labels": labels,
        },
    )


@require_safe  # public: read only
def board_data(request, token: str):
    event_id, opens, etag = board_poll(token)
    if not opens:  # why not, in board_link_for's words (a link created meanwhile: unknown here)
        link, problem = board_link_for(token)
        if not problem:
            link, problem = None, str(ERROR_LINK_UNKNOWN)
        return _link_refused(request, link, problem, page=False)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        # Built once per change of the board (its ETag), whatever the number of screens.
        event = SelectionEvent.objects.get(pk=event_id)
        body = body_for("board", etag, lambda: board_payload(event))
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
