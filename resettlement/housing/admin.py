from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.housing.models import Building, Flat
from resettlement.progress.services import building_milestones_create, buildings_progress_refresh


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "project",
        "village",
        "floors",
        "stairwells",
        "current_milestone",
        "progress",
    ]
    list_filter = ["project", "village"]
    search_fields = ["code", "contractor"]
    readonly_fields = ["current_milestone", "progress"]
    list_select_related = ["project", "village", "current_milestone"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            building_milestones_create(buildings=[obj], by=request.user)
            buildings_progress_refresh(buildings=[obj])


@admin.register(Flat)
class FlatAdmin(SimpleHistoryAdmin):
    list_display = ["code", "building", "layout", "gross_area", "surveyed_area", "status"]
    list_filter = ["status", "layout", "building__project"]
    search_fields = ["code"]
    readonly_fields = ["status"]
    list_select_related = ["building"]
    raw_id_fields = ["building"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        Building.objects.filter(pk=obj.building_id).touch()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        Building.objects.filter(pk=obj.building_id).touch()

    def delete_queryset(self, request, queryset):
        building_ids = set(queryset.values_list("building_id", flat=True))
        super().delete_queryset(request, queryset)
        Building.objects.filter(pk__in=building_ids).touch()
