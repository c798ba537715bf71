import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resettlement.forms import Form
from resettlement.projects.models import Project

ERROR_SUFFIX = _("Type the last 6 characters of the head's ID number: digits, or digits and X.")
SUFFIX = re.compile(r"^[0-9]{5}[0-9X]$")


class HouseholdSignInForm(Form):
    """The project is chosen from a list (or fixed by the ?p= of the QR code on a household's
    documents) when there is more than one: agreement numbers are unique within a project."""

    project = forms.ChoiceField(label=_("Project"))
    agreement_no = forms.CharField(label=_("Agreement number"), max_length=40)
    id_suffix = forms.CharField(
        label=_("Last 6 characters of the head's ID number"),
        max_length=20,  # what the pattern says is wrong is said in clean_id_suffix
    )
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=20,
        required=False,
        help_text=_("Printed on your documents, if your project uses one."),
    )

    def __init__(self, *args, projects: list[Project], **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = {project.code: project for project in projects}
        field = self.fields["project"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(project.code, project.name) for project in projects]
        if len(projects) == 1:
            field.widget = forms.HiddenInput()
            field.initial = projects[0].code
        if not any(project.household_access_codes for project in projects):
            del self.fields["access_code"]
        for name, attrs in {
            "agreement_no": {"autocomplete": "off", "autocapitalize": "characters"},
            "id_suffix": {
                "autocomplete": "off",
                "inputmode": "text",
                "autocapitalize": "characters",
            },
            "access_code": {"autocomplete": "off", "autocapitalize": "characters"},
        }.items():
            if name in self.fields:
                self.fields[name].widget.attrs.update(attrs)

    def clean_project(self) -> Project:
        return self.projects[self.cleaned_data["project"]]

    def clean_id_suffix(self) -> str:
        suffix = self.cleaned_data["id_suffix"].strip().upper()
        if not SUFFIX.match(suffix):
            raise ValidationError(ERROR_SUFFIX, code="suffix")
        return suffix
