from django.contrib import admin
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from resettlement.households.forms import MAX_ID_DIGITS, HouseholdForm, MemberForm
from resettlement.households.models import Household, Member
from resettlement.households.search import ID_DIGITS_VAR, holds_id_number, search_redirect


class MemberInline(admin.TabularInline):
    model = Member
    form = MemberForm
    extra = 0


class IdEndingFilter(admin.SimpleListFilter):
    """`?id_digits=123X`: households whose head or a member has an ID number ending so. Shown
    in the sidebar only while it is in use; it is set from the search box."""

    title = _("Last digits of ID number")
    parameter_name = ID_DIGITS_VAR

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request, queryset):
        return queryset.with_id_ending(self.value()) if self.value() else queryset


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    """The search box posts (see households.search): a full ID number typed in it never
    becomes part of an address; the list is searched by its last characters."""

    form = HouseholdForm
    fields = ["project", *HouseholdForm.Meta.fields, "status", "selection_order"]
    readonly_fields = ["status", "selection_order"]
    list_display = ["agreement_no", "head_name", "project", "village", "status", "entitled_area"]
    list_filter = [
        IdEndingFilter,
        "project",
        "status",
        "village",
        "compensation_mode",
        "elderly",
        "disabled",
    ]
    search_fields = ["agreement_no", "head_name"]
    max_id_digits = MAX_ID_DIGITS  # for the search form's template
    list_select_related = ["project", "village"]
    inlines = [MemberInline]

    def get_urls(self):
        search = path(
            "search/",
            self.admin_site.admin_view(require_POST(self.search_view)),
            name="households_household_search",
        )
        return [search, *super().get_urls()]

    def search_view(self, request):
        """The search box's terms, as an address without any full ID number."""
        return search_redirect(request, self._list_url(), request.POST)

    def changelist_view(self, request, extra_context=None):
        """An address that carries an ID number (typed by hand, or an old bookmark) is answered
        with the same list at an address that does not."""
        if holds_id_number(request.GET):
            return search_redirect(request, self._list_url(), request.GET)
        return super().changelist_view(request, extra_context)

    def _list_url(self) -> str:
        return reverse("admin:households_household_changelist")
