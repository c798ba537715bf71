"""The audit trail is django-simple-history; this keeps its cost per write low and fits the
reasons it records into their column.

`Model.history` builds a new manager class on every access (HistoryDescriptor.__get__ calls
Manager.from_queryset each time), and every save with history goes through it: about half a
millisecond each, five times per confirmation at a selection desk. The class depends only on
the descriptor's manager and queryset classes, so it is built once per pair and reused.
"""

from django.apps import apps
from simple_history.manager import HistoryDescriptor

_manager_classes: dict[tuple[type, type], type] = {}


def _history_manager(self, instance, owner):
    key = (self.manager_class, self.queryset_class)
    manager_class = _manager_classes.get(key)
    if manager_class is None:
        manager_class = self.manager_class.from_queryset(self.queryset_class)
        _manager_classes[key] = manager_class
    return manager_class(self.model, instance)


def reuse_history_manager_classes() -> None:
    HistoryDescriptor.__get__ = _history_manager


# A change reason is free text (a void or cancel reason, an import's file name, a lottery's
# name) but simple-history keeps it in a 100-character column: a longer one was a database
# error on PostgreSQL (a 500) and silently longer on SQLite. The full text stays on the record
# that needs it (the void reason, the exception); the history gets it cut, with "…".
CHANGE_REASON_FIELD = "history_change_reason"


def change_reason_fitted(reason: str | None, length: int) -> str | None:
    if reason is None or len(reason) <= length:
        return reason
    return reason[: length - 1] + "…"


def _fitting_pre_save(field):
    pre_save = field.pre_save

    def fitted(model_instance, add):
        value = change_reason_fitted(pre_save(model_instance, add), field.max_length)
        setattr(model_instance, field.attname, value)
        return value

    return fitted


def fit_change_reasons() -> None:
    """Cut change reasons to their column when a history row is written: `save()` and
    `bulk_create()` (which simple-history's bulk helpers use) both call the field's
    `pre_save`. Only the instance's method is replaced, so no migration changes."""
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == CHANGE_REASON_FIELD), None)
        if (
            field is not None
            and field.max_length
            and not getattr(field, "_fits_change_reasons", False)
        ):
            field.pre_save = _fitting_pre_save(field)
            field._fits_change_reasons = True
