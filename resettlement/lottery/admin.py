"""The lottery in the admin: to look, not to change. Every step of a lottery is taken on its
page, by a selection supervisor, through the services that keep the draw verifiable; an edit
here would break the published digests."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.lottery.models import Lottery, LotteryEntry, LotteryResult, Witness


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class WitnessInline(ReadOnlyMixin, admin.TabularInline):
    model = Witness
    extra = 0


@admin.register(Lottery)
class LotteryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        *("name", "project", "mode", "status", "scheduled_on", "drawn_at"),
        *("publicity_ends_on", "replaces"),
    ]
    list_filter = ["project", "status", "mode"]
    search_fields = ["name"]
    exclude = ["secret"]  # shown on the lottery page once revealed
    inlines = [WitnessInline]


@admin.register(LotteryEntry)
class LotteryEntryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["agreement_no", "lottery", "group", "pool"]
    list_filter = ["lottery__project", "lottery"]
    search_fields = ["agreement_no"]
    list_select_related = ["lottery"]


@admin.register(LotteryResult)
class LotteryResultAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["sequence", "entry", "lottery", "flat"]
    list_filter = ["lottery"]
    search_fields = ["entry__agreement_no"]
    list_select_related = ["entry", "lottery", "flat"]
