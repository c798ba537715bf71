"""Every row of the database, to tell whether a request changed anything at all.

Every table of every installed model is read, history and timestamps included: a request that
changes nothing must not write anything either (no audit row saying "changed", no new
updated_at). Only the session table is left out: signing in and flash messages live there, and
it holds no product data.
"""

import json

from django.apps import apps
from django.contrib.sessions.models import Session

Rows = dict[str, dict[object, dict[str, str]]]
IGNORED = frozenset({Session})


def rows_snapshot() -> Rows:
    snapshot: Rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model in IGNORED or model._meta.proxy or not model._meta.managed:
            continue
        names = [field.attname for field in model._meta.concrete_fields]
        table = {}
        for values in model._base_manager.order_by().values_list(*names):
            row = dict(zip(names, (_shown(value) for value in values), strict=True))
            table[row[model._meta.pk.attname]] = row
        snapshot[model._meta.label] = table
    return snapshot


def _shown(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return repr(value)


def rows_changed(before: Rows, after: Rows, *, limit: int = 12) -> list[str]:
    """What differs, one line per row: added, deleted, or field: old → new."""
    changes = []
    for label, rows in after.items():
        old_rows = before.get(label, {})
        for pk in sorted(set(rows) | set(old_rows), key=repr):
            old, new = old_rows.get(pk), rows.get(pk)
            if old == new:
                continue
            if old is None:
                changes.append(f"{label} #{pk} added: {new}")
            elif new is None:
                changes.append(f"{label} #{pk} deleted: {old}")
            else:
                fields = [f"{n}: {old[n]} → {new[n]}" for n in new if old[n] != new[n]]
                changes.append(f"{label} #{pk} changed: {'; '.join(fields)}")
    if len(changes) > limit:
        changes = [*changes[:limit], f"… and {len(changes) - limit} more"]
    return changes
