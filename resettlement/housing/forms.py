from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from resettlement.forms import Form
from resettlement.housing.services import FlatPosition


class FlatSpecForm(Form):
    first_floor = forms.IntegerField(label=_("From floor"), min_value=1, initial=1)
    last_floor = forms.IntegerField(label=_("To floor"), min_value=1)


class FlatPositionForm(Form):
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=99)
    layout = forms.CharField(label=_("Layout (户型)"), max_length=30)
    gross_area = forms.DecimalField(
        label=_("Gross area (m²)"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2
    )

    def position_spec(self) -> FlatPosition:
        data = self.cleaned_data
        return FlatPosition(
            position=data["position"], layout=data["layout"].strip(), gross_area=data["gross_area"]
        )


FlatPositionFormSet = forms.formset_factory(FlatPositionForm, extra=6, min_num=1, validate_min=True)
