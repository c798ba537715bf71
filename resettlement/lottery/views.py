from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resettlement import lottery_verify
from resettlement.accounts.access import (
    Capability,
    project_ids_where,
    project_or_404,
    require,
    user_can,
)
from resettlement.documents import pdf_response, render_pdf
from resettlement.housing.models import Flat, FlatStatus
from resettlement.lottery.forms import (
    DrawForm,
    EntryForm,
    GroupListForm,
    LotteryForm,
    NotaryResultForm,
    PoolForm,
    ReasonForm,
    RedrawForm,
    WitnessFormSet,
)
from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus
from resettlement.lottery.services import (
    entry_remove,
    entry_update,
    groups_apply,
    lottery_cancel,
    lottery_create,
    lottery_draw,
    lottery_freeze,
    lottery_publish,
    lottery_redraw,
    notary_import,
    pool_flats_set,
    published_file,
    published_file_names,
    roster_build,
)
from resettlement.masking import mask_name

ROSTER_PAGE = 100
CSV = "text/csv; charset=utf-8"


def _lottery(request, pk: int) -> Lottery:
    require(request.user, Capability.VIEW_HOUSEHOLDS)
    visible = Lottery.objects.select_related("project", "replaces", "created_by")
    project_ids = project_ids_where(request.user, Capability.VIEW_HOUSEHOLDS)
    if project_ids is not None:
        visible = visible.filter(project_id__in=project_ids)
    return get_object_or_404(visible, pk=pk)


def _manage(request, lottery: Lottery) -> None:
    require(request.user, Capability.MANAGE_SELECTION, lottery.project)


def _step(request, lottery: Lottery, action, success: str):
    """Run a lottery step from a POST; errors become messages; back to the lottery."""
    _manage(request, lottery)
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(lottery)


