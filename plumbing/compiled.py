"""Querysets compiled to SQL once and run again with other values.

Building a statement through the ORM (resolving the lookups, compiling the WHERE tree,
quoting every column) costs several times what running a small indexed lookup does: the
comment POST's article by slug took 1.0 ms of CPU through the ORM against 0.2 ms for its
SQL alone (docs/performance.md). A `CompiledQuery` has the ORM write the statement once
per database alias (the one the routers name for each call: a read replica for a public
read, the primary otherwise) and per thread (a connection is a thread's own), with
stand-in values where the parameters go, and runs that SQL again with the real values.
Rows become model instances the ORM's own way: its converters, `Model.from_db`,
select_related populators, annotations.

Model instances (ModelIterable) and values() rows (dicts) are supported, not
prefetch_related or only() of a related model; the statement is the ORM's, so it
changes with the models.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Field, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Param:
    """A parameter of a compiled query: the model field whose column it is compared
    with (its value is prepared for the database as that field prepares it)."""

    field: Field

    def stand_in(self) -> Any:
        # A value no real query carries, found again among the compiled parameters.
        if self.field.get_internal_type() in {"DateTimeField", "DateField"}:
            unique = uuid.uuid4().int
            return datetime(
                1901, 1 + unique % 12, 1 + unique % 28, microsecond=unique % 10**6, tzinfo=UTC
            )
        if self.field.get_internal_type() in {
            "IntegerField",
            "BigIntegerField",
            "AutoField",
            "BigAutoField",
            "PositiveIntegerField",
        }:
            return -(uuid.uuid4().int % 10**15) - 7
        return f"stand-in-{uuid.uuid4().hex}"


class _Compiled:
    def __init__(self, queryset: QuerySet, stand_ins: dict[str, Any], params: dict[str, Param]):
        self.as_rows = queryset._iterable_class is ValuesIterable
        if not (self.as_rows or queryset._iterable_class is ModelIterable) or (
            queryset._prefetch_related_lookups
        ):
            raise TypeError(
                "CompiledQuery supports model and values() querysets (no values_list(), "
                "no prefetch)"
            )
        self.db = queryset.db
        self.connection = connections[self.db]
        self.compiler = queryset.query.get_compiler(using=self.db)
        self.sql, compiled_params = self.compiler.as_sql()
        self.params = list(compiled_params)
        self.fields = params
        self.positions: dict[str, list[int]] = {}
        for name, value in stand_ins.items():
            prepared = params[name].field.get_db_prep_value(value, self.connection)
            found = [i for i, each in enumerate(self.params) if each == prepared]
            if not found:
                raise ValueError(f"parameter {name!r} is not in the compiled statement")
            self.positions[name] = found
        if self.as_rows:  # as ValuesIterable names a row's values
            query = queryset.query
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
            return
        select, klass_info = self.compiler.select, self.compiler.klass_info
        self.model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_columns = slice(first, last)
        self.init_list = [column[0].target.attname for column in select[first:last]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = dict(self.compiler.annotation_col_map or {})

    def run(self, values: dict[str, Any]) -> list:
        params = list(self.params)
        for name, positions in self.positions.items():
            prepared = self.fields[name].field.get_db_prep_value(values[name], self.connection)
            for position in positions:
                params[position] = prepared
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.as_rows:
            # A row may hold more columns than names (the ORM's ordering ones), as for
            # ValuesIterable, which reads the first len(names).
            names = self.names
            results = self.compiler.results_iter(results=[rows])
            return [dict(zip(names, row, strict=False)) for row in results]
        found = []
        for row in self.compiler.results_iter(results=[rows]):
            instance = self.model.from_db(self.db, self.init_list, row[self.model_columns])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found


class CompiledQuery(Generic[M]):
    """`build(**values)` returns the queryset; `params` name its parameters and their
    fields. `CompiledQuery(lambda slug: Article.objects.filter(slug=slug)[:1],
    slug=Param(Article._meta.get_field("slug")))(slug="x")` runs the same SELECT as
    the queryset would, compiled once."""

    def __init__(self, build: Callable[..., QuerySet[M]], **params: Param):
        self._build = build
        self._params = params
        self._local = threading.local()
        self._model: type[M] | None = None
        self._fixed_alias: str | None = None

    def _alias(self) -> str | None:
        """The database this read goes to now: the one the queryset names with
        using(), else the one the routers name for this model at this moment (a read
        replica for one request, the primary for the next: plumbing/db_routing.py)."""
        if self._model is None:
            return None
        return self._fixed_alias or router.db_for_read(self._model) or DEFAULT_DB_ALIAS

    def _compiled(self) -> _Compiled:
        # One statement per thread and database alias: a connection is a thread's own.
        by_alias = getattr(self._local, "by_alias", None)
        if by_alias is None:
            by_alias = self._local.by_alias = {}
        alias = self._alias()
        compiled = by_alias.get(alias)
        if compiled is None or compiled.connection is not connections[compiled.db]:
            stand_ins = {name: param.stand_in() for name, param in self._params.items()}
            queryset = self._build(**stand_ins)
            if self._model is None:
                self._model, self._fixed_alias = queryset.model, queryset._db
                alias = self._alias()
            compiled = _Compiled(queryset.using(alias), stand_ins, self._params)
            by_alias[alias] = compiled
        return compiled

    def __call__(self, **values: Any) -> list[M]:
        if values.keys() != self._params.keys():
            raise TypeError(f"expected the values of {sorted(self._params)}")
        return self._compiled().run(values)


class CompiledQueries:
    """CompiledQuery objects by key (a page's slice, its columns), each built on first
    use; at most `kept` of them, all forgotten when more are asked for (a crawler paging
    far must not grow a worker's memory without bound)."""

    def __init__(self, *, kept: int = 64):
        self.kept = kept
        self._by_key: dict[Any, CompiledQuery] = {}

    def get(self, key: Any, build: Callable[..., QuerySet], **params: Param) -> CompiledQuery:
        """The compiled query of `key`, made by CompiledQuery(build, **params) the first
        time: `build` must give the same statement for the same key."""
        compiled = self._by_key.get(key)
        if compiled is None:
            if len(self._by_key) >= self.kept:
                self._by_key.clear()
            compiled = self._by_key[key] = CompiledQuery(build, **params)
        return compiled
