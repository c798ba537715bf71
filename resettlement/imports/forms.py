from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resettlement.forms import Form
from resettlement.imports.package import ERROR_TOO_LARGE, MB

ERROR_EXTENSION = _("Upload a spreadsheet: an Excel workbook (.xlsx, .xls) or an .ods file.")
EXTENSIONS = (".xlsx", ".xls", ".ods")
ACCEPT = ",".join(
    (
        *EXTENSIONS,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
    )
)


class RegisterUploadForm(Form):
    file = forms.FileField(
        label=_("Register (.xlsx, .xls or .ods)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_MB
        if upload.size > limit * MB:
            raise ValidationError(ERROR_TOO_LARGE, params={"limit": limit})
        if not upload.name.lower().endswith(EXTENSIONS):
            raise ValidationError(ERROR_EXTENSION)
        return upload
