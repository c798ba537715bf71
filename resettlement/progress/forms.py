from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.column_ranges import form_field
from resettlement.forms import Form, ModelForm, NumberInput, TableFormSet, Textarea
from resettlement.housing.models import Phase
from resettlement.progress.models import BuildingMilestone, MilestoneType, ProjectMilestone


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files if item]


class MilestoneUpdateForm(ModelForm):
    """A project team's update of one node, sized for a phone."""

    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    caption = forms.CharField(label=_("Photo caption"), max_length=200, required=False)

    class Meta:
        model = BuildingMilestone
        fields = [
            "percent",
            "actual_start",
            "actual_finish",
            "note",
            "planned_start",
            "planned_finish",
        ]
        widgets = {
            "percent": NumberInput(attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}),
            "note": Textarea(attrs={"rows": 3}),
        }


class ExceptionForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=Textarea(attrs={"rows": 3}),
        help_text=_("Why this node may be completed before the nodes ahead of it."),
    )


class BulkMilestoneForm(Form):
    milestone_type = forms.ModelChoiceField(label=_("Node"), queryset=MilestoneType.objects.none())
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    percent = forms.IntegerField(label=_("Percent complete"), min_value=0, max_value=100)
    actual_start = forms.DateField(
        label=_("Actual start"),
        required=False,
        help_text=_("Only written where a building has no start date yet."),
    )
    actual_finish = forms.DateField(label=_("Actual finish"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=Textarea(attrs={"rows": 2}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone_type"].queryset = MilestoneType.objects.filter(
            pk__in=project.milestone_template.values("milestone_type")
        )
        self.fields["buildings"].queryset = project.buildings.select_related("village").defer(
            "footprint", "village__boundary"
        )

    def values(self) -> dict:
        data = self.cleaned_data
        values = {"percent": data["percent"]}
        for name in ("actual_start", "actual_finish", "note"):
            if data[name]:
                values[name] = data[name]
        return values


class TemplateNodeForm(Form):
    position = form_field(ProjectMilestone, "sequence", label=_("Position"), min_value=1)
    milestone_type = forms.ModelChoiceField(label=_("Node"), queryset=MilestoneType.objects.all())
    weight = form_field(ProjectMilestone, "weight", label=_("Weight"), min_value=Decimal("0.01"))


TemplateFormSet = forms.formset_factory(
    TemplateNodeForm, formset=TableFormSet, extra=2, can_delete=True
)


class NewNodeForm(Form):
    name = forms.CharField(label=_("New node"), max_length=50, required=False)
    phase = forms.ChoiceField(
        label=_("Phase while open"),
        choices=[
            (p.value, p.label) for p in Phase if p not in (Phase.NOT_STARTED, Phase.DELIVERED)
        ],
        required=False,
    )
    weight = form_field(
        MilestoneType,
        "default_weight",
        label=_("Weight"),
        min_value=Decimal("0.01"),
        required=False,
    )
    position = form_field(
        ProjectMilestone, "sequence", label=_("Position"), min_value=1, required=False
    )