@login_required
def lottery_list(request, code: str):
    project = project_or_404(request.user, code, Capability.VIEW_HOUSEHOLDS)
    can_manage = user_can(request.user, Capability.MANAGE_SELECTION, project)
    form = LotteryForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_SELECTION, project)
        if form.is_valid():
            try:
                lottery = lottery_create(project=project, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Lottery created: build its roster next."))
                return redirect(lottery)
    lotteries = project.lotteries.select_related("replaces").prefetch_related("replaced_by")
    return render(
        request,
        "lottery/list.html",
        {
            "project": project,
            "lotteries": lotteries,
            "form": form,
            "can_manage": can_manage,
            "nav": "projects",
        },
    )


@login_required
def lottery_detail(request, pk: int):
    lottery = _lottery(request, pk)
    entries = lottery.entries.select_related("household").order_by("group", "agreement_no")
    page = Paginator(entries, ROSTER_PAGE).get_page(request.GET.get("page"))
    results = None
    if lottery.status in (LotteryStatus.DRAWN, LotteryStatus.PUBLISHED):
        results = Paginator(
            lottery.results.select_related("entry__household", "flat").order_by("sequence"),
            ROSTER_PAGE,
        ).get_page(request.GET.get("results"))
    can_manage = user_can(request.user, Capability.MANAGE_SELECTION, lottery.project)
    context = {
        "lottery": lottery,
        "project": lottery.project,
        "page": page,
        "results": results,
        "can_manage": can_manage,
        "refused": request.session.pop(f"lottery-{lottery.pk}-refused", None),
        "draw_form": DrawForm(),
        "witnesses": WitnessFormSet(prefix="witnesses"),
        "reason_form": ReasonForm(),
        "redraw_form": RedrawForm(),
        "notary_form": NotaryResultForm(),
        "pool_form": PoolForm(project=lottery.project),
        "group_list_form": GroupListForm(),
        "pools": _pool_summary(lottery) if lottery.mode == LotteryMode.ASSIGN else None,
        "files": published_file_names(lottery),
        "nav": "projects",
    }
    return render(request, "lottery/detail.html", context)


def _pool_summary(lottery: Lottery) -> list[dict]:
    flats: dict[str, int] = {}
    for pool in lottery.pool_flats.values_list("pool", flat=True):
        flats[pool] = flats.get(pool, 0) + 1
    households: dict[str, int] = {}
    for pool in lottery.entries.values_list("pool", flat=True):
        households[pool] = households.get(pool, 0) + 1
    return [
        {"pool": pool or "—", "flats": flats.get(pool, 0), "households": households.get(pool, 0)}
        for pool in sorted(set(flats) | set(households))
    ]


@login_required
@require_POST
def lottery_roster_build(request, pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    try:
        report = roster_build(lottery=lottery, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(lottery)
    request.session[f"lottery-{lottery.pk}-refused"] = [
        [household.agreement_no, household.head_name, reason]
        for household, reason in report.refused
    ]
    messages.success(
        request,
        _("%(added)s households added; %(refused)s refused (listed below with the reason).")
        % {"added": report.added, "refused": len(report.refused)},
    )
    return redirect(lottery)


@login_required
@require_POST
def lottery_entry_edit(request, pk: int, entry_pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    entry = get_object_or_404(lottery.entries, pk=entry_pk)
    if "remove" in request.POST:
        return _step(
            request,
            lottery,
            lambda: entry_remove(entry=entry, by=request.user),
            _("Entry removed."),
        )
    form = EntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A group is a whole number from 1."))
        return redirect(lottery)
    data = form.cleaned_data
    return _step(
        request,
        lottery,
        lambda: entry_update(
            entry=entry, group=data["group"], pool=data["pool"] or None, by=request.user
        ),
        _("Entry %(agreement)s updated.") % {"agreement": entry.agreement_no},
    )


@login_required
@require_POST
def lottery_groups(request, pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    form = GroupListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Paste the list first."))
        return redirect(lottery)
    text = form.cleaned_data["text"]
    return _step(
        request,
        lottery,
        lambda: groups_apply(lottery=lottery, text=text, by=request.user),
        _("Groups set from the list."),
    )


@login_required
@require_POST
def lottery_pool(request, pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    form = PoolForm(request.POST, project=lottery.project)
    if not form.is_valid():
        messages.error(request, _("Name the pool."))
        return redirect(lottery)
    flats = Flat.objects.filter(building__project=lottery.project, status=FlatStatus.AVAILABLE)
    if form.cleaned_data["building"]:
        flats = flats.filter(building=form.cleaned_data["building"])
    if form.cleaned_data["layout"]:
        flats = flats.filter(layout=form.cleaned_data["layout"])
    flats = list(flats.select_related("building"))
    pool = form.cleaned_data["pool"].strip()
    return _step(
        request,
        lottery,
        lambda: pool_flats_set(lottery=lottery, pool=pool, flats=flats, by=request.user),
        _("Pool %(pool)s: %(count)s flats.") % {"pool": pool, "count": len(flats)},
    )


@login_required
@require_POST
def lottery_freeze_view(request, pk: int):
    lottery = _lottery(request, pk)
    return _step(
        request,
        lottery,
        lambda: lottery_freeze(lottery=lottery, by=request.user),
        _("Roster frozen: the roster digest and the commitment are published."),
    )


@login_required
@require_POST
def lottery_draw_view(request, pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    form = DrawForm(request.POST)
    witnesses = WitnessFormSet(request.POST, prefix="witnesses")
    if not (form.is_valid() and witnesses.is_valid()):
        messages.error(request, _("Enter the public input and the witnesses."))
        return redirect(lottery)
    rows = [
        (
            w.cleaned_data.get("name", ""),
            w.cleaned_data.get("role", ""),
            w.cleaned_data.get("organisation", ""),
        )
        for w in witnesses
    ]
    return _step(
        request,
        lottery,
        lambda: lottery_draw(
            lottery=lottery,
            public_input=form.cleaned_data["public_input"],
            witnesses=rows,
            by=request.user,
        ),
        _("Drawn: the secret is revealed; check the result, then publish it."),
    )


@login_required
@require_POST
def lottery_publish_view(request, pk: int):
    lottery = _lottery(request, pk)
    return _step(
        request,
        lottery,
        lambda: lottery_publish(lottery=lottery, by=request.user),
        _("Result published."),
    )


@login_required
@require_POST
def lottery_cancel_view(request, pk: int):
    lottery = _lottery(request, pk)
    reason = request.POST.get("reason", "")
    return _step(
        request,
        lottery,
        lambda: lottery_cancel(lottery=lottery, reason=reason, by=request.user),
        _("Lottery cancelled."),
    )


@login_required
@require_POST
def lottery_redraw_view(request, pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    form = RedrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason and who approved it."))
        return redirect(lottery)
    try:
        successor = lottery_redraw(lottery=lottery, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(lottery)
    messages.success(request, _("Re-draw created with the same roster; freeze and draw it."))
    return redirect(successor)


@login_required
@require_POST
def lottery_notary_import(request, pk: int):
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    form = NotaryResultForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the stamped result file."))
        return redirect(lottery)
    upload = form.cleaned_data["file"]
    return _step(
        request,
        lottery,
        lambda: notary_import(
            lottery=lottery, content=upload.read(), filename=upload.name, by=request.user
        ),
        _("The notary's result is imported."),
    )


@login_required
def lottery_file(request, pk: int, name: str):
    lottery = _lottery(request, pk)
    return _file_response(lottery, name)


def _file_response(lottery: Lottery, name: str) -> HttpResponse:
    text = published_file(lottery, name)
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="lottery-{lottery.pk}-{name}"'
    return response


# The public notice (公示): no login, an unguessable address, only once published.


def _published(token) -> Lottery:
    lottery = get_object_or_404(
        Lottery.objects.select_related("project", "replaces"), public_token=token
    )
    if lottery.status != LotteryStatus.PUBLISHED:
        raise Http404
    return lottery


def notice_context(lottery: Lottery) -> dict:
    results = lottery.results.select_related("entry__household", "flat").order_by("sequence")
    rows = [
        {
            "sequence": result.sequence,
            "group": result.entry.group,
            "agreement_no": result.entry.agreement_no,
            "name": mask_name(result.entry.household.head_name),
            "flat": result.flat.code if result.flat else "",
        }
        for result in results
    ]
    return {
        "lottery": lottery,
        "project": lottery.project,
        "rows": rows,
        "witnesses": lottery.witnesses.all(),
        "replaced_by": getattr(lottery, "replaced_by", None),
        "printed_at": timezone.localtime(),
    }


def notice(request, token):
    lottery = _published(token)
    return render(request, "lottery/notice.html", notice_context(lottery))


def notice_pdf(request, token):
    lottery = _published(token)
    content = render_pdf("documents/lottery_notice.html", notice_context(lottery))
    return pdf_response(content, f"lottery-{lottery.pk}-notice.pdf")


def verifier(request):
    """The stand-alone verifier itself, for whoever checks a notice (standard library only)."""
    response = HttpResponse(
        Path(lottery_verify.__file__).read_bytes(), content_type="text/x-python; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="lottery_verify.py"'
    return response


def notice_file(request, token, name: str):
    return _file_response(_published(token), name)


@login_required
def notice_preview(request, pk: int):
    """Staff see the notice as it will be published once the draw is made."""
    lottery = _lottery(request, pk)
    if lottery.status not in (LotteryStatus.DRAWN, LotteryStatus.PUBLISHED):
        raise Http404
    return render(request, "lottery/notice.html", {**notice_context(lottery), "preview": True})
