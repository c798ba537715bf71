from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.households.forms import HouseholdForm, MemberForm
from resettlement.households.models import Household, Member


class MemberInline(admin.TabularInline):
    model = Member
    form = MemberForm
    extra = 0


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    form = HouseholdForm
    fields = ["project", *HouseholdForm.Meta.fields, "status", "selection_order"]
    readonly_fields = ["status", "selection_order"]
    list_display = ["agreement_no", "head_name", "project", "village", "status", "entitled_area"]
    list_filter = ["project", "status", "village", "compensation_mode", "elderly", "disabled"]
    search_fields = ["agreement_no", "head_name", "head_id_number"]
    list_select_related = ["project", "village"]
    inlines = [MemberInline]
