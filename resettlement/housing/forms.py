from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.column_ranges import form_field
from resettlement.forms import Form, TableFormSet
from resettlement.housing.models import Flat
from resettlement.housing.services import FlatPosition


class FlatSpecForm(Form):
    first_floor = form_field(Flat, "floor", label=_("From floor"), initial=1)
    last_floor = form_field(Flat, "floor", label=_("To floor"))


class FlatPositionForm(Form):
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=99)
    layout = forms.CharField(label=_("Layout (户型)"), max_length=30)
    gross_area = form_field(Flat, "gross_area", label=_("Gross area (m²)"))

    def position_spec(self) -> FlatPosition:
        data = self.cleaned_data
        return FlatPosition(
            position=data["position"], layout=data["layout"].strip(), gross_area=data["gross_area"]
        )


FlatPositionFormSet = forms.formset_factory(
    FlatPositionForm, formset=TableFormSet, extra=6, min_num=1, validate_min=True
)
