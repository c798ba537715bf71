import re

from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.column_ranges import form_field
from resettlement.forms import Form, ModelForm, TableFormSet, Textarea
from resettlement.housing.models import Flat
from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus
from resettlement.selection.models import FloorAdjustment, PriceTier, SelectionEvent

MAX_FLATS_PER_ACTION = 20
ERROR_NOT_A_FLAT = _("“%(value)s” is not a flat of this list.")
ERROR_TOO_MANY_FLATS = _("At most %(limit)s flats at once.")
_FLAT_ID = re.compile(r"[0-9]{1,18}")


class EventForm(ModelForm):
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
        widgets = {"buildings": forms.CheckboxSelectMultiple}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lottery"].queryset = Lottery.objects.live().filter(
            project=project, mode=LotteryMode.ORDER, status=LotteryStatus.PUBLISHED
        )
        self.fields["buildings"].queryset = project.buildings.all()
        self.fields["allowed_excess"].required = False


class RulesForm(ModelForm):
    class Meta:
        model = SelectionEvent
        fields = [
            "max_flats",
            "allowed_excess",
            "shortfall_refund_price",
            "allowed_layouts",
            "absent_rule",
            "countdown_seconds",
            "extension_seconds",
        ]


class TierForm(Form):
    up_to_excess = form_field(PriceTier, "up_to_excess", label=_("up to m² over entitlement"))
    price_per_m2 = form_field(PriceTier, "price_per_m2", label=_("price per m² (yuan)"))


class FloorForm(Form):
    floor_from = form_field(FloorAdjustment, "floor_from", label=_("From floor"))
    floor_to = form_field(FloorAdjustment, "floor_to", label=_("To floor"))
    per_m2 = form_field(
        FloorAdjustment,
        "per_m2",
        label=_("yuan per m²"),
        help_text=_("Negative where low floors cost less."),
    )


TierFormSet = forms.formset_factory(TierForm, formset=TableFormSet, extra=2, can_delete=True)
FloorFormSet = forms.formset_factory(FloorForm, formset=TableFormSet, extra=3, can_delete=True)


def formset_rows(formset, fields: tuple[str, ...]) -> list[tuple]:
    """The filled, undeleted rows of a valid formset, as tuples of `fields`."""
    return [
        tuple(form.cleaned_data[name] for name in fields)
        for form in formset
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class VoidForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with your name; the flats return to the pool and both records stay."),
    )


class SwapForm(Form):
    """换房: the new flats by code, as staff read them off the board, and the reason."""

    flat_codes = forms.CharField(
        label=_("New flats"),
        max_length=200,
        help_text=_("Flat codes such as 3-2-1502, separated by commas or spaces."),
    )
    swap_reason = forms.CharField(
        label=_("Reason"),
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with your name; the old flats return to the pool."),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_flat_codes(self):
        codes = [
            code for code in re.split(r"[\s,，、;；]+", self.cleaned_data["flat_codes"]) if code
        ]
        found: dict[str, list[Flat]] = {}
        for flat in Flat.objects.filter(building__project=self.project, code__in=codes):
            found.setdefault(flat.code, []).append(flat)
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No flat %(codes)s in this project.") % {"codes": "、".join(unknown)}
            )
        ambiguous = [code for code, flats in found.items() if len(flats) > 1]
        if ambiguous:
            raise forms.ValidationError(
                _("Several flats are coded %(codes)s: swap them in the admin.")
                % {"codes": "、".join(ambiguous)}
            )
        return [flats[0] for flats in found.values()]


class FlatFilterForm(Form):
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All buildings")
    )
    layout = forms.ChoiceField(label=_("Layout"), required=False)
    floor_min = form_field(Flat, "floor", label=_("From floor"), required=False)
    floor_max = form_field(Flat, "floor", label=_("To floor"), required=False)

    def __init__(self, *args, event, layouts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = event.buildings.all()
        self.fields["layout"].choices = [("", _("All layouts")), *[(lay, lay) for lay in layouts]]


class FlatIdsField(forms.Field):
    """Flats named by id, as the desk's checkboxes and buttons send them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = [item for item in (value or []) if item]
        if len(values) > MAX_FLATS_PER_ACTION:
            raise forms.ValidationError(
                ERROR_TOO_MANY_FLATS, code="too_many", params={"limit": MAX_FLATS_PER_ACTION}
            )
        for item in values:
            if not _FLAT_ID.fullmatch(item):
                raise forms.ValidationError(
                    ERROR_NOT_A_FLAT, code="invalid", params={"value": item[:20]}
                )
        return [int(item) for item in values]


class DeskFlatsForm(Form):
    """The flats a desk action (hold, release) is about."""

    flats = FlatIdsField(required=False)
