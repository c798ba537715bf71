from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.progress.models import (
    BuildingMilestone,
    MilestonePhoto,
    MilestoneType,
    ProjectMilestone,
)
from resettlement.progress.services import MILESTONE_FIELDS, building_milestones_record


@admin.register(MilestoneType)
class MilestoneTypeAdmin(SimpleHistoryAdmin):
    list_display = ["default_sequence", "code", "name", "default_weight", "role"]
    ordering = ["default_sequence"]


@admin.register(ProjectMilestone)
class ProjectMilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["project", "sequence", "milestone_type", "weight"]
    list_filter = ["project"]


class PhotoInline(admin.TabularInline):
    model = MilestonePhoto
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at"]


@admin.register(BuildingMilestone)
class BuildingMilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["building", "milestone_type", "planned_finish", "actual_finish", "percent"]
    list_filter = ["building__project", "milestone_type"]
    list_select_related = ["building", "milestone_type"]
    fields = ["building", "milestone_type", *MILESTONE_FIELDS]
    readonly_fields = ["building", "milestone_type"]
    inlines = [PhotoInline]

    def has_add_permission(self, request) -> bool:
        return False  # nodes come from the project's template

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in MILESTONE_FIELDS}
        building_milestones_record(changes=[(obj, values)], by=request.user)

    def save_formset(self, request, form, formset, change):
        photos = formset.save(commit=False)
        for photo in photos:
            photo.uploaded_by = photo.uploaded_by or request.user
            photo.save()
        for photo in formset.deleted_objects:
            photo.delete()
