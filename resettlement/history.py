"""The audit trail is django-simple-history; this keeps its cost per write low.

`Model.history` builds a new manager class on every access (HistoryDescriptor.__get__ calls
Manager.from_queryset each time), and every save with history goes through it: about half a
millisecond each, five times per confirmation at a selection desk. The class depends only on
the descriptor's manager and queryset classes, so it is built once per pair and reused.
"""

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
