"""Pagination of the API lists.

Small lists (projects, buildings, events, batches) are paged by number. The lists that grow with
a district (households, flats, milestones: a million rows and more) are paged by keyset: the
`next` and `previous` links carry an opaque cursor naming the last (or first) row shown, and the
page is the rows after (or before) it in the list's order. A page deep in the list costs what
the first does (the database seeks in its index instead of walking past every earlier row), and
a row added or removed meanwhile neither repeats nor skips another.
"""

import base64
import binascii
import datetime
import decimal
import json

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

ERROR_CURSOR = _(
    "This page link is not valid (it may be cut short or edited); start again from the first page."
)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class _Key:
    """One column of a list's order: its path, direction, and where its NULLs go."""

    def __init__(self, path: str, descending: bool, nullable: bool):
        self.path, self.descending, self.nullable = path, descending, nullable

    def order(self, reverse: bool):
        """Its ORDER BY term, forwards or backwards. NULLs go last forwards (first backwards)
        on every database; a column that cannot be NULL says nothing of them, so that an index
        serves the order both ways."""
        descending = self.descending != reverse
        nulls = (
            ({"nulls_first": True} if reverse else {"nulls_last": True}) if self.nullable else {}
        )
        column = F(self.path)
        return column.desc(**nulls) if descending else column.asc(**nulls)

    def after(self, value, reverse: bool) -> Q | None:
        """The rows after `value` in this column alone (reading backwards: before it)."""
        descending = self.descending != reverse
        beyond = Q(**{f"{self.path}__{'lt' if descending else 'gt'}": value})
        nulls_trail = not reverse  # NULLs come last going forwards, first going backwards
        if value is None:
            return Q(**{f"{self.path}__isnull": False}) if not nulls_trail else None
        if self.nullable and nulls_trail:
            return beyond | Q(**{f"{self.path}__isnull": True})
        return beyond

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.path}__isnull": True})
        return Q(**{self.path: value})


