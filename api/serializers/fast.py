"""Reading many rows without DRF's per-request, per-field, per-row machinery.

A ModelSerializer builds its fields from the model on every request, and a list serializer's
child walks every field of every row through `Field.get_attribute` (a generic path for
callables, dotted sources and missing attributes) before converting the value: for a page of
50 households that was most of the request. `PlannedRepresentation` makes a plan once per
serializer class: per field, the attribute getter and the field's converter (or, for a method
field, the method's name); each row is then one dict comprehension. The output is DRF's own
(each field's `to_representation`, None left as None), so the OpenAPI schema describes it.

Only fields whose conversion needs no request may be planned: plain model fields, related
attributes by dotted source, slug-related fields and method fields (which run on the
serializer of the request, with its context). Anything else is refused when the plan is made.
"""

import operator
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from rest_framework import relations, serializers

Reader = Callable[[Any, Any], Any]  # (serializer, instance) -> value

_CONTEXT_FREE = (
    serializers.ModelField,
    relations.SlugRelatedField,
    relations.PrimaryKeyRelatedField,
)


def _reader(field: serializers.Field) -> Reader:
    if isinstance(field, serializers.SerializerMethodField):
        name = field.method_name
        return lambda serializer, instance: getattr(serializer, name)(instance)
    if isinstance(field, serializers.BaseSerializer | relations.HyperlinkedRelatedField) or (
        isinstance(field, relations.RelatedField) and not isinstance(field, _CONTEXT_FREE)
    ):
        raise TypeError(f"{field.field_name}: {type(field).__name__} cannot be planned")
    get = operator.attrgetter(".".join(field.source_attrs))
    convert = field.to_representation

    def read(serializer, instance):
        value = get(instance)
        return None if value is None else convert(value)

    return read


class PlannedRepresentation:
    """Mix into a ModelSerializer (before it) that is read often, many rows at a time."""

    _plans: ClassVar[dict[type, list[tuple[str, Reader]]]] = {}

    def to_representation(self, instance) -> dict[str, Any]:
        plan = self._plans.get(type(self))
        if plan is None:
            plan = self._plans[type(self)] = [
                (field.field_name, _reader(field))
                for field in self._readable_fields  # type: ignore[attr-defined]
            ]
        return {name: read(self, instance) for name, read in plan}


class _AttributeRows(ValuesIterable):
    def __iter__(self):
        for row in super().__iter__():
            yield SimpleNamespace(**row)


def attribute_rows(rows: QuerySet) -> QuerySet:
    """A `.values()` queryset whose rows are read by attribute, as a serializer reads a model
    instance, and cost a fraction of one. Columns annotated later (a paginator's) are in them
    too; filtering and ordering keep them so."""
    rows._iterable_class = _AttributeRows  # Django's own hook
    return rows
