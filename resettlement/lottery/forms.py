from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resettlement.column_ranges import form_field
from resettlement.forms import Form, ModelForm, TableFormSet, Textarea
from resettlement.lottery.models import NOTICE_DETAIL_FIELDS, Lottery, LotteryEntry

FLAG_CHOICES = [("elderly", _("Elderly")), ("disabled", _("Disabled")), ("hardship", _("Hardship"))]


class LotteryForm(ModelForm):
    priority_flags = forms.MultipleChoiceField(
        label=_("Flags giving priority (group 1)"),
        choices=FLAG_CHOICES,
        required=False,
        initial=["elderly", "disabled"],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Lottery
        fields = [
            "name",
            "mode",
            "group_rule",
            "priority_flags",
            "draw_method",
            "scheduled_on",
            "venue",
            *NOTICE_DETAIL_FIELDS,
        ]


class NoticeDetailsForm(ModelForm):
    """The notice's publicity period and where objections go, set until publication."""

    class Meta:
        model = Lottery
        fields = list(NOTICE_DETAIL_FIELDS)


class DrawForm(Form):
    public_input = forms.CharField(
        label=_("Public input"),
        max_length=200,
        help_text=_("Exactly as the witnesses drew it (e.g. the digits of the notary's balls)."),
        strip=False,
    )


class WitnessForm(Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    role = forms.CharField(label=_("Role"), max_length=50, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)


WitnessFormSet = forms.formset_factory(WitnessForm, formset=TableFormSet, extra=4)


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), widget=Textarea(attrs={"rows": 2}))


class RedrawForm(ReasonForm):
    approved_by = forms.CharField(label=_("Approved by"), max_length=100)


class NotaryResultForm(Form):
    file = forms.FileField(label=_("Stamped result (result.csv)"))


class EntryForm(Form):
    group = form_field(LotteryEntry, "group", label=_("Group"), min_value=1, required=False)
    pool = forms.CharField(label=_("Pool"), max_length=40, required=False)


class PoolForm(Form):
    pool = forms.CharField(label=_("Pool"), max_length=40)
    building = forms.ModelChoiceField(label=_("Building"), queryset=None, required=False)
    layout = forms.CharField(label=_("Layout (户型)"), max_length=30, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = project.buildings.all()


class GroupListForm(Form):
    text = forms.CharField(
        label=_("Groups from a list"),
        widget=Textarea(attrs={"rows": 4, "placeholder": "QLS-0001\t1\nQLS-0002\t2"}),
        help_text=_(
            "One entry per line: agreement number, group and, in mode assign, pool; "
            "pasted from a spreadsheet or separated by commas."
        ),
    )
