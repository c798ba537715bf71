from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resettlement.forms import Form
from resettlement.imports.package import ERROR_TOO_LARGE, MB

ERROR_EXTENSION = _("Upload an Excel workbook (.xlsx).")


class RegisterUploadForm(Form):
    file = forms.FileField(
        label=_("Register (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_MB
        if upload.size > limit * MB:
            raise ValidationError(ERROR_TOO_LARGE, params={"limit": limit})
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(ERROR_EXTENSION)
        return upload