def _encode(value):
    """A cursor's value as JSON holds it (dates and decimals as text; the filters parse them)."""
    if isinstance(value, datetime.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class KeysetPagination(BasePagination):
    """`?cursor=` from the `next`/`previous` links, `?page_size=` (50, at most 500). The answer
    has `count` (exact up to EXACT_COUNT_LIMIT rows; beyond, PostgreSQL's estimate, and
    `count_exact` false), `next`, `previous` and `results`. The list's order is the view's
    (or the one asked with `?ordering=`), with the primary key last so that it is total."""

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    EXACT_COUNT_LIMIT = 10_000

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        size = self._page_size(request)
        keys = self._keys(queryset)
        reverse, values = self._cursor(request, keys)
        ordered = queryset.annotate(
            **{f"keyset_{n}": F(key.path) for n, key in enumerate(keys)}
        ).order_by(*(key.order(reverse) for key in keys))
        if values is None:
            page = ordered[: size + 1]
        elif (
            self._seekable(keys, values)
            and connection.features.supports_slicing_ordering_in_compound
        ):
            page = self._seek(ordered, keys, values, reverse, size + 1)
        else:
            page = ordered.filter(self._beyond(keys, values, reverse))[: size + 1]
        rows = list(page)
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        self.count, self.count_exact = self._count(queryset)
        # Going forwards, there is a previous page when we came from a cursor; going backwards,
        # a next one. The other way, when more rows lay beyond this page.
        has_next = more if not reverse else True
        has_previous = (values is not None) if not reverse else more
        self.next_link = self.previous_link = None
        if rows and has_next:
            self.next_link = self._link(False, self._values(rows[-1], keys))
        if rows and has_previous:
            self.previous_link = self._link(True, self._values(rows[0], keys))
        return rows

    def get_paginated_response(self, data):
        body: dict[str, object] = {"count": self.count}
        if not self.count_exact:
            body["count_exact"] = False
        body.update(next=self.next_link, previous=self.previous_link, results=data)
        return Response(body)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "count_exact": {
                    "type": "boolean",
                    "description": "Present and false when `count` is the database's estimate "
                    f"(more than {self.EXACT_COUNT_LIMIT:,} rows).",
                },
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most "
                f"{self.max_page_size}).",
                "schema": {"type": "integer"},
            },
        ]

    # The parts

    def _page_size(self, request) -> int:
        try:
            asked = int(request.query_params[self.page_size_query_param])
        except (KeyError, ValueError):
            return self.page_size
        return min(max(asked, 1), self.max_page_size)

    @staticmethod
    def _keys(queryset: QuerySet) -> list[_Key]:
        model = queryset.model
        keys = []
        for term in queryset.query.order_by or model._meta.ordering or ["pk"]:
            term = str(term)
            descending = term.startswith("-")
            path = term.lstrip("-")
            path = "pk" if path in ("pk", model._meta.pk.attname, "id") else path
            keys.append(_Key(path, descending, _nullable(model, path)))
            if path == "pk" or _unique(model, [key.path for key in keys]):
                return keys  # already a total order: the index of the key serves it as it is
        return [*keys, _Key("pk", False, False)]

    def _cursor(self, request, keys) -> tuple[bool, list | None]:
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return False, None
        try:
            padded = token + "=" * (-len(token) % 4)
            reverse, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(reverse, bool) or len(values) != len(keys):
                raise ValueError(token)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise NotFound(ERROR_CURSOR) from None
        return reverse, values

    @staticmethod
    def _seekable(keys: list[_Key], values: list) -> bool:
        """Whether the rows after `values` can be found by seeking in an index: every column
        goes the same way and holds no NULL."""
        same_way = len({key.descending for key in keys}) == 1
        return same_way and not any(key.nullable for key in keys) and None not in values

    @staticmethod
    def _seek(ordered: QuerySet, keys: list[_Key], values: list, reverse: bool, limit: int):
        """The first `limit` rows after `values` (a, b, c) = (x, y, z), as the union of the
        index ranges that make it up, each read in order and cut at `limit`: a = x and b = y
        and c > z, then a = x and b > y, then a > x. (A single row comparison (a, b, c) >
        (x, y, z) would say the same, but PostgreSQL starts its index scan at a list's own
        condition a = x and walks every row before the cursor: 80 ms at row 1,000,000.) SQLite
        cannot cut the parts of a union: there, the same condition as one OR, on an embedded
        database's lists."""
        beyond = "lt" if keys[0].descending != reverse else "gt"
        branches = []
        for depth in range(len(keys) - 1, -1, -1):
            equal = {keys[n].path: values[n] for n in range(depth)}
            branch = ordered.filter(**equal, **{f"{keys[depth].path}__{beyond}": values[depth]})
            branches.append(branch[:limit])
        if len(branches) == 1:
            return branches[0]
        names = [
            f"{'-' if key.descending != reverse else ''}keyset_{n}" for n, key in enumerate(keys)
        ]
        return branches[0].union(*branches[1:], all=True).order_by(*names)[:limit]

    @staticmethod
    def _beyond(keys: list[_Key], values: list, reverse: bool) -> Q:
        """The rows strictly after `values` in the list's order (before them, reading
        backwards), NULLs placed as the order places them: a > x, or a = x and b > y, or …"""
        condition = Q(pk__in=[])
        equal = Q()
        for key, value in zip(keys, values, strict=True):
            after = key.after(value, reverse)
            if after is not None:
                condition |= equal & after
            equal &= key.equal(value)
        return condition

    @staticmethod
    def _values(row, keys) -> list:
        return [_encode(getattr(row, f"keyset_{n}")) for n in range(len(keys))]

    def _link(self, reverse: bool, values: list) -> str:
        token = base64.urlsafe_b64encode(json.dumps([reverse, values]).encode()).decode()
        return replace_query_param(
            remove_query_param(self.base_url, "page"), self.cursor_query_param, token.rstrip("=")
        )

    def _count(self, queryset: QuerySet) -> tuple[int, bool]:
        """Exact up to EXACT_COUNT_LIMIT (a bounded count: it stops there); above it, on
        PostgreSQL, the planner's estimate of the list's rows."""
        bounded = queryset.order_by().values("pk")[: self.EXACT_COUNT_LIMIT + 1]
        counted = bounded.count()
        if counted <= self.EXACT_COUNT_LIMIT or connection.vendor != "postgresql":
            if counted > self.EXACT_COUNT_LIMIT:
                counted = queryset.order_by().count()
            return counted, True
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return max(int(plan[0]["Plan"]["Plan Rows"]), self.EXACT_COUNT_LIMIT + 1), False


def _unique(model, paths: list[str]) -> bool:
    """Whether these columns of the model's own (no relation crossed), none of them nullable,
    are unique together: a unique field, or a unique constraint without a condition."""
    if any("__" in path or _nullable(model, path) for path in paths):
        return False
    names = {model._meta.get_field(path).name for path in paths}
    sets = [{field.name} for field in model._meta.fields if field.unique]
    sets += [set(constraint.fields) for constraint in model._meta.total_unique_constraints]
    sets += [set(together) for together in model._meta.unique_together]
    return any(unique <= names for unique in sets)


def _nullable(model, path: str) -> bool:
    """Whether the column at `path` (across relations) may hold NULL, or be missing because a
    nullable relation on the way is."""
    if path == "pk":
        return False
    nullable = False
    for name in path.split("__"):
        field = model._meta.get_field(name)
        nullable = nullable or field.null
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return nullable
