"""Handover records in the admin, read-only with their history: every change goes through the
handover pages, which check the lifecycle and record who acted and why."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from resettlement.lottery.admin import ReadOnlyMixin

# Background tasks are followed on the pages that start them (a print job's progress); the
# task backend's own table is for the database, not for the administrators' screens.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


from resettlement.handover.models import (
    Appointment,
    Defect,
    HandedFlat,
    Handover,
    HandoverBatch,
    Inspection,
    Slot,
)


class SlotInline(ReadOnlyMixin, admin.TabularInline):
    model = Slot
    extra = 0


@admin.register(HandoverBatch)
class HandoverBatchAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "project", "place", "status", "opened_at"]
    list_filter = ["status", "project"]
    inlines = [SlotInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["household", "batch", "slot", "order_no", "status", "arrived_at"]
    list_filter = ["status", "batch"]
    list_select_related = ["household", "batch", "slot"]
    search_fields = ["household__agreement_no"]


class DefectInline(ReadOnlyMixin, admin.TabularInline):
    model = Defect
    extra = 0
    fields = readonly_fields = (
        *("room", "category", "description"),
        *("status", "fixed_at", "accepted_at"),
    )


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["flat", "household", "inspected_on", "result", "reinspect_on"]
    list_filter = ["result"]
    list_select_related = ["flat", "household"]
    inlines = [DefectInline]


class HandedFlatInline(ReadOnlyMixin, admin.TabularInline):
    model = HandedFlat
    extra = 0


@admin.register(Handover)
class HandoverAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["household", "batch", "handed_on", "handed_by", "status"]
    list_filter = ["status", "batch"]
    list_select_related = ["household", "batch", "handed_by"]
    search_fields = ["household__agreement_no"]
    inlines = [HandedFlatInline]
