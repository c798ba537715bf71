"""How every status in the product changes.

A lifecycle is a table of named transitions: a verb, the statuses it leaves from and the status
it leads to. Each model's table sits next to its statuses (models.py); the model exposes
`can_<verb>` read from it where templates, the API or the admin ask. Each transition is a function
in its app's lifecycle.py that checks the table, claims the row (a conditional UPDATE acted on
by its count, or a row lock), and writes the history and the log. Nothing else writes a status:
tests/test_status_writes.py reads the product code for it.

Hand-written rather than django-fsm-2 (not installed; its transitions save one instance at a
time): these claim many rows at once with one conditional UPDATE (a publication orders 100,000
households, ten desks confirm at once) and write the history rows in bulk, with the UPDATE, in
one round trip on PostgreSQL (`claim`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models.sql import UpdateQuery
from django.utils.functional import Promise

from resettlement.history import history_insert_sql, history_params, tracked_columns

if TYPE_CHECKING:
    # Any user model: the core sits below accounts.
    from django.contrib.auth.base_user import AbstractBaseUser as User

Message = str | Promise


@dataclass(frozen=True)
class Transition:
    """`sources`: the statuses the verb leaves from; `target`: the status it leads to (None:
    the verb is allowed in these statuses and keeps them, e.g. editing a draft). `refusal` is
    said when the status is not a source, with %(status)s the current status's label and any
    parameters the caller gives; `refusals` overrides it for particular current statuses."""

    sources: frozenset[str]
    target: str | None
    refusal: Message
    refusals: Mapping[str, Message] = field(default_factory=dict)


def transition(
    sources: Iterable[str],
    target: str | None,
    refusal: Message,
    refusals: Mapping[str, Message] | None = None,
) -> Transition:
    return Transition(frozenset(sources), target, refusal, dict(refusals or {}))


class Lifecycle:
    """The transitions of one status field, by verb, in the order a reader follows them."""

    def __init__(self, statuses: type[models.TextChoices], **transitions: Transition) -> None:
        self.statuses = statuses
        self.transitions = transitions
        for verb, step in transitions.items():
            unknown = (step.sources | {step.target} | set(step.refusals)) - {None, *statuses}
            assert not unknown, f"{verb}: unknown statuses {unknown}"

    @property
    def verbs(self) -> list[str]:
        return list(self.transitions)

    def allows(self, verb: str, status: str) -> bool:
        return status in self.transitions[verb].sources

    def sources(self, verb: str) -> frozenset[str]:
        return self.transitions[verb].sources

    def target(self, verb: str) -> str:
        target = self.transitions[verb].target
        assert target is not None, f"{verb} keeps the status"
        return target

    def allowed(self, status: str) -> list[str]:
        """The verbs open from this status, in table order."""
        return [verb for verb in self.transitions if self.allows(verb, status)]

    def verb_to(self, status: str, target: str) -> str | None:
        """The verb that leads from `status` to `target`, if there is one."""
        for verb, step in self.transitions.items():
            if step.target == target and status in step.sources:
                return verb
        return None

    def label(self, status: str | None) -> str:
        return str(self.statuses(status).label) if status in self.statuses.values else ""

    def refusal(self, verb: str, status: str, **params: Any) -> ValidationError:
        """The verb's message for this status: %(status)s and %(target)s are the labels of the
        current status and of the one the verb leads to."""
        step = self.transitions[verb]
        message = step.refusals.get(status, step.refusal)
        values = {"status": self.label(status), "target": self.label(step.target), **params}
        return ValidationError(str(message) % values, code=verb)

    def check(self, verb: str, status: str, **params: Any) -> None:
        """Refuse `verb` from `status` with its message, or do nothing."""
        if not self.allows(verb, status):
            raise self.refusal(verb, status, **params)


def claim(
    queryset: models.QuerySet[models.Model],
    values: Mapping[str, Any],
    *,
    by: "User | None" = None,
    reason: str = "",
) -> int:
    """UPDATE the rows of `queryset` (which filters on the statuses a transition leaves from)
    with `values`, and write a history row for each row changed, as it is now stored; the
    number of rows changed, for the caller to act on.

    On PostgreSQL this is one statement: WITH changed AS (UPDATE … RETURNING …) INSERT INTO the
    history table SELECT … FROM changed. Elsewhere (SQLite, whose writers are serialised): the
    rows' keys, the UPDATE, the rows read back and their history in one bulk insert."""
    model = queryset.model
    history = getattr(model, "history", None)
    if history is None:
        return queryset.update(**values)
    assert not history.model._history_m2m_fields, "a row lock and save() keep m2m history"
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return _claim_portable(queryset, values, history, by=by, reason=reason)
    query = cast(UpdateQuery, queryset.order_by().query.chain(UpdateQuery))
    query.add_update_values(dict(values))
    query.clear_select_clause()
    assert not query.related_updates, "a claim updates one table"
    update_sql, params = query.get_compiler(queryset.db).as_sql()
    if not update_sql:
        return 0
    sql = (
        f"WITH changed AS ({update_sql} RETURNING {tracked_columns(model, connection.alias)}) "
        f"{history_insert_sql(model, connection, 'changed')}"
    )
    with transaction.mark_for_rollback_on_error(using=queryset.db), connection.cursor() as cursor:
        cursor.execute(sql, (*params, *history_params("~", by=by, reason=reason)))
        return cursor.rowcount


def _claim_portable(
    queryset: models.QuerySet[models.Model],
    values: Mapping[str, Any],
    history: Any,
    *,
    by: "User | None",
    reason: str,
) -> int:
    model = queryset.model
    with transaction.atomic(using=queryset.db):
        keys = list(queryset.values_list("pk", flat=True))
        if not keys:
            return 0
        changed = queryset.filter(pk__in=keys).update(**values)
        history.bulk_history_create(
            list(model._default_manager.using(queryset.db).filter(pk__in=keys)),
            update=True,
            default_user=by,
            default_change_reason=reason or None,
        )
    return changed
