"""The range of values each numeric column can hold, read from its model field.

A column declared `DecimalField(max_digits=8, decimal_places=2)` holds at most 999999.99, and a
`PositiveSmallIntegerField` at most 32767, on PostgreSQL; SQLite stores whatever it is given.
A value beyond the column is a crash on one database (numeric field overflow: a 500) and a value
no other database can hold on the other, so every input is held to the column's range before it
is written: imports through `input_values`, forms through `ranged_formfield` (ModelForms) or
`form_field` (other forms), the API through `serializer_field`. The bounds come from the model
field, so a migration that widens a column widens every check with it.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

ERROR_OUT_OF_RANGE = _("Must be between %(minimum)s and %(maximum)s.")
ERROR_TOO_MANY_DECIMALS = _("At most %(places)s decimal places.")

# Integer column ranges as PostgreSQL (and Django's reference backend) holds them; SQLite's own
# would allow any 64-bit value.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


@dataclass(frozen=True)
class ColumnRange:
    minimum: int | Decimal
    maximum: int | Decimal
    places: int | None = None  # decimal places of a decimal column; None for whole numbers

    @property
    def max_digits(self) -> int | None:
        if self.places is None:
            return None
        return len(str(int(self.maximum))) + self.places

    def check(self, value: int | Decimal) -> None:
        """Refuse (ValidationError) a value the column cannot hold."""
        if self.places is not None:
            exponent = Decimal(value).as_tuple().exponent
            if isinstance(exponent, int) and -exponent > self.places:
                raise ValidationError(
                    ERROR_TOO_MANY_DECIMALS, code="decimals", params={"places": self.places}
                )
        if not self.minimum <= value <= self.maximum:
            raise ValidationError(
                ERROR_OUT_OF_RANGE,
                code="range",
                params={"minimum": self.minimum, "maximum": self.maximum},
            )

    def field_kwargs(self) -> dict[str, object]:
        """min_value and max_value (and the digits of a decimal), as Django's form fields and
        DRF's serializer fields take them."""
        kwargs: dict[str, object] = {"min_value": self.minimum, "max_value": self.maximum}
        if self.places is not None:
            kwargs.update(max_digits=self.max_digits, decimal_places=self.places)
        return kwargs


def field_range(field: models.Field) -> ColumnRange:
    """The values `field`'s column holds, narrowed by its own Min/MaxValueValidators."""
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        limit = Decimal(10) ** (field.max_digits - places) - Decimal(1).scaleb(-places)
        minimum, maximum = -limit, limit
    elif isinstance(field, models.IntegerField):
        minimum, maximum = INTEGER_RANGES[field.get_internal_type()]
        places = None
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
    return ColumnRange(minimum=minimum, maximum=maximum, places=places)


@functools.cache
def column_range(model: type[models.Model], name: str) -> ColumnRange:
    return field_range(model._meta.get_field(name))


def form_field(model: type[models.Model], name: str, **kwargs) -> forms.Field:
    """A form field for a value bound for `model.name`, held to its column's range."""
    field = model._meta.get_field(name)
    bounds = {**column_range(model, name).field_kwargs(), **kwargs}
    if isinstance(field, models.DecimalField):
        return forms.DecimalField(**bounds)
    return forms.IntegerField(**bounds)


def serializer_field(model: type[models.Model], name: str, **kwargs) -> serializers.Field:
    """An API input field for a value bound for `model.name`, held to its column's range."""
    field = model._meta.get_field(name)
    bounds = {**column_range(model, name).field_kwargs(), **kwargs}
    if isinstance(field, models.DecimalField):
        return serializers.DecimalField(**bounds)
    return serializers.IntegerField(**bounds)


def ranged_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """`formfield_callback` of ModelForms: numeric fields get their column's range (Django's
    own leaves integers unbounded above, and SQLite's validators allow 64 bits)."""
    field = db_field.formfield(**kwargs)
    if field is None or not isinstance(db_field, models.DecimalField | models.IntegerField):
        return field
    if isinstance(db_field, models.AutoField | models.ForeignKey):
        return field
    bounds = field_range(db_field)
    given_min, given_max = field.min_value, field.max_value
    field.min_value = bounds.minimum if given_min is None else max(given_min, bounds.minimum)
    field.max_value = bounds.maximum if given_max is None else min(given_max, bounds.maximum)
    field.validators = [
        validator
        for validator in field.validators
        if not isinstance(validator, MinValueValidator | MaxValueValidator)
    ]
    field.validators += [MinValueValidator(field.min_value), MaxValueValidator(field.max_value)]
    field.widget.attrs.update(field.widget_attrs(field.widget))
    return field
