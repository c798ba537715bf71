"""The staff pages of handover: a project's batches, a batch (slots, appointments), the desk's
day, a household's inspection and handover, the batch's defects for construction teams, and the
papers printed (notice, 房屋交接确认书, 钥匙领取单).

Who may do what: leaders and the selection roles read (VIEW_HOUSEHOLDS); clerks run the desk,
inspections and handovers (RUN_HANDOVER); supervisors open batches, add slots, assign and undo
(MANAGE_HANDOVER); construction teams see only the defects of the flats and record them fixed
(RECORD_DEFECT_FIXES). Every record is looked up within the projects the capability covers:
another project's record is a 404."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resettlement.accounts.access import (
    Capability,
    project_ids_where,
    project_or_404,
    require,
    user_can,
)
from resettlement.archive.models import IssuedDocument, IssuedKind
from resettlement.archive.registry import issued_of
from resettlement.archive.responses import PRIVATE, document_response
from resettlement.handover import lifecycle, services
from resettlement.handover.documents import handover_papers, paper_issue
from resettlement.handover.forms import (
    BatchForm,
    DefectFormSet,
    FlatHandoverForm,
    HandoverForm,
    InspectionForm,
    ReasonForm,
    RescheduleForm,
    SlotsForm,
)
from resettlement.handover.models import (
    BATCH_LIFECYCLE,
    STANDING,
    Appointment,
    Defect,
    Handover,
    HandoverBatch,
    Inspection,
)
from resettlement.handover.views import printing
from resettlement.households.presentation import show_personal_data
from resettlement.housing.models import FlatStatus
from resettlement.progress.photos import photo_prepare

UNDO_CONFIRMED = "confirmed"  # the value of `undo` on the second step of undoing a handover
PAPERS = {"confirmation": IssuedKind.HANDOVER_CONFIRMATION, "keys": IssuedKind.KEY_RECEIPT}
DEFECT_STEPS = {
    "fix": (lifecycle.defect_fix, Capability.RECORD_DEFECT_FIXES),
    "accept": (lifecycle.defect_accept, Capability.RUN_HANDOVER),
    "reopen": (lifecycle.defect_reopen, Capability.RUN_HANDOVER),
}


# Lookups within the user's projects


def _project_ids(user, *capabilities: Capability) -> frozenset[int] | None:
    """The projects where the user holds one of the capabilities (None: every project);
    403 when none anywhere."""
    if not any(user_can(user, capability) for capability in capabilities):
        raise PermissionDenied
    ids: set[int] = set()
    for capability in capabilities:
        some = project_ids_where(user, capability)
        if some is None:
            return None
        ids |= some
    return frozenset(ids)


def _scoped(queryset, user, field: str, *capabilities: Capability):
    ids = _project_ids(user, *capabilities)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def _batch(request, pk: int, *capabilities: Capability) -> HandoverBatch:
    batches = HandoverBatch.objects.select_related("project")
    return get_object_or_404(_scoped(batches, request.user, "project_id", *capabilities), pk=pk)


def _appointment(request, pk: int, capability: Capability) -> Appointment:
    appointments = Appointment.objects.select_related(
        "batch__project", "household__project", "slot"
    )
    return get_object_or_404(
        _scoped(appointments, request.user, "batch__project_id", capability), pk=pk
    )


def _handover(request, pk: int, capability: Capability) -> Handover:
    handovers = Handover.objects.select_related("batch__project", "household__project")
    return get_object_or_404(
        _scoped(handovers, request.user, "batch__project_id", capability), pk=pk
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# The project's batches


@login_required
def project_handover(request, code: str):
    project = project_or_404(request.user, code)
    can_manage = user_can(request.user, Capability.MANAGE_HANDOVER, project)
    form = BatchForm(request.POST or None, project=project)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_HANDOVER, project)
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.batch_open(
                    project=project,
                    name=data["name"],
                    buildings=list(data["buildings"]),
                    place=data["place"],
                    note=data["note"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Handover batch opened."))
                return redirect(batch)
    batches = project.handover_batches.prefetch_related("buildings")
    return render(
        request,
        "handover/project.html",
        {
            "project": project,
            "batches": batches,
            "form": form,
            "can_manage": can_manage,
            "can_view_households": user_can(request.user, Capability.VIEW_HOUSEHOLDS, project),
            "can_fix": user_can(request.user, Capability.RECORD_DEFECT_FIXES, project),
            "nav": "projects",
        },
    )


# A batch: slots, assignment, appointments, closing


@login_required
def batch_detail(request, pk: int):
    batch = _batch(request, pk, Capability.VIEW_HOUSEHOLDS)
    project = batch.project
    form = SlotsForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_HANDOVER, project)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = services.slots_add(
                    batch=batch,
                    days=form.days(),
                    half_days=data["half_days"],
                    desks=data["desks"],
                    capacity=data["capacity"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("%(count)s slots added.") % {"count": len(made)})
                return redirect(batch)
    appointments = batch.appointments.select_related("household", "slot")
    can_print = user_can(request.user, Capability.RUN_HANDOVER, project)
    return render(
        request,
        "handover/batch.html",
        {
            **(printing.print_panel_context(batch) if can_print else {}),
            "can_print": can_print,
            "batch": batch,
            "project": project,
            "buildings": batch.buildings.order_by("code"),
            "counts": services.batch_counts(batch),
            "slots": services.slots_with_use(batch).order_by("day", "half_day", "desk"),
            "days": services.batch_days(batch),
            "appointments": appointments,
            "form": form,
            "can_manage": user_can(request.user, Capability.MANAGE_HANDOVER, project)
            and batch.can_edit,
            "can_close": user_can(request.user, Capability.MANAGE_HANDOVER, project)
            and BATCH_LIFECYCLE.allows("close", batch.status),
            "nav": "projects",
        },
    )


@login_required
@require_POST
def batch_assign(request, pk: int):
    batch = _batch(request, pk, Capability.MANAGE_HANDOVER)
    try:
        assigned = services.appointments_assign(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(given)s appointments given; %(waiting)s households left without a slot.")
            % {"given": assigned.given, "waiting": assigned.waiting},
        )
    return redirect(batch)


@login_required
@require_POST
def batch_close(request, pk: int):
    batch = _batch(request, pk, Capability.MANAGE_HANDOVER)
    try:
        lifecycle.batch_close(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The handover batch is closed."))
    return redirect(batch)


@login_required
def batch_defects(request, pk: int):
    """The defects of the batch's flats, for construction teams: flats, rooms, photos; no
    household."""
    batch = _batch(request, pk, Capability.VIEW_HOUSEHOLDS, Capability.RECORD_DEFECT_FIXES)
    defects = Defect.objects.filter(flat__building__in=batch.buildings.all()).select_related(
        "flat__building", "inspection"
    )
    status = request.GET.get("status")
    if status in Defect.Status.values:
        defects = defects.filter(status=status)
    return render(
        request,
        "handover/defects.html",
        {
            "batch": batch,
            "project": batch.project,
            "defects": defects.order_by("flat__code", "pk"),
            "status": status,
            "statuses": Defect.Status.choices,
            "can_fix": user_can(request.user, Capability.RECORD_DEFECT_FIXES, batch.project),
            "nav": "projects",
        },
    )


# The desk's day


@login_required
def desk_day(request, pk: int, day: str):
    batch = _batch(request, pk, Capability.VIEW_HOUSEHOLDS)
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    desk = request.GET.get("desk")
    desk_no = int(desk) if desk and desk.isdigit() else None
    rows = services.day_sheet(batch, date, desk=desk_no)
    can_run = user_can(request.user, Capability.RUN_HANDOVER, batch.project) and batch.can_edit
    slots = services.free_slots(batch) if can_run else []
    return render(
        request,
        "handover/day.html",
        {
            "batch": batch,
            "project": batch.project,
            "day": date,
            "desk": desk_no,
            "desks": sorted(set(batch.slots.filter(day=date).values_list("desk", flat=True))),
            "rows": rows,
            "came": sum(1 for row in rows if row.appointment.status == "arrived"),
            "late": sum(1 for row in rows if row.late),
            "free_slots": slots,
            "can_run": can_run,
            "nav": "projects",
        },
    )


@login_required
@require_POST
def appointment_step(request, pk: int, step: str):
    """到场, 爽约 or 改约 from the desk's day; back to that day."""
    appointment = _appointment(request, pk, Capability.RUN_HANDOVER)
    day = reverse("handover:day", args=[appointment.batch_id, appointment.slot.day.isoformat()])
    try:
        if step == "arrive":
            services.appointment_arrive(appointment=appointment, by=request.user)
            messages.success(
                request,
                _("%(agreement)s came.") % {"agreement": appointment.household.agreement_no},
            )
        elif step == "miss":
            new = services.appointment_miss(appointment=appointment, by=request.user)
            _missed_message(request, appointment, new)
        elif step == "reschedule":
            form = RescheduleForm(request.POST, slots=services.free_slots(appointment.batch))
            if not form.is_valid():
                for problems in form.errors.values():
                    messages.error(request, str(problems[0]))
                return _back(request, day)
            new = services.appointment_reschedule(
                appointment=appointment,
                slot=form.cleaned_data["slot"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(
                request,
                _("%(agreement)s rescheduled to %(slot)s.")
                % {"agreement": appointment.household.agreement_no, "slot": new.slot},
            )
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return _back(request, day)


def _missed_message(request, appointment: Appointment, new: Appointment | None) -> None:
    agreement = appointment.household.agreement_no
    if new is None:
        messages.warning(
            request,
            _("%(agreement)s missed the appointment; no free slot: add slots and assign again.")
            % {"agreement": agreement},
        )
    else:
        messages.success(
            request,
            _("%(agreement)s missed the appointment; offered %(slot)s.")
            % {"agreement": agreement, "slot": new.slot},
        )


# A household's handover


@login_required
def appointment_page(request, pk: int):
    appointment = _appointment(request, pk, Capability.VIEW_HOUSEHOLDS)
    return _household_page(request, appointment)


def _household_page(request, appointment: Appointment, status: int = 200, **bound):
    batch, household = appointment.batch, appointment.household
    project = batch.project
    show_personal_data(request.user, [household])
    flats = services.household_flats(household, batch)
    history = list(
        batch.appointments.filter(household=household).select_related("slot").order_by("pk")
    )
    standing = next((a for a in reversed(history) if a.status in STANDING), None)
    inspections = (
        Inspection.objects.filter(household=household, flat__in=flats)
        .select_related("flat")
        .prefetch_related(Prefetch("defects", queryset=Defect.objects.order_by("pk")))
        .order_by("flat__code", "-inspected_on", "-pk")
    )
    handovers = list(
        Handover.objects.filter(batch=batch, household=household)
        .select_related("handed_by", "undone_by")
        .prefetch_related("flats__flat")
        .order_by("-pk")
    )
    for handover in handovers:
        papers = IssuedDocument.objects.of(handover).order_by("kind", "-pk")
        handover.papers = papers  # type: ignore[attr-defined]
    can_run = user_can(request.user, Capability.RUN_HANDOVER, project)
    to_hand = [flat for flat in flats if flat.status != FlatStatus.HANDED_OVER]
    notice = issued_of(standing, IssuedKind.HANDOVER_NOTICE) if standing else None
    context: dict[str, Any] = {
        "appointment": appointment,
        "standing": standing,
        "batch": batch,
        "project": project,
        "household": household,
        "flats": flats,
        "history": history,
        "notice": notice,
        "notices": IssuedDocument.objects.filter(
            household=household, kind=IssuedKind.HANDOVER_NOTICE
        ).order_by("-pk"),
        "inspections": inspections,
        "latest": services.latest_inspections(flats),
        "handovers": handovers,
        "can_run": can_run,
        "can_print_notice": can_run and standing is not None,
        "can_fix": user_can(request.user, Capability.RECORD_DEFECT_FIXES, project),
        "can_undo": user_can(request.user, Capability.MANAGE_HANDOVER, project),
        "undo_confirmed": UNDO_CONFIRMED,
        "nav": "projects",
    }
    if can_run and flats:
        context["inspection_form"] = bound.get("inspection_form") or InspectionForm(flats=flats)
        context["defect_formset"] = bound.get("defect_formset") or DefectFormSet(prefix="defect")
    if can_run and to_hand:
        context["handover_form"] = bound.get("handover_form") or HandoverForm()
        context["flat_forms"] = bound.get("flat_forms") or [
            FlatHandoverForm(flat=flat) for flat in to_hand
        ]
    context["undo_form"] = bound.get("undo_form") or ReasonForm()
    context["undo_asked"] = bound.get("undo_asked")
    return render(request, "handover/appointment.html", context, status=status)


@login_required
@require_POST
def inspection_add(request, pk: int):
    appointment = _appointment(request, pk, Capability.RUN_HANDOVER)
    household = appointment.household
    flats = services.household_flats(household, appointment.batch)
    form = InspectionForm(request.POST, flats=flats)
    formset = DefectFormSet(request.POST, request.FILES, prefix="defect")
    if form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            defects = [_defect_values(item) for item in formset.cleaned_data if item]
            services.inspection_record(
                household=household,
                flat=data["flat"],
                inspected_on=data["inspected_on"],
                result=data["result"],
                reinspect_on=data["reinspect_on"],
                note=data["note"],
                defects=defects,
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Inspection of %(flat)s recorded.") % {"flat": data["flat"].code}
            )
            return redirect(_page_url(appointment, "inspections"))
    return _household_page(
        request, appointment, status=422, inspection_form=form, defect_formset=formset
    )


def _defect_values(item: dict) -> dict:
    photo = item.get("photo")
    return {
        "room": item["room"],
        "category": item["category"],
        "description": item["description"],
        "photo": photo_prepare(photo) if photo else None,
    }


def _page_url(appointment: Appointment, anchor: str = "") -> str:
    url = reverse("handover:appointment", args=[appointment.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_POST
def defect_step(request, pk: int, step: str):
    if step not in DEFECT_STEPS:
        raise Http404
    action, capability = DEFECT_STEPS[step]
    defects = Defect.objects.select_related("flat__building__project")
    defect = get_object_or_404(
        _scoped(defects, request.user, "flat__building__project_id", capability), pk=pk
    )
    try:
        action(defect, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Defect of %(flat)s (%(room)s): %(status)s.")
            % {
                "flat": defect.flat.code,
                "room": defect.room,
                "status": defect.get_status_display(),
            },
        )
    return _back(request, "/")


@login_required
def defect_photo(request, pk: int, size: str = "full"):
    """A defect's photo (private storage) for those who may see the flat's defects."""
    defects = Defect.objects.exclude(photo="")
    defect = get_object_or_404(
        _scoped(
            defects,
            request.user,
            "flat__building__project_id",
            Capability.VIEW_HOUSEHOLDS,
            Capability.RECORD_DEFECT_FIXES,
        ),
        pk=pk,
    )
    field = defect.thumbnail if size == "thumb" and defect.thumbnail else defect.photo
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_POST
def handover_add(request, pk: int):
    appointment = _appointment(request, pk, Capability.RUN_HANDOVER)
    batch, household = appointment.batch, appointment.household
    to_hand = [
        flat
        for flat in services.household_flats(household, batch)
        if flat.status != FlatStatus.HANDED_OVER
    ]
    form = HandoverForm(request.POST)
    flat_forms = [FlatHandoverForm(request.POST, flat=flat) for flat in to_hand]
    if form.is_valid() and all(flat_form.is_valid() for flat_form in flat_forms):
        items = [item for item in (f.item() for f in flat_forms) if item is not None]
        try:
            handover = services.handover_record(
                batch=batch,
                household=household,
                flats=items,
                handed_on=form.cleaned_data["handed_on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            handover_papers(handover, by=request.user)
            messages.success(
                request,
                _("Handed over: print the handover confirmation and the key receipt for signing."),
            )
            return redirect(_page_url(appointment, f"handover-{handover.pk}"))
    return _household_page(
        request, appointment, status=422, handover_form=form, flat_forms=flat_forms
    )


@login_required
def handover_detail(request, pk: int):
    handover = _handover(request, pk, Capability.VIEW_HOUSEHOLDS)
    appointment = handover.appointment or (
        handover.batch.appointments.filter(household=handover.household).order_by("-pk").first()
    )
    if appointment is None:
        raise Http404
    return redirect(_page_url(appointment, f"handover-{handover.pk}"))


@login_required
@require_POST
def handover_undo(request, pk: int):
    """Undo in two steps: the reason, then a page that repeats what will happen."""
    handover = _handover(request, pk, Capability.MANAGE_HANDOVER)
    appointment = handover.appointment or (
        handover.batch.appointments.filter(household=handover.household).order_by("-pk").first()
    )
    if appointment is None:
        raise Http404
    appointment = _appointment(request, appointment.pk, Capability.MANAGE_HANDOVER)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _household_page(request, appointment, status=422, undo_form=form)
    if request.POST.get("undo") != UNDO_CONFIRMED:
        return _household_page(request, appointment, undo_form=form, undo_asked=handover)
    try:
        services.handover_undo(
            handover=handover, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Handover undone; its papers are voided. The record stays."))
    return redirect(_page_url(appointment, f"handover-{handover.pk}"))


# Papers


@login_required
def notice_pdf(request, pk: int):
    """交房通知书 of an appointment: issued on the first print (the household is then
    notified), the stored bytes on every reprint."""
    appointment = _appointment(request, pk, Capability.VIEW_HOUSEHOLDS)
    document = issued_of(appointment, IssuedKind.HANDOVER_NOTICE)
    if document is None or document.stored is None:
        can_issue = user_can(request.user, Capability.RUN_HANDOVER, appointment.batch.project)
        if not (can_issue and appointment.status in STANDING):
            raise Http404
        document = paper_issue(IssuedKind.HANDOVER_NOTICE, appointment, by=request.user)
    return _paper_response(request, document, f"notice-{document.number}.pdf")


@login_required
def handover_paper_pdf(request, pk: int, kind: str):
    """房屋交接确认书 or 钥匙领取单 of a handover: the stored copy (once undone, its voided
    copy)."""
    if kind not in PAPERS:
        raise Http404
    handover = _handover(request, pk, Capability.VIEW_HOUSEHOLDS)
    document = (
        IssuedDocument.objects.of(handover)
        .filter(kind=PAPERS[kind], stored__isnull=False)
        .select_related("stored")
        .order_by("-pk")
        .first()
    )
    if document is None:
        can_issue = user_can(request.user, Capability.RUN_HANDOVER, handover.batch.project)
        if not (can_issue and handover.can_undo):
            raise Http404
        document = paper_issue(PAPERS[kind], handover, by=request.user)
    return _paper_response(request, document, f"{kind}-{document.number}.pdf")


def _paper_response(request, document: IssuedDocument, filename: str):
    assert document.stored is not None
    return document_response(request, document.stored, filename=filename, cache_control=PRIVATE)
