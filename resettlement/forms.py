"""Form inputs a browser reads back unchanged, in every language, and the base classes that put
them on every form of the product.

A date input shows a value only when it is written `YYYY-MM-DD`, a number input only a plain
decimal number: anything else it shows empty and submits empty. Django's date widgets write the
active language's first input format (in Chinese `2026/05/17`), so in the default interface a
stored date vanished from the page and the next save erased it. The widgets here write what the
input types read, whatever the language: ISO dates, `YYYY-MM-DDTHH:MM[:SS[.mmm]]`, `HH:MM[:SS]`,
numbers with neither grouping nor a local decimal sign. Django reads them back in every
language (the ISO formats are part of each language's input formats, and a datetime is tried as
ISO 8601 first). A textarea is read with LF line breaks, as text is stored, although browsers
send CRLF.

`Form` and `ModelForm` replace Django's date, time, number and textarea widgets by these on every
field, however the field or the widget was declared (`Meta.widgets`, a model field's default, a
form field's argument). Every form of the product derives from one of them
(tests/test_form_inputs.py checks it).
"""

import datetime

from django import forms

from resettlement.column_ranges import ranged_formfield

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)
        self.input_type = "date"


def _clock(value: datetime.datetime | datetime.time) -> str:
    """Hours and minutes, then seconds and milliseconds only when they are not zero (the
    normalised form a browser gives its own time values)."""
    text = value.strftime("%H:%M")
    if value.second or value.microsecond:
        text += value.strftime(":%S")
    if value.microsecond // 1000:
        text += f".{value.microsecond // 1000:03d}"
    return text


class _ClockStep:
    """A value with seconds gets the step that allows them: with the default step (a minute)
    the browser would refuse to submit it."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if isinstance(value, datetime.datetime | datetime.time) and "step" not in widget_attrs:
            if value.microsecond // 1000:
                widget_attrs["step"] = "0.001"
            elif value.second:
                widget_attrs["step"] = "1"
        return context


class DateTimeInput(_ClockStep, forms.DateTimeInput):
    """`<input type="datetime-local">`, in the current time zone (the form field converts)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            return f"{value.strftime(ISO_DATE)}T{_clock(value)}"
        return super().format_value(value)


class TimeInput(_ClockStep, forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.input_type = "time"

    def format_value(self, value):
        if isinstance(value, datetime.time):
            return _clock(value)
        return super().format_value(value)


class NumberInput(forms.NumberInput):
    """Never localised: no thousands separator, `.` as the decimal sign, even for a field with
    `localize=True` or with USE_THOUSAND_SEPARATOR."""

    def format_value(self, value):
        if value is None or value == "":
            return None
        return str(value)


class Textarea(forms.Textarea):
    """Read with LF line breaks: a text sent back unchanged is stored unchanged."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value


_BROWSER_WIDGETS: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.DateInput: DateInput,
    forms.DateTimeInput: DateTimeInput,
    forms.TimeInput: TimeInput,
    forms.NumberInput: NumberInput,
    forms.Textarea: Textarea,
}


def browser_widget(widget: forms.Widget) -> forms.Widget:
    """This widget, or the one of this module in place of Django's, with the same attributes."""
    replacement_class = _BROWSER_WIDGETS.get(type(widget))
    if replacement_class is None:
        return widget
    replacement = replacement_class(attrs=widget.attrs)
    replacement.is_required = widget.is_required
    replacement.is_localized = widget.is_localized
    return replacement


class BrowserInputs:
    """Mixed into a form: its fields get this module's widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = browser_widget(field.widget)


class Form(BrowserInputs, forms.Form):
    pass


class _RangedModelFormMetaclass(forms.models.ModelFormMetaclass):
    """Numeric fields held to their column's range on every ModelForm of ours, whatever its
    `Meta` derives from (Django reads `formfield_callback` from the form's own `Meta` only)."""

    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta")
        if meta is not None and getattr(meta, "formfield_callback", None) is None:
            meta.formfield_callback = ranged_formfield
        return super().__new__(mcs, name, bases, attrs)


class ModelForm(BrowserInputs, forms.ModelForm, metaclass=_RangedModelFormMetaclass):
    pass


class TableFormSet(forms.BaseFormSet):
    """A formset shown as a table, a form a row under column headings and no label beside the
    inputs: each input (the delete box too) is named by its column's label, so a screen reader
    says what it is."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            field.widget.attrs.setdefault("aria-label", form[name].label)
