import hashlib
import uuid
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from resettlement import lottery_verify
from resettlement.accounts.access import (
    Capability,
    project_ids_where,
    project_or_404,
    require,
    user_can,
)
from resettlement.archive.models import DocumentKind
from resettlement.archive.responses import (
    PRIVATE,
    PUBLIC_IMMUTABLE,
    PUBLIC_REVISED,
    bytes_response,
    document_pending,
    document_response,
)
from resettlement.archive.services import document_latest
from resettlement.housing.models import Flat, FlatStatus
from resettlement.lottery import notice as notices
from resettlement.lottery.files import published_file_names
from resettlement.lottery.forms import (
    DrawForm,
    EntryForm,
    GroupListForm,
    LotteryForm,
    NotaryResultForm,
    NoticeDetailsForm,
    PoolForm,
    ReasonForm,
    RedrawForm,
    WitnessFormSet,
)
from resettlement.lottery.lifecycle import (
    lottery_cancel,
    lottery_draw,
    lottery_freeze,
    notary_import,
)
from resettlement.lottery.models import (
    Lottery,
    LotteryMode,
    LotteryStatus,
)
from resettlement.lottery.services import (
    entry_remove,
    entry_update,
    groups_apply,
    lottery_create,
    lottery_notice_set,
    pool_flats_set,
    roster_build,
)
from resettlement.selection.lotteries import lottery_publish, lottery_redraw

ROSTER_PAGE = 100


def _lottery(request, pk: int) -> Lottery:
    require(request.user, Capability.VIEW_HOUSEHOLDS)
    visible = Lottery.objects.select_related("project", "replaces", "replaced_by", "created_by")
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
def lottery_detail(request, pk: int, notice_form: NoticeDetailsForm | None = None):
    lottery = _lottery(request, pk)
    entries = lottery.entries.select_related("household").order_by("group", "agreement_no")
    page = Paginator(entries, ROSTER_PAGE).get_page(request.GET.get("page"))
    results = None
    if lottery.secret_revealed:
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
        "notice_form": notice_form or NoticeDetailsForm(instance=lottery),
        "pools": _pool_summary(lottery) if lottery.mode == LotteryMode.ASSIGN else None,
        "files": published_file_names(lottery),
        "notice_pdf": document_latest(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
        if lottery.status == LotteryStatus.PUBLISHED
        else None,
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
def lottery_notice_details(request, pk: int):
    """The notice's publicity period and where objections go; the page again with the errors."""
    lottery = _lottery(request, pk)
    _manage(request, lottery)
    form = NoticeDetailsForm(request.POST, instance=Lottery.objects.get(pk=lottery.pk))
    if form.is_valid():
        try:
            lottery_notice_set(lottery=lottery, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Notice details saved."))
            return redirect(lottery)
    for message in form.non_field_errors():
        messages.error(request, message)
    return lottery_detail(request, pk, notice_form=form)


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
    """A published file for staff, from the roster's freeze on (stored then; a lottery frozen
    before documents were stored gets its file stored on this first download)."""
    lottery = _lottery(request, pk)
    if name not in published_file_names(lottery):
        raise Http404
    document = notices.file_document(lottery, name, by=request.user)
    return document_response(
        request,
        document,
        filename=notices.public_file_name(lottery, name),
        cache_control=PRIVATE,
        download=True,
    )


# The public notice (公示): no login, an unguessable address, only once published. Every
# response is a stored document; a reader's request never renders one.


def _published(token: uuid.UUID) -> Lottery:
    lotteries = Lottery.objects.only("status", "mode", "frozen_at")
    lottery = get_object_or_404(lotteries, public_token=token)
    if lottery.status != LotteryStatus.PUBLISHED:
        raise Http404
    return lottery


@require_safe  # public: read only
def notice(request, token: uuid.UUID):
    state = notices.public_state(token)
    if state is None or not state.published:
        raise Http404
    if not state.stored:
        return document_pending(request)
    page, etag = notices.public_page(
        state, page=request.GET.get("page"), query=request.GET.get("q")
    )
    response = bytes_response(
        request,
        page,
        etag=etag,
        content_type=notices.HTML,
        filename=None,
        cache_control=PUBLIC_REVISED,
    )
    response["Content-Language"] = settings.LANGUAGE_CODE
    return response


@require_safe  # public: read only
def notice_pdf(request, token: uuid.UUID):
    lottery = _published(token)
    document = document_latest(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
    if document is None:
        return document_pending(request)
    return document_response(
        request,
        document,
        filename=f"lottery-{lottery.pk}-notice.pdf",
        cache_control=PUBLIC_REVISED,
    )


@require_safe  # public: read only
def notice_file(request, token: uuid.UUID, name: str):
    lottery = _published(token)
    if name not in published_file_names(lottery):
        raise Http404
    document = document_latest(lottery, notices.FILE_KINDS[name])
    if document is None:  # published before documents were stored: documents_render
        return document_pending(request)
    return document_response(
        request,
        document,
        filename=notices.public_file_name(lottery, name),
        cache_control=PUBLIC_IMMUTABLE,
        download=True,
    )


@cache
def _verifier() -> tuple[bytes, str]:
    content = Path(lottery_verify.__file__).read_bytes()
    return content, f'"{hashlib.sha256(content).hexdigest()}"'


@require_safe  # public: read only
def verifier(request):
    """The stand-alone verifier itself, for whoever checks a notice (standard library only)."""
    content, etag = _verifier()
    return bytes_response(
        request,
        content,
        etag=etag,
        content_type="text/x-python; charset=utf-8",
        filename=notices.VERIFIER_NAME,
        cache_control="public, max-age=3600",
    )


@login_required
def notice_preview(request, pk: int):
    """Staff see the notice as it will be published once the draw is made (rendered for them:
    until publication it may still change; then the PDF link is the stored notice)."""
    lottery = _lottery(request, pk)
    if not lottery.secret_revealed:
        raise Http404
    context = {
        **notices.notice_context(lottery),
        "rows_section": notices.preview_section(
            lottery, page=request.GET.get("page"), query=request.GET.get("q")
        ),
        "notice_pdf": notices.notice_documents(lottery).get(DocumentKind.LOTTERY_NOTICE_PDF)
        if lottery.status == LotteryStatus.PUBLISHED
        else None,
        "preview": True,
    }
    return render(request, "lottery/notice_preview.html", context)
