from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(SimpleHistoryAdmin):
    list_display = [
        "created_at",
        "project",
        "kind",
        "filename",
        "status",
        "outcome",
        "row_count",
        "error_count",
        "created_by",
    ]
    list_filter = ["project", "kind", "status", "outcome"]
    readonly_fields = [field.name for field in ImportBatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
