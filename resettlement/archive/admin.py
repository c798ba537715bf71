"""The register of issued documents, read-only: numbers and codes are given by the register,
voids by the steps that void a document (a voided selection, an undone handover)."""

from django.contrib import admin

from resettlement.archive.models import IssuedDocument
from resettlement.lottery.admin import ReadOnlyMixin


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "household", "flat_codes", "issued_at", "status"]
    list_filter = ["kind", "status", "project"]
    list_select_related = ["household"]
    search_fields = ["number", "household__agreement_no"]
    exclude = ["code"]
