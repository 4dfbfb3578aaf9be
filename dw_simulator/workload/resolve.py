"""Names in a query, resolved against the experiment's tables: aliases, CTEs, derived tables and subqueries,
unqualified columns (the one table in scope that has the column, looking outwards for correlated subqueries), and
schema prefixes (`public.orders` is `orders`).

`Resolver(catalog).column(node, scope)` gives the `(table, column)` a column reference reads, following a CTE's or
derived table's projection down to the base column when it is a plain column (`l_suppkey AS supplier_no`), or None
for a computed value. Unknown tables raise `UnknownTable` with the position of the name in the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, build_scope


class UnknownTable(Exception):
    def __init__(self, name: str, line: int | None, col: int | None) -> None:
        super().__init__(name)
        self.name, self.line, self.col = name, line, col


@dataclass
class Catalog:
    """Table name (lower case) -> (table name, {column name lower case: column name})."""

    tables: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict[str, object]) -> Catalog:
        out = cls()
        for table in data["tables"]:  # type: ignore[attr-defined]
            columns = {c["name"].lower(): c["name"] for c in table["columns"]}
            out.tables[table["name"].lower()] = (table["name"], columns)
        return out

    def has(self, table: str, column: str) -> bool:
        entry = self.tables.get(table.lower())
        return entry is not None and column.lower() in entry[1]

    def name(self, table: str, column: str | None = None) -> str:
        entry = self.tables[table.lower()]
        return entry[0] if column is None else entry[1][column.lower()]


Ref = tuple[str, str]  # (table, column) with the schema's spelling


def position(node: exp.Expression) -> tuple[int | None, int | None]:
    meta = getattr(node, "meta", None) or {}
    ident = node.this if isinstance(node, exp.Table | exp.Column) and isinstance(node.this, exp.Identifier) else node
    meta = getattr(ident, "meta", None) or meta
    return meta.get("line"), meta.get("col")


@dataclass
class Resolver:
    catalog: Catalog
    trail: list[Scope] | None = None  # when a list: every derived scope a resolution passes through

    def check_tables(self, scope: Scope) -> None:
        """Every base table the scope reads exists in the experiment (CTE names are not base tables)."""
        for source in scope.sources.values():
            if not isinstance(source, exp.Table) or not isinstance(source.this, exp.Identifier):
                continue
            if source.name.lower() not in self.catalog.tables:
                line, col = position(source)
                raise UnknownTable(source.sql(), line, col)

    def table_of(self, source: exp.Expression | Scope) -> str | None:
        if isinstance(source, exp.Table) and source.name.lower() in self.catalog.tables:
            return self.catalog.name(source.name)
        return None

    def column(self, node: exp.Column, scope: Scope, depth: int = 0) -> Ref | None:
        if depth > 20:
            return None
        name, qualifier = node.name.lower(), node.table.lower()
        current: Scope | None = scope
        while current is not None:
            found = self._in_scope(name, qualifier, current, depth)
            if found is not False:
                return found  # type: ignore[return-value]
            current = current.parent
        return None

    def _in_scope(self, name: str, qualifier: str, scope: Scope, depth: int) -> Ref | bool | None:
        """The reference in `scope`; False when the scope does not know the name (look further out)."""
        selected = {alias.lower(): source for alias, (_node, source) in scope.selected_sources.items()}
        if qualifier:
            source = selected.get(qualifier)
            if source is None:
                source = next((s for a, s in scope.sources.items() if a.lower() == qualifier), None)
            if source is None:
                return False
            return self._from_source(source, name, depth)
        holders = [s for s in selected.values() if self._source_has(s, name)]
        if len(holders) == 1:
            return self._from_source(holders[0], name, depth)
        if len(holders) > 1:
            return None  # ambiguous: the warehouse would refuse it; nothing to learn from it
        return False

    def _source_has(self, source: exp.Expression | Scope, name: str) -> bool:
        if isinstance(source, Scope):
            selects = source.expression.selects if isinstance(source.expression, exp.Query) else []
            if any(
                isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star)) for s in selects
            ):
                return any(self._source_has(s, name) for s in _values(source))
            return any(s.alias_or_name.lower() == name for s in selects)
        table = self.table_of(source)
        return table is not None and self.catalog.has(table, name)

    def output(self, query: exp.Query, name: str) -> tuple[Ref | None, list[Scope]]:
        """The base column a query's output column `name` reads, and the scopes it passes through."""
        self.trail = []
        try:
            return self._from_source(build_scope(query), name, 0), self.trail  # type: ignore[arg-type]
        finally:
            self.trail = None

    def _from_source(self, source: exp.Expression | Scope, name: str, depth: int) -> Ref | None:
        if isinstance(source, Scope):
            if self.trail is not None:
                self.trail.append(source)
            query = source.expression
            if isinstance(query, exp.SetOperation):
                left = build_scope(query.this) if isinstance(query.this, exp.Query) else None
                return self._from_source(left, name, depth + 1) if left is not None else None
            for select in query.selects if isinstance(query, exp.Query) else []:
                if select.alias_or_name.lower() != name:
                    continue
                inner = select.this if isinstance(select, exp.Alias) else select
                if isinstance(inner, exp.Column):
                    return self.column(inner, source, depth + 1)
                return None
            holders = [s for s in _values(source) if self._source_has(s, name)]
            return self._from_source(holders[0], name, depth + 1) if len(holders) == 1 else None
        table = self.table_of(source)
        if table is None or not self.catalog.has(table, name):
            return None
        return table, self.catalog.name(table, name)


def _values(scope: Scope) -> list[exp.Expression | Scope]:
    return [source for _node, source in scope.selected_sources.values()]
