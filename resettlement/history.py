"""The audit trail is django-simple-history; this keeps its cost per write low.

`Model.history` builds a new manager class on every access (HistoryDescriptor.__get__ calls
Manager.from_queryset each time), and every save with history goes through it: about half a
millisecond each, several times per confirmation at a selection desk. The class depends only on
the descriptor's manager and queryset classes, so it is built once per pair and reused.

On PostgreSQL a write and its history rows go in one statement: rows inserted
(`created_with_history`) or updated (resettlement.lifecycle.claim) are RETURNed by a common
table expression and copied into the history table from there, as they were stored.
"""

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connections, models, router
from django.db.models.sql import InsertQuery
from django.utils import timezone
from simple_history.manager import HistoryDescriptor
from simple_history.utils import bulk_create_with_history

if TYPE_CHECKING:
    # Any user model: the core sits below accounts.
    from django.contrib.auth.base_user import AbstractBaseUser as User

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


def history_model(model: type[models.Model]) -> type[models.Model]:
    """The model's historical model, which simple-history adds to it as `history`."""
    return model.history.model  # type: ignore[attr-defined]  # added by HistoricalRecords


def _recorded_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields of the historical model that copy the model's."""
    return history_model(model).tracked_fields  # type: ignore[attr-defined]  # HistoricalRecords


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field


@functools.cache
def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's fields its history records, as fields of the model itself."""
    return [concrete_field(model, field.name) for field in _recorded_fields(model)]


def history_insert_sql(model: type[models.Model], connection, source: str) -> str:
    """INSERT INTO the model's history table SELECT its tracked columns FROM `source` (a
    common table expression RETURNING them), with four parameters: the history's date, change
    reason, type ("+" created, "~" changed) and user. Made once per model and database."""
    return _history_insert_sql(model, connection.alias, source)


@functools.cache
def _history_insert_sql(model: type[models.Model], alias: str, source: str) -> str:
    quote = connections[alias].ops.quote_name
    history = history_model(model)
    tracked = _recorded_fields(model)
    columns = ", ".join(quote(concrete_field(model, field.name).column) for field in tracked)
    recorded = ", ".join(quote(concrete_field(history, field.name).column) for field in tracked)
    meta = ", ".join(
        quote(name)
        for name in ("history_date", "history_change_reason", "history_type", "history_user_id")
    )
    table = quote(history._meta.db_table)
    return (
        f"INSERT INTO {table} ({recorded}, {meta}) SELECT {columns}, %s, %s, %s, %s FROM {source}"  # noqa: S608
    )


@functools.cache
def tracked_columns(model: type[models.Model], alias: str) -> str:
    """The model's columns its history records, quoted, for a RETURNING clause."""
    quote = connections[alias].ops.quote_name
    return ", ".join(quote(field.column) for field in tracked_fields(model))


def history_author_set(instance: models.Model, *, by: "User | None", reason: str = "") -> None:
    """Who makes the instance's next save or delete, and why, for the history row that
    simple-history writes then (it reads these two attributes of the instance)."""
    instance._history_user = by  # type: ignore[attr-defined]  # simple-history's hook
    instance._change_reason = reason or None  # type: ignore[attr-defined]  # simple-history's hook


def history_params(kind: str, *, by: "User | None", reason: str) -> tuple[Any, ...]:
    return (timezone.now(), reason or None, kind, getattr(by, "pk", None))


def created_with_history(
    objs: Sequence[models.Model], *, by: "User | None" = None, reason: str = ""
) -> None:
    """Insert new objects of one model (no primary key yet) with a history row each; their
    primary keys are set. One statement on PostgreSQL; elsewhere simple-history's
    bulk_create_with_history (two)."""
    model = type(objs[0])
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, default_user=by, default_change_reason=reason or None)
        return
    # Django's own step of bulk_create (pre_save values, primary keys to generate)
    model._default_manager.using(db)._prepare_for_bulk_create(objs)  # type: ignore[attr-defined]
    opts = model._meta
    query = InsertQuery(model)
    query.insert_values(
        [f for f in opts.concrete_fields if not f.generated and f is not opts.auto_field],
        list(objs),
    )
    compiler = query.get_compiler(using=db)
    compiler.returning_fields = tracked_fields(model)
    [(insert_sql, params)] = compiler.as_sql()
    pk = connection.ops.quote_name(opts.pk.column)
    sql = (
        f"WITH created AS ({insert_sql}), "  # noqa: S608
        f"recorded AS ({history_insert_sql(model, connection, 'created')}) "
        f"SELECT {pk} FROM created"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *history_params("+", by=by, reason=reason)))
        keys = cursor.fetchall()
    # RETURNING gives the rows in the order of VALUES, as Django's own bulk_create relies on.
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = db
