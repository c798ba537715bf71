"""Selection days in the admin: events and their rules may be corrected before they open;
selections, locks and the log are read-only (voids and swaps go through the selection page,
which records the reason and keeps both records)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.accounts.admin import ExpiringKeyAdmin, KeyStateFilter
from resettlement.accounts.models import User
from resettlement.lottery.admin import ReadOnlyMixin
from resettlement.selection.board import board_links_revoke
from resettlement.selection.models import (
    BoardLink,
    Desk,
    FlatHold,
    FloorAdjustment,
    PriceTier,
    SelectedFlat,
    Selection,
    SelectionEvent,
    SelectionLog,
)


class FixedOnceOpenMixin:
    """An event's price rules are fixed once it opens (desks settle by them and cache them)."""

    def _planned(self, obj) -> bool:
        return obj is None or obj.can_edit_rules

    def has_add_permission(self, request, obj=None) -> bool:
        return self._planned(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._planned(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._planned(obj) and super().has_delete_permission(request, obj)


class PriceTierInline(FixedOnceOpenMixin, admin.TabularInline):
    model = PriceTier
    extra = 0


class FloorAdjustmentInline(FixedOnceOpenMixin, admin.TabularInline):
    model = FloorAdjustment
    extra = 0


class DeskInline(admin.TabularInline):
    model = Desk
    extra = 0


@admin.register(SelectionEvent)
class SelectionEventAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project", "starts_on", "ends_on", "status", "queue_source"]
    list_filter = ["project", "status"]
    filter_horizontal = ["buildings"]
    inlines = [PriceTierInline, FloorAdjustmentInline, DeskInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.can_edit_rules:
            return [field.name for field in obj._meta.fields] + ["buildings"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or (obj.can_edit_rules and not obj.queue.exists())


class SelectedFlatInline(ReadOnlyMixin, admin.TabularInline):
    model = SelectedFlat
    extra = 0


@admin.register(Selection)
class SelectionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["household", "event", "status", "total_area", "balance", "confirmed_at"]
    list_filter = ["status", "source", "event"]
    search_fields = ["household__agreement_no", "household__head_name"]
    list_select_related = ["household", "event"]
    exclude = ["confirmation_pdf"]
    inlines = [SelectedFlatInline]


@admin.register(FlatHold)
class FlatHoldAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["flat", "event", "desk", "queue_entry", "expires_at"]
    list_select_related = ["flat", "event", "desk", "queue_entry"]


@admin.register(SelectionLog)
class SelectionLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "event", "action", "desk", "user", "household", "flats", "detail"]
    list_filter = ["event", "action"]
    list_select_related = ["event", "desk", "user", "household"]


@admin.register(BoardLink)
class BoardLinkAdmin(ExpiringKeyAdmin):
    """Board links are made by opening the board from the event page; here they are listed
    and revoked (the address itself is not kept, only a hash of it)."""

    list_display = [
        "event",
        "created_by",
        "created_at",
        "expires_at",
        "last_opened_at",
        "state_shown",
        "revoked_by",
    ]
    list_filter = [KeyStateFilter, "event__project", "event"]
    list_select_related = ["event", "created_by", "revoked_by"]
    fields = [
        "event",
        "created_by",
        "created_at",
        "expires_at",
        "last_opened_at",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields

    def keys_revoke(self, queryset, *, by: User | None) -> int:
        """Through each link's event, so that its log records the revocation as the event page
        does."""
        events = SelectionEvent.objects.filter(board_links__in=queryset).distinct()
        return sum(board_links_revoke(event=event, links=queryset, by=by) for event in events)

    def has_add_permission(self, request) -> bool:
        return False
