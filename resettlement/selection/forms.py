from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus
from resettlement.selection.models import SelectionEvent


class EventForm(forms.ModelForm):
    desks = forms.IntegerField(label=_("Desks"), min_value=1, max_value=30, initial=4)

    class Meta:
        model = SelectionEvent
        fields = [
            "name",
            "starts_on",
            "ends_on",
            "queue_source",
            "lottery",
            "buildings",
            "max_flats",
            "allowed_excess",
            "allowed_layouts",
            "absent_rule",
            "countdown_seconds",
            "extension_seconds",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "buildings": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lottery"].queryset = Lottery.objects.live().filter(
            project=project, mode=LotteryMode.ORDER, status=LotteryStatus.PUBLISHED
        )
        self.fields["buildings"].queryset = project.buildings.all()
        self.fields["allowed_excess"].required = False


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with your name; the flats return to the pool and both records stay."),
    )


class FlatFilterForm(forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=None, required=False)
    layout = forms.ChoiceField(label=_("Layout"), required=False)
    floor_min = forms.IntegerField(label=_("From floor"), min_value=1, required=False)
    floor_max = forms.IntegerField(label=_("To floor"), min_value=1, required=False)

    def __init__(self, *args, event, layouts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = event.buildings.all()
        self.fields["layout"].choices = [("", _("All layouts")), *[(lay, lay) for lay in layouts]]
