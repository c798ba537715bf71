from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.progress.models import ProjectMilestone
from resettlement.progress.services import milestone_template_apply_defaults
from resettlement.projects.models import District, ExcessPriceTier, Project, StreetOffice, Village


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(StreetOffice)
class StreetOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "district"]
    list_filter = ["district"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "street_office"]
    list_filter = ["kind", "street_office"]
    search_fields = ["code", "name"]


class PriceTierInline(admin.TabularInline):
    model = ExcessPriceTier
    extra = 0


class MilestoneTemplateInline(admin.TabularInline):
    model = ProjectMilestone
    extra = 0
    ordering = ["sequence"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "street_office", "entitlement_basis"]
    list_filter = ["street_office"]
    search_fields = ["code", "name"]
    filter_horizontal = ["villages"]
    inlines = [PriceTierInline, MilestoneTemplateInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.milestone_template.exists():
            milestone_template_apply_defaults(project=form.instance)
