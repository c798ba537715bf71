from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ERROR_TOO_LARGE = _("The file is larger than 20 MB.")
ERROR_EXTENSION = _("Upload an Excel workbook (.xlsx).")


class RegisterUploadForm(forms.Form):
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
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(ERROR_TOO_LARGE)
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(ERROR_EXTENSION)
        return upload
