"""What a query says about the data: per-column filters, joins and group counts, with names resolved.

`extract(statement, name, resolver, dialect, today)` walks every scope of a parsed statement (CTEs, derived tables,
subqueries, CASE expressions included) and returns:

* `Filter`s: a column (or EXTRACT(YEAR ...)/DATE_PART/YEAR()/SUBSTRING(col, 1, n)/LOWER()/a cast of it) compared
  with constants: `=`, `<>`, `<`, `<=`, `>`, `>=`, IN, NOT IN, BETWEEN, LIKE/ILIKE (negated or not), and the
  literals of `CASE col WHEN 'x'`; each with a probe (`SELECT COUNT(*) FROM table WHERE <predicate>`) that tells
  after generation whether the predicate alone selects rows;
* `Join`s: `a.x = b.y` between two tables (grouped per pair of table instances, so multi-column joins stay one);
* `GroupCount`s: `GROUP BY cols HAVING COUNT(*) > n` (or `SUM(col) > n`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, build_scope, traverse_scope

from dw_simulator.workload.literals import Span, fold
from dw_simulator.workload.resolve import Ref, Resolver

COMPARISONS: dict[type[exp.Expression], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
}
FLIPPED = {"=": "=", "<>": "<>", ">": "<", ">=": "<=", "<": ">", "<=": ">="}
PARTS = ("year", "month", "day", "quarter", "dow", "dayofweek", "hour", "minute", "week", "doy", "dayofyear")


@dataclass(frozen=True)
class Filter:
    query: str
    table: str
    column: str
    op: str  # = <> < <= > >= in between like ilike
    values: tuple[Any, ...]
    negated: bool
    part: str | None  # None (the column), a date part (year...), 'prefix' (SUBSTRING(col, 1, n))
    text: str
    probe: str
    group: str = ""  # filters ANDed on one table instance of one query share a group ("" when under OR/CASE)

    def describe(self) -> str:
        return ("NOT " if self.negated else "") + self.text


@dataclass(frozen=True)
class Join:
    query: str
    pair: tuple[str, str]  # the two table instances (alias or table), so multi-column joins group together
    left: Ref
    right: Ref
    text: str


@dataclass(frozen=True)
class GroupCount:
    query: str
    table: str
    columns: tuple[str, ...]
    op: str
    n: int
    text: str
    total: str | None = None  # HAVING SUM(total) > n (None: a count)


@dataclass(frozen=True)
class Relation:
    """`a > k * AGG(b)` (AGG: sum, avg, min, max or none; b read by a scalar subquery or the same row)."""

    query: str
    a: Ref
    op: str
    factor: float
    agg: str | None
    b: Ref
    text: str


@dataclass
class Found:
    filters: list[Filter]
    joins: list[Join]
    groups: list[GroupCount]
    notes: list[str]
    relations: list[Relation] = field(default_factory=list)


def _negated(node: exp.Expression) -> bool:
    parent, negated = node.parent, False
    while isinstance(parent, exp.Paren | exp.Not):
        if isinstance(parent, exp.Not):
            negated = not negated
        parent = parent.parent
    return negated


def _conjunct(node: exp.Expression) -> str | None:
    """ "" when the predicate is ANDed straight into a WHERE or JOIN ... ON; a branch id when it is ANDed into one
    branch of an OR there (each branch is a conjunction of its own); None under NOT, CASE or a function."""
    child, parent = node, node.parent
    while isinstance(parent, exp.And | exp.Paren):
        child, parent = parent, parent.parent
    if isinstance(parent, exp.Where | exp.Join):
        return ""
    if not isinstance(parent, exp.Or):
        return None
    branch = child
    while isinstance(parent, exp.And | exp.Paren | exp.Or):
        parent = parent.parent
    return str(id(branch)) if isinstance(parent, exp.Where | exp.Join) else None


def _own_nodes(scope: Scope) -> list[Any]:
    root = scope.expression

    def prune(node: Any) -> bool:
        return node is not root and isinstance(node, exp.Query | exp.Subquery)

    return list(root.walk(prune=prune))


class _Walker:
    def __init__(self, name: str, resolver: Resolver, dialect: str, today: date) -> None:
        self.name, self.resolver, self.dialect, self.today = name, resolver, dialect, today
        self.found = Found([], [], [], [])

    # -- the column side of a predicate --------------------------------------------------------------------------
    def target(self, node: exp.Expression, scope: Scope) -> tuple[Ref, str | None, exp.Column] | None:
        part: str | None = None
        inner = node
        while True:
            if isinstance(inner, exp.Paren | exp.Lower | exp.Upper | exp.Trim) or (
                isinstance(inner, exp.Cast | exp.TryCast) and isinstance(inner.this, exp.Column)
            ):
                inner = inner.this
            elif isinstance(inner, exp.Extract):
                part = inner.this.name.lower()
                inner = inner.expression
            elif isinstance(inner, exp.Year | exp.Month | exp.Day | exp.Quarter):
                part = type(inner).__name__.lower()
                inner = inner.this
            elif isinstance(inner, exp.Substring) and fold(inner.args.get("start"), self.today) == 1:
                part = "prefix"
                inner = inner.this
            else:
                break
        if not isinstance(inner, exp.Column) or isinstance(inner.this, exp.Star):
            return None
        ref = self.resolver.column(inner, scope)
        return (ref, part, inner) if ref is not None else None

    def constant(self, node: exp.Expression | None) -> Any:
        if node is None or any(isinstance(n, exp.Column | exp.Query) for n in node.walk()):
            return None
        value = fold(node, self.today)
        return None if isinstance(value, Span) else value

    def probe(self, predicate: exp.Expression, scope: Scope, table: str) -> str:
        copy = predicate.copy()
        for column in list(copy.find_all(exp.Column)):
            ref = self.resolver.column(column, scope)
            if ref is None:
                return ""
            column.replace(exp.column(ref[1], quoted=True))
        if _negated(predicate):
            copy = exp.Not(this=exp.Paren(this=copy))
        query = exp.select(exp.func("COUNT", exp.Star())).from_(exp.to_table(table, quoted=True)).where(copy)
        return query.sql(dialect=self.dialect)

    def add(
        self,
        predicate: exp.Expression,
        scope: Scope,
        side: exp.Expression,
        op: str,
        values: tuple[Any, ...],
        negated: bool | None = None,
    ) -> None:
        got = self.target(side, scope)
        if got is None:
            return
        (table, column), part, col = got
        text = predicate.sql(dialect=self.dialect)
        branch = _conjunct(predicate)
        group = "" if branch is None else f"{id(scope)}:{branch}:{col.table.lower() or table.lower()}"
        self.found.filters.append(
            Filter(
                self.name,
                table,
                column,
                op,
                values,
                _negated(predicate) if negated is None else negated,
                part,
                text,
                self.probe(predicate, scope, table),
                group,
            )
        )

    # -- one scope --------------------------------------------------------------------------------------------
    def scope(self, scope: Scope) -> None:
        self.resolver.check_tables(scope)
        for node in _own_nodes(scope):
            kind = COMPARISONS.get(type(node))
            if kind is not None:
                self.comparison(node, scope, kind)
            elif isinstance(node, exp.In) and not node.args.get("query"):
                values = tuple(self.constant(v) for v in node.expressions)
                if values and all(v is not None for v in values):
                    self.add(node, scope, node.this, "in", values)
            elif isinstance(node, exp.Like | exp.ILike):
                pattern = self.constant(node.expression)
                if isinstance(pattern, str):
                    self.add(node, scope, node.this, "ilike" if isinstance(node, exp.ILike) else "like", (pattern,))
            elif isinstance(node, exp.Between):
                low, high = self.constant(node.args.get("low")), self.constant(node.args.get("high"))
                if low is not None and high is not None:
                    self.add(node, scope, node.this, "between", (low, high))
            elif isinstance(node, exp.Case) and node.this is not None:
                for branch in node.args.get("ifs") or []:
                    value = self.constant(branch.this)
                    if value is not None:
                        self.add(
                            exp.EQ(this=node.this.copy(), expression=branch.this.copy()),
                            scope,
                            node.this,
                            "=",
                            (value,),
                            negated=False,
                        )
        self.having(scope)

    def comparison(self, node: exp.Expression, scope: Scope, op: str) -> None:
        left, right = node.this, node.expression
        left_const, right_const = self.constant(left), self.constant(right)
        if right_const is not None and left_const is None:
            self.add(node, scope, left, op, (right_const,))
        elif left_const is not None and right_const is None:
            self.add(node, scope, right, FLIPPED[op], (left_const,))
        elif op in (">", ">=", "<", "<=") and left_const is None and right_const is None:
            for side, other, how in ((left, right, op), (right, left, FLIPPED[op])):
                got = self.target(side, scope)
                found = self.magnitude(other, scope)
                if got is not None and got[1] is None and found is not None and found[2] != got[0]:
                    factor, agg, ref = found
                    self.found.relations.append(Relation(self.name, got[0], how, factor, agg, ref,
                                                         node.sql(dialect=self.dialect)))  # fmt: skip
                    return
        elif op == "=" and isinstance(left, exp.Column) and isinstance(right, exp.Column):
            a, b = self.resolver.column(left, scope), self.resolver.column(right, scope)
            if a is None or b is None or a == b:
                return
            pair = (left.table.lower() or a[0].lower(), right.table.lower() or b[0].lower())
            if pair[0] > pair[1]:
                pair, a, b = (pair[1], pair[0]), b, a
            self.found.joins.append(Join(self.name, pair, a, b, node.sql(dialect=self.dialect)))

    def magnitude(self, node: Any, scope: Scope) -> tuple[float, str | None, Ref] | None:
        """(k, AGG, b) when `node` is `k * AGG(b)` / `AGG(b) * k` / `b`, possibly as a scalar subquery."""
        factor = 1.0
        while True:
            if isinstance(node, exp.Paren):
                node = node.this
            elif isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and len(node.this.selects) == 1:
                scope = build_scope(node.this) or scope
                node = node.this.selects[0]
                node = node.this if isinstance(node, exp.Alias) else node
            elif isinstance(node, exp.Mul):
                k_left, k_right = self.constant(node.this), self.constant(node.expression)
                k = k_left if k_left is not None else k_right
                if not isinstance(k, int | float | Decimal) or isinstance(k, bool):
                    return None
                factor *= float(k)
                node = node.expression if k_left is not None else node.this
            else:
                break
        agg = None
        if isinstance(node, exp.Sum | exp.Avg | exp.Min | exp.Max):
            agg, node = type(node).__name__.lower(), node.this
        if not isinstance(node, exp.Column):
            return None
        ref = self.resolver.column(node, scope)
        return (factor, agg, ref) if ref is not None else None

    def having(self, scope: Scope) -> None:
        query = scope.expression
        having = query.args.get("having") if isinstance(query, exp.Select) else None
        group = query.args.get("group") if isinstance(query, exp.Select) else None
        if having is None or group is None:
            return
        refs = [self.resolver.column(c, scope) for c in group.expressions if isinstance(c, exp.Column)]
        if not refs or any(r is None for r in refs) or len({r[0] for r in refs if r}) != 1:
            return
        table = refs[0][0]  # type: ignore[index]
        for node in having.find_all(*COMPARISONS):
            agg, limit = node.this, self.constant(node.expression)
            op = COMPARISONS[type(node)]
            if not isinstance(agg, exp.Count | exp.Sum):
                agg, limit, op = node.expression, self.constant(node.this), FLIPPED[op]
            if (
                not isinstance(agg, exp.Count | exp.Sum)
                or not isinstance(limit, int | Decimal)
                or op not in (">", ">=", "=")
            ):
                continue
            total = None
            if isinstance(agg, exp.Sum):
                ref = self.resolver.column(agg.this, scope) if isinstance(agg.this, exp.Column) else None
                if ref is None or ref[0] != table:
                    continue
                total = ref[1]
            needed = int(limit) + 1 if op == ">" else int(limit)
            self.found.groups.append(
                GroupCount(
                    self.name, table, tuple(r[1] for r in refs if r), op, needed, node.sql(dialect=self.dialect), total
                )
            )


def extract(statement: exp.Query, name: str, resolver: Resolver, dialect: str, today: date) -> Found:
    walker = _Walker(name, resolver, dialect, today)
    for scope in traverse_scope(statement):
        walker.scope(scope)
    return walker.found
