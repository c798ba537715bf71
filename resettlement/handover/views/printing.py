"""Bulk printing pages: start a job for a batch or one of its buildings (the panel on the
batch page, _print_panel.html), follow its progress (htmx polls a fragment; the user may leave
and come back), download the merged PDF and the ZIP, retry the failed households."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from resettlement.accounts.access import Capability, projects_where, require
from resettlement.archive.responses import PRIVATE, document_response
from resettlement.handover.models import HandoverBatch, PrintJob, PrintKind
from resettlement.handover.printing import (
    job_eta,
    job_retry,
    job_start,
    recover_stale_print_parts,
)

RECENT_JOBS = 10


def _batch(user, pk: int) -> HandoverBatch:
    batch = get_object_or_404(
        HandoverBatch.objects.select_related("project"), pk=pk, project__in=projects_where(user)
    )
    require(user, Capability.RUN_HANDOVER, batch.project)
    return batch


def _job(user, pk: int) -> PrintJob:
    job = get_object_or_404(
        PrintJob.objects.select_related("project", "batch", "building", "created_by"),
        pk=pk,
        project__in=projects_where(user),
    )
    require(user, Capability.RUN_HANDOVER, job.project)
    return job


def print_panel_context(batch: HandoverBatch) -> dict:
    """What _print_panel.html shows beside `batch` (the batch page may include it)."""
    return {
        "print_kinds": PrintKind.choices,
        "print_buildings": list(batch.buildings.order_by("code")),
        "print_jobs": batch.print_jobs.select_related("building", "created_by")[:RECENT_JOBS],
    }


@login_required
def print_panel(request, pk: int):
    batch = _batch(request.user, pk)
    context = {"batch": batch, "project": batch.project, **print_panel_context(batch)}
    return render(request, "handover/print_panel_page.html", context)


@login_required
@require_POST
def print_start(request, pk: int):
    batch = _batch(request.user, pk)
    kind = request.POST.get("kind", "")
    if kind not in PrintKind.values:
        raise Http404
    building = None
    if request.POST.get("building"):
        building = get_object_or_404(batch.buildings, pk=request.POST["building"])
    try:
        job = job_start(batch=batch, kind=kind, building=building, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("handover:print-panel", batch.pk)
    return redirect(job)


def _progress_context(job: PrintJob) -> dict:
    eta = job_eta(job)
    return {
        "job": job,
        "eta_minutes": max(1, math.ceil(eta.total_seconds() / 60)) if eta is not None else None,
        "failures": job.items.filter(status="failed").select_related("household")
        if job.failed
        else [],
    }


@login_required
def print_job(request, pk: int):
    job = _job(request.user, pk)
    return render(
        request, "handover/print_job.html", {"project": job.project, **_progress_context(job)}
    )


@login_required
def print_progress(request, pk: int):
    """The fragment htmx polls: also the moment to queue again a part whose worker died.
    Opened as a page (a bookmark, a copied address), it is the job's page."""
    job = _job(request.user, pk)
    if not request.htmx:
        return redirect(job)
    if not job.finished and recover_stale_print_parts():
        job.refresh_from_db()
    response = render(request, "handover/_print_progress.html", _progress_context(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def print_retry(request, pk: int):
    job = _job(request.user, pk)
    try:
        job_retry(job=job, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(job)


DOWNLOADS = {"pdf": ("merged", "pdf"), "zip": ("zip", "zip")}


@login_required
def print_download(request, pk: int, what: str):
    job = _job(request.user, pk)
    field, extension = DOWNLOADS[what]
    stored = getattr(job, field)
    if stored is None:
        raise Http404
    where = job.building.code if job.building else job.batch.name
    filename = f"{where}_{job.get_kind_display()}_{job.pk}.{extension}"
    return document_response(
        request, stored, filename=filename, cache_control=PRIVATE, download=True
    )


urlpatterns = [
    path("handover/batches/<int:pk>/print/", print_panel, name="print-panel"),
    path("handover/batches/<int:pk>/print/start/", print_start, name="print-start"),
    path("handover/print/<int:pk>/", print_job, name="print-job"),
    path("handover/print/<int:pk>/progress/", print_progress, name="print-progress"),
    path("handover/print/<int:pk>/retry/", print_retry, name="print-retry"),
    path("handover/print/<int:pk>/papers.pdf", print_download, {"what": "pdf"}, name="print-pdf"),
    path("handover/print/<int:pk>/papers.zip", print_download, {"what": "zip"}, name="print-zip"),
]
