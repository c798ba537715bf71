"""Register uploads from the web run as a background task, with progress on their batch.

Every upload goes this way, whatever its size: how many rows a workbook holds is only known by
reading it (its declared dimension can lie), and reading is the slow part, so no threshold
could be checked before the cost it is meant to avoid. With Redis (REDIS_URL) the task runs
on a worker and the uploader watches a progress page; without it, Django's immediate backend
runs the task at once and the same page shows the result.

The upload is stored in private storage under a random name until the task has read it, and
deleted then, whatever the outcome. The import itself stays all rows or none. An import whose
worker is gone (stopped at the task timeout, killed, or never started) is closed as
interrupted, and its upload deleted, by the next import and by its own page.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django_tasks import task

from resettlement.accounts.models import User
from resettlement.imports.models import ImportBatch, ImportKind, ImportStage, ImportStatus
from resettlement.imports.registers import ImportResult, flats_import, households_import
from resettlement.projects.models import Project

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    ImportKind.HOUSEHOLDS: households_import,
    ImportKind.FLATS: flats_import,
}


def import_queue(
    *, project: Project, kind: str, upload, dry_run: bool, by: User | None
) -> ImportBatch:
    """Store `upload`, record a queued ImportBatch and start its task once the batch is
    committed."""
    batch = ImportBatch(
        project=project,
        kind=kind,
        filename=upload.name[:255],
        dry_run=dry_run,
        created_by=by,
        status=ImportStatus.QUEUED,
    )
    batch.upload.save("upload.xlsx", upload, save=False)
    batch.save()
    language = translation.get_language()
    transaction.on_commit(lambda: _enqueue(batch.pk, language))
    return batch


def _enqueue(batch_id: int, language: str) -> None:
    """Start the task; if the queue cannot take it (Redis down), the batch says it failed
    rather than waiting for ever."""
    try:
        import_run.enqueue(batch_id=batch_id, language=language)
    except Exception:
        logger.exception("import %s could not be queued", batch_id)
        ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED
        )
        _discard_upload(batch_id)


@task()
def import_run(batch_id: int, language: str) -> None:
    """Run a queued import once: claim it, import, record the outcome, drop the upload."""
    imports_interrupted_close()
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, stage=ImportStage.READING, started_at=timezone.now()
    )
    if not claimed:
        return
    batch = ImportBatch.objects.select_related("project", "created_by").get(pk=batch_id)
    try:
        with translation.override(language), batch.upload.open("rb") as file:
            IMPORTERS[batch.kind](
                project=batch.project,
                file=file,
                filename=batch.filename,
                dry_run=batch.dry_run,
                by=batch.created_by,
                batch=batch,
                progress=_progress(batch_id),
            )
    except Exception:
        logger.exception("import %s stopped by an unexpected error", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.FAILED, stage="")
        raise
    finally:
        _discard_upload(batch_id)


# A queued import nobody started within this time lost its job (a queue emptied, a worker
# that never came): it will not start any more.
QUEUED_AT_MOST = datetime.timedelta(days=1)


def imports_interrupted_close(*, batches=None) -> int:
    """Close the imports (of `batches`, default all) whose worker is gone: running for longer
    than a task may run (the worker stopped it, or was killed with it), or queued for longer
    than QUEUED_AT_MOST. Each is marked interrupted, nothing of it having been written (an
    import is one transaction), and its stored upload deleted. How many were closed."""
    now = timezone.now()
    batches = ImportBatch.objects.all() if batches is None else batches
    stale = batches.filter(
        Q(
            status=ImportStatus.RUNNING,
            started_at__lt=now - datetime.timedelta(seconds=settings.TASK_TIMEOUT),
        )
        | Q(status=ImportStatus.QUEUED, created_at__lt=now - QUEUED_AT_MOST)
    )
    closed = 0
    for batch_id, status in stale.values_list("pk", "status"):
        if ImportBatch.objects.filter(pk=batch_id, status=status).update(
            status=ImportStatus.INTERRUPTED, stage=""
        ):
            closed += 1
            _discard_upload(batch_id)
    return closed


def _progress(batch_id: int):
    def report(stage: str, done: int, total: int | None) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(
            stage=stage, rows_done=done, rows_total=total
        )

    return report


def _discard_upload(batch_id: int) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.upload:
        batch.upload.delete(save=False)
        ImportBatch.objects.filter(pk=batch_id).update(upload="")
