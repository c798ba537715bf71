from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.column_ranges import ranged_formfield
from resettlement.households.models import Household, Member
from resettlement.households.validation import (
    HOUSEHOLD_FIELDS,
    household_clean,
    household_conflicts,
    member_clean,
    village_lookup,
)

MAX_ID_DIGITS = 6
ERROR_ID_DIGITS = _("Enter at most the last %(limit_value)d characters of an ID number.")


class HouseholdForm(forms.ModelForm):
    """Editing a household's agreement details, checked by the same rules as the import.

    After `is_valid()`, `self.data_record` is the cleaned HouseholdData for the services.
    """

    class Meta:
        formfield_callback = ranged_formfield
        model = Household
        fields = list(HOUSEHOLD_FIELDS)
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "entitled_area": _("Leave blank to compute it from the project's entitlement rule."),
        }

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project or getattr(self.instance, "project", None)
        self.data_record = None
        self.fields["entitled_area"].required = False
        if self.project is not None:
            self.fields["village"].queryset = self.project.villages.all()

    def clean(self):
        cleaned = super().clean()
        project = self.project or cleaned.get("project")
        if project is None or self.errors:
            return cleaned
        record, errors = household_clean(cleaned, project=project, villages=village_lookup(project))
        if record is not None:
            errors = household_conflicts(project, [record], exclude_pk=self.instance.pk).get(0, {})
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)
        if not errors:
            self.data_record = record
            cleaned.update(record.model_fields())
            cleaned["village"] = record.village
        return cleaned


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "relation", "id_number", "recognised"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        record, errors = member_clean(cleaned)
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)
        if record is not None:
            cleaned["id_number"] = record.id_number
        return cleaned


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Agreement number or name"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. QLS-GYM-0001 or 张建国")}),
    )
    id_digits = forms.CharField(
        label=_("Last digits of ID number"),
        required=False,
        max_length=MAX_ID_DIGITS,
        widget=forms.TextInput(attrs={"placeholder": "123X", "maxlength": MAX_ID_DIGITS}),
        help_text=_(
            "Search by the last digits only, so full ID numbers never appear in addresses."
        ),
        error_messages={"max_length": ERROR_ID_DIGITS},
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)
    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, projects, villages, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["village"].queryset = villages
        self.fields["status"].choices = [("", _("All statuses")), *statuses]

    def clean_id_digits(self) -> str:
        return self.cleaned_data["id_digits"].strip().upper()
