"""The status steps of handover records: appointments (expected → came / missed /
rescheduled), defects (open → fixed → accepted, or reopened) and handovers (done → undone).
Each step claims the row with a conditional UPDATE on the statuses it leaves from and writes
the history in the same round trip (resettlement.lifecycle.claim); nothing else writes these
statuses."""

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from resettlement.accounts.models import User
from resettlement.handover.models import (
    APPOINTMENT_LIFECYCLE,
    BATCH_LIFECYCLE,
    DEFECT_LIFECYCLE,
    HANDOVER_LIFECYCLE,
    Appointment,
    Defect,
    Handover,
    HandoverBatch,
)
from resettlement.lifecycle import Lifecycle, claim


def _step(
    instance: Model,
    lifecycle: Lifecycle,
    verb: str,
    *,
    by: User | None,
    reason: str = "",
    **values: Any,
) -> None:
    model = type(instance)
    target = lifecycle.target(verb)
    changed = claim(
        model._default_manager.filter(pk=instance.pk, status__in=lifecycle.sources(verb)),
        {"status": target, **values},
        by=by,
        reason=reason,
    )
    if not changed:
        current = model._default_manager.filter(pk=instance.pk).values_list("status", flat=True)
        status = current.first() or instance.status  # type: ignore[attr-defined]
        raise lifecycle.refusal(verb, status)
    instance.status = target  # type: ignore[attr-defined]
    for name, value in values.items():
        setattr(instance, name, value)


def appointment_arrive(appointment: Appointment, *, by: User | None = None) -> None:
    _step(appointment, APPOINTMENT_LIFECYCLE, "arrive", by=by, arrived_at=timezone.now())


def appointment_mark_missed(appointment: Appointment, *, by: User | None = None) -> None:
    _step(appointment, APPOINTMENT_LIFECYCLE, "miss", by=by, reason="爽约")


def appointment_mark_rescheduled(
    appointment: Appointment, *, by: User | None = None, reason: str = ""
) -> None:
    _step(appointment, APPOINTMENT_LIFECYCLE, "reschedule", by=by, reason=reason)


def defect_fix(defect: Defect, *, by: User | None = None) -> None:
    _step(defect, DEFECT_LIFECYCLE, "fix", by=by, fixed_at=timezone.now())


def defect_accept(defect: Defect, *, by: User | None = None) -> None:
    _step(defect, DEFECT_LIFECYCLE, "accept", by=by, accepted_at=timezone.now())


def defect_reopen(defect: Defect, *, by: User | None = None) -> None:
    _step(defect, DEFECT_LIFECYCLE, "reopen", by=by, fixed_at=None)


def handover_mark_undone(handover: Handover, *, by: User | None = None, reason: str = "") -> None:
    _step(
        handover,
        HANDOVER_LIFECYCLE,
        "undo",
        by=by,
        reason=reason,
        undo_reason=reason,
        undone_by=by,
        undone_at=timezone.now(),
    )


def batch_close(*, batch: HandoverBatch, by: User | None = None) -> None:
    """Close a batch for good (its slots and appointments stay). The batch's row is locked
    and saved with its history (its buildings' history is kept with it)."""
    with transaction.atomic():
        locked = HandoverBatch.objects.select_for_update().get(pk=batch.pk)
        BATCH_LIFECYCLE.check("close", locked.status)
        locked.status = BATCH_LIFECYCLE.target("close")
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["status"])
    batch.status = locked.status
