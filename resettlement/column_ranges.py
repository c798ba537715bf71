"""The range of values each numeric column can hold, read from its model field, and the fields
that hold forms and the API to it.

A column declared `DecimalField(max_digits=8, decimal_places=2)` holds at most 999999.99, and a
`PositiveSmallIntegerField` at most 32767, on PostgreSQL; SQLite stores whatever it is given.
A value beyond the column is a crash on one database (numeric field overflow: a 500) and a value
no other database can hold on the other. So every number is parsed and checked by
`input_values.parse_decimal` / `parse_int` against its column's `ColumnRange`: imports call
them directly, forms through the fields here (`ranged_formfield` for ModelForms, `form_field`
for other forms), the API through `serializer_field`. A value is refused with the same message
wherever it comes from, and the bounds come from the model field (its max_digits, its integer
type, its Min/MaxValueValidators), so a migration that changes a column changes every check.
"""

import functools
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework import serializers

from resettlement.input_values import ColumnRange, parse_decimal, parse_int

# Integer column ranges as PostgreSQL (and Django's reference backend) holds them; SQLite's own
# would allow any 64-bit value.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def field_range(field: models.Field) -> ColumnRange:
    """The values `field`'s column holds, narrowed by its own Min/MaxValueValidators."""
    digits = places = None
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        limit = Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
        minimum, maximum = -limit, limit
    elif isinstance(field, models.IntegerField):
        minimum, maximum = INTEGER_RANGES[field.get_internal_type()]
    else:
        raise TypeError(f"{field!r} is not a numeric field")
    for validator in field._validators:
        limit = validator.limit_value
        if callable(limit):
            continue
        if isinstance(validator, MinValueValidator):
            minimum = max(minimum, limit)
        elif isinstance(validator, MaxValueValidator):
            maximum = min(maximum, limit)
    return ColumnRange(minimum=minimum, maximum=maximum, places=places, digits=digits)


@functools.cache
def column_range(model: type[models.Model], name: str) -> ColumnRange:
    return field_range(model._meta.get_field(name))


def _narrowed(bounds: ColumnRange, minimum=None, maximum=None) -> ColumnRange:
    """`bounds` narrowed by a field's own min_value and max_value, never widened."""
    return ColumnRange(
        minimum=bounds.minimum if minimum is None else max(minimum, bounds.minimum),
        maximum=bounds.maximum if maximum is None else min(maximum, bounds.maximum),
        places=bounds.places,
        digits=bounds.digits,
    )


def _parse(value: object, bounds: ColumnRange):
    """The number as a form or the API gives it (not rounded to its places: the database
    does that), or a ValidationError with the import's message."""
    if bounds.places is None:
        return parse_int(value, bounds=bounds)
    return parse_decimal(value, bounds=bounds, positive=bounds.minimum > 0, quantize=False)


class _ColumnFormField:
    """What the form fields share: min/max (and digits) from the column, for the widget; parsing
    and checking by `input_values`, with its messages."""

    def __init__(self, *, bounds: ColumnRange, min_value=None, max_value=None, **kwargs):
        self.bounds = _narrowed(bounds, min_value, max_value)
        for name in ("max_digits", "decimal_places"):
            kwargs.pop(name, None)
        if bounds.places is not None:
            kwargs.update(max_digits=bounds.digits, decimal_places=bounds.places)
        super().__init__(min_value=self.bounds.minimum, max_value=self.bounds.maximum, **kwargs)
        self.validators = []  # the range is checked in to_python

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()
        try:
            return _parse(value, self.bounds)
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid") from None


class ColumnDecimalField(_ColumnFormField, forms.DecimalField):
    pass


class ColumnIntegerField(_ColumnFormField, forms.IntegerField):
    pass


class _ColumnSerializerField:
    def __init__(self, *, bounds: ColumnRange, min_value=None, max_value=None, **kwargs):
        self.bounds = _narrowed(bounds, min_value, max_value)
        if bounds.places is not None:
            kwargs.update(max_digits=bounds.digits, decimal_places=bounds.places)
        super().__init__(min_value=self.bounds.minimum, max_value=self.bounds.maximum, **kwargs)
        self.validators = []  # the range is checked in to_internal_value

    def to_internal_value(self, data):
        try:
            return _parse(data, self.bounds)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class ColumnDecimalSerializerField(_ColumnSerializerField, serializers.DecimalField):
    pass


class ColumnIntegerSerializerField(_ColumnSerializerField, serializers.IntegerField):
    pass


def form_field(model: type[models.Model], name: str, **kwargs) -> forms.Field:
    """A form field for a value bound for `model.name`, held to its column's range (kwargs may
    narrow it: min_value, max_value)."""
    bounds = column_range(model, name)
    field_class = ColumnIntegerField if bounds.places is None else ColumnDecimalField
    return field_class(bounds=bounds, **kwargs)


def serializer_field(model: type[models.Model], name: str, **kwargs) -> serializers.Field:
    """An API input field for a value bound for `model.name`, held to its column's range."""
    bounds = column_range(model, name)
    if bounds.places is None:
        return ColumnIntegerSerializerField(bounds=bounds, **kwargs)
    return ColumnDecimalSerializerField(bounds=bounds, **kwargs)


def ranged_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """ModelForms' `formfield_callback` (Meta.formfield_callback = ranged_formfield): numeric
    fields held to their column's range as `form_field` holds them. (Django's own leaves an
    integer unbounded above, and its validators on SQLite allow 64 bits.)"""
    numeric = isinstance(db_field, models.DecimalField | models.IntegerField)
    if not numeric or isinstance(db_field, models.AutoField) or db_field.choices:
        return db_field.formfield(**kwargs)
    bounds = field_range(db_field)
    field_class = ColumnIntegerField if bounds.places is None else ColumnDecimalField
    return db_field.formfield(form_class=field_class, bounds=bounds, **kwargs)
