"""The forms of the handover pages: each posts only what it shows, and only collects input; the
services (handover.services) decide."""

import datetime
from decimal import Decimal
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resettlement.column_ranges import column_range
from resettlement.forms import DateInput, Form
from resettlement.handover.models import (
    DefectCategory,
    HalfDay,
    HandedFlat,
    InspectionResult,
    Slot,
)
from resettlement.handover.services import FlatHandover
from resettlement.housing.models import Building, Flat

MAX_SLOT_DAYS = 31
ERROR_DAYS_ORDER = _("The last day comes before the first.")
ERROR_TOO_MANY_DAYS = _("Add at most %(days)s days at a time.")


class BatchForm(Form):
    """A handover batch: its name, its buildings, the place, a note."""

    name = forms.CharField(label=_("Name"), max_length=100)
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings"),
        queryset=Building.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(label=_("Place of handover"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        buildings = cast(forms.ModelMultipleChoiceField, self.fields["buildings"])
        buildings.queryset = project.buildings.order_by("code")


class SlotsForm(Form):
    """Slots for every day from–to, each half-day chosen and each desk."""

    first_day = forms.DateField(label=_("First day"), widget=DateInput)
    last_day = forms.DateField(label=_("Last day"), widget=DateInput)
    half_days = forms.MultipleChoiceField(
        label=_("Half-days"),
        choices=HalfDay.choices,
        initial=[HalfDay.MORNING, HalfDay.AFTERNOON],
        widget=forms.CheckboxSelectMultiple,
    )
    desks = forms.IntegerField(
        label=pgettext_lazy("handover", "Desks"), min_value=1, max_value=99, initial=1
    )
    capacity = forms.IntegerField(
        label=_("Households per desk and half-day"), min_value=1, max_value=500, initial=10
    )

    def clean(self):
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if last < first:
                raise ValidationError(ERROR_DAYS_ORDER)
            if (last - first).days >= MAX_SLOT_DAYS:
                raise ValidationError(ERROR_TOO_MANY_DAYS, params={"days": MAX_SLOT_DAYS})
        return data

    def days(self) -> list[datetime.date]:
        first, last = self.cleaned_data["first_day"], self.cleaned_data["last_day"]
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


class RescheduleForm(Form):
    """改约: another free slot of the batch, and why."""

    slot = forms.ModelChoiceField(label=_("New slot"), queryset=Slot.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["slot"]).queryset = slots


class InspectionForm(Form):
    """验房 of one flat, sized for a phone; the defects come in DefectFormSet."""

    flat = forms.ModelChoiceField(label=_("Flat"), queryset=Flat.objects.none())
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput)
    result = forms.ChoiceField(
        label=_("Result"), choices=InspectionResult.choices, widget=forms.RadioSelect
    )
    reinspect_on = forms.DateField(label=_("Re-inspection on"), required=False, widget=DateInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, flats, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["flat"])
        field.queryset = Flat.objects.filter(pk__in=[flat.pk for flat in flats])
        field.empty_label = None
        self.fields["inspected_on"].initial = timezone.localdate()


class DefectForm(Form):
    room = forms.CharField(label=_("Room"), max_length=30)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *DefectCategory.choices])
    description = forms.CharField(
        label=_("Description"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


DefectFormSet = forms.formset_factory(DefectForm, extra=2, max_num=20)


class HandoverForm(Form):
    """The day and note of a handover; each flat has its FlatHandoverForm."""

    handed_on = forms.DateField(label=_("Handed over on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_on"].initial = timezone.localdate()


class FlatHandoverForm(Form):
    """What is handed with one flat: meter readings, keys and cards, the two booklets."""

    hand = forms.BooleanField(label=_("Hand over this flat"), required=False, initial=True)
    water_reading = forms.DecimalField(
        label=_("Water meter (m³)"), min_value=Decimal(0), max_digits=10, decimal_places=2,
        max_value=column_range(HandedFlat, "water_reading").maximum, required=False,
    )  # fmt: skip
    electricity_reading = forms.DecimalField(
        label=_("Electricity meter (kWh)"), min_value=Decimal(0), max_digits=10,
        decimal_places=2, max_value=column_range(HandedFlat, "electricity_reading").maximum,
        required=False,
    )  # fmt: skip
    gas_reading = forms.DecimalField(
        label=_("Gas meter (m³)"), min_value=Decimal(0), max_digits=10, decimal_places=2,
        max_value=column_range(HandedFlat, "gas_reading").maximum, required=False,
    )  # fmt: skip
    door_keys = forms.IntegerField(label=_("Door keys"), min_value=0, max_value=20, required=False)
    access_cards = forms.IntegerField(
        label=_("Access cards"), min_value=0, max_value=20, initial=0, required=False
    )
    mailbox_keys = forms.IntegerField(
        label=_("Mailbox keys"), min_value=0, max_value=20, initial=0, required=False
    )
    quality_guarantee = forms.BooleanField(label=_("住宅质量保证书 handed"), required=False)
    usage_manual = forms.BooleanField(label=_("住宅使用说明书 handed"), required=False)

    REQUIRED = ("water_reading", "electricity_reading", "door_keys")

    def __init__(self, *args, flat, **kwargs):
        super().__init__(*args, prefix=f"flat-{flat.pk}", **kwargs)
        self.flat = flat

    def clean(self):
        data = super().clean() or {}
        if data.get("hand"):
            for name in self.REQUIRED:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data

    def item(self) -> FlatHandover | None:
        data = self.cleaned_data
        if not data.get("hand"):
            return None
        return FlatHandover(
            flat=self.flat,
            water_reading=data["water_reading"],
            electricity_reading=data["electricity_reading"],
            gas_reading=data["gas_reading"],
            door_keys=data["door_keys"],
            access_cards=data["access_cards"] or 0,
            mailbox_keys=data["mailbox_keys"] or 0,
            quality_guarantee=data["quality_guarantee"],
            usage_manual=data["usage_manual"],
        )


class ReasonForm(Form):
    """A reason (undoing a handover)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
