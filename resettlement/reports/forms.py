"""Asking for a progress report: a project the reader may see (or every project, for those who
see every project) and a day not after today."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.forms import DateInput, Form
from resettlement.reports.models import EVERY_PROJECT

ERROR_FUTURE = _("A report cannot be dated after today (%(today)s).")


class ReportForm(Form):
    scope = forms.ChoiceField(label=_("Projects"))
    as_of = forms.DateField(label=_("As of the end of"), widget=DateInput)

    def __init__(self, *args, projects, every_project: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(project.code, project.name) for project in projects]
        if every_project:
            choices.insert(0, (EVERY_PROJECT, str(_("Every project"))))
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = choices
        self.fields["as_of"].initial = timezone.localdate()

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(ERROR_FUTURE % {"today": today.isoformat()})
        return day
