"""A dbt project's sources and tests written into the schema dict: tables for sources the experiment lacks, and
each test as the constraint that makes it pass on generated data.

* `unique` -> `is_unique`, `not_null` -> `required`, `accepted_values` (with `quote: false` for numbers) ->
  a categorical domain, `relationships` -> a foreign key, `dbt_utils.accepted_range` -> bounds,
  `dbt_utils.expression_is_true` of the simple `col <op> literal` kind -> bounds.
* A model column's test lands on the source column it reads (traced through the model's SQL and the models it
  references); a column computed by an expression, or read through GROUP BY / DISTINCT (unique by construction),
  keeps its test in dbt alone, and is reported.
* The constraints are recorded without `fields`, so they count as declared: a query literal that contradicts them
  is reported by the query fit, not forced.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, build_scope, traverse_scope

from dw_simulator.schema.types import parse_type
from dw_simulator.workload.dbt_project import REF_RE, DbtProject, DbtTest
from dw_simulator.workload.fit_values import Record, record
from dw_simulator.workload.literals import fold
from dw_simulator.workload.resolve import Catalog, Ref, Resolver

DEFAULT_ROWS = 1000
_TYPES = (
    (re.compile(r"(^|_)(id|key|sk|num|number|count|qty|quantity)$"), "INTEGER"),
    (re.compile(r"(_at|_time|timestamp|_ts)$"), "TIMESTAMP"),
    (re.compile(r"(^|_)(date|day|dt)$|_date$|_on$"), "DATE"),
    (re.compile(r"(amount|price|cost|total|revenue|balance|value)$"), "DECIMAL(12,2)"),
    (re.compile(r"^(is|has)_"), "BOOLEAN"),
)


def guess_type(name: str) -> str:
    lowered = name.lower()
    return next((t for pattern, t in _TYPES if pattern.search(lowered)), "VARCHAR(256)")


def _used_columns(trees: dict[str, exp.Query], table: str) -> list[str]:
    """Columns the models read from `table` (qualified by its alias, or unqualified where it is the only source)."""
    out: dict[str, None] = {}
    for tree in trees.values():
        for scope in traverse_scope(tree):
            aliases = {a.lower() for a, (_n, s) in scope.selected_sources.items()
                       if isinstance(s, exp.Table) and s.name.lower() == table.lower()}  # fmt: skip
            if not aliases:
                continue
            only = len(scope.selected_sources) == 1
            for column in scope.columns:
                if column.table.lower() in aliases or (only and not column.table):
                    out.setdefault(column.name)
    return list(out)


def source_tables(data: dict[str, Any], project: DbtProject, trees: dict[str, exp.Query]) -> list[Record]:
    """Add a table for every source the schema does not have (columns from the YAML and from the models' SQL)."""
    have = {t["name"].lower() for t in data.get("tables") or []}
    records = []
    for source in project.sources:
        if source.name.lower() in have:
            continue
        columns: dict[str, dict[str, Any]] = {}
        for column in source.columns:
            columns[column.name.lower()] = {"name": column.name,
                                            "data_type": column.data_type or guess_type(column.name)}  # fmt: skip
        for name in _used_columns(trees, source.name):
            columns.setdefault(name.lower(), {"name": name, "data_type": guess_type(name)})
        if not columns:
            project.notes.append(f"source {source.source}.{source.name}: no columns in the YAML or the models; "
                                 "left out")  # fmt: skip
            continue
        data.setdefault("tables", []).append({"name": source.name, "target_rows": DEFAULT_ROWS,
                                              "columns": list(columns.values())})  # fmt: skip
        have.add(source.name.lower())
        records.append(record(None, source.name, None, f"dbt {source.kind} {source.source}.{source.name}: a table with "
                              f"{len(columns)} column(s) (from its YAML and the models that read it)", [],
                              "dbt"))  # fmt: skip
    models = {m.lower() for m in project.sql}
    for tree in trees.values():  # tables the models read that no YAML declares
        for table in tree.find_all(exp.Table):
            name = table.name
            if not name or name.lower() in have or name.lower() in models:
                continue
            used = _used_columns(trees, name)
            if not used:
                continue
            data.setdefault("tables", []).append(
                {
                    "name": name,
                    "target_rows": DEFAULT_ROWS,
                    "columns": [{"name": c, "data_type": guess_type(c)} for c in used],
                }
            )
            have.add(name.lower())
            records.append(record(None, name, None, f"the dbt models read table {name}: a table with {len(used)} "
                                  "column(s) they use", [], "dbt"))  # fmt: skip
    return records


def _find(data: dict[str, Any], ref: Ref) -> tuple[dict[str, Any], dict[str, Any]]:
    table = next(t for t in data["tables"] if t["name"] == ref[0])
    return table, next(c for c in table["columns"] if c["name"] == ref[1])


def _grouped(trail: list[Scope]) -> bool:
    return any(isinstance(s.expression, exp.Select) and (s.expression.args.get("group") or
                                                        s.expression.args.get("distinct")) for s in trail)  # fmt: skip


class _Apply:
    def __init__(self, data: dict[str, Any], project: DbtProject, trees: dict[str, exp.Query]) -> None:
        self.data, self.project, self.trees = data, project, trees
        self.resolver = Resolver(Catalog.of(data))
        self.records: list[Record] = []

    def base(self, owner: str, column: str) -> tuple[Ref | None, bool]:
        """(the source column a model's or source's column is, read through GROUP BY/DISTINCT)"""
        if self.resolver.catalog.has(owner, column) and owner not in self.trees:
            return (self.resolver.catalog.name(owner), self.resolver.catalog.name(owner, column)), False
        tree = self.trees.get(owner)
        if tree is None:
            return None, False
        ref, trail = self.resolver.output(tree, column.lower())
        return ref, _grouped(trail)

    def run(self) -> None:
        owners = [(s.name, s.columns) for s in self.project.sources]
        owners += [(m.name, m.columns) for m in self.project.models.values()]
        for kind_order in (("unique", "not_null"), ("accepted_values", "accepted_range", "expression_is_true"),
                           ("relationships",)):  # fmt: skip
            for owner, columns in owners:
                for column in columns:
                    for test in column.tests:
                        if test.kind in kind_order:
                            self.one(owner, column.name, test)

    def note(self, text: str) -> None:
        self.project.notes.append(text)

    def one(self, owner: str, column: str, test: DbtTest) -> None:
        ref, grouped = self.base(owner, column)
        where = f"{owner}.{column}"
        if ref is None:
            if test.kind == "not_null" and self.coverage(owner, column):
                return
            self.note(f"dbt test {test.kind} on {where}: the column is computed, not read from a source; left to dbt")
            return
        _table, col = _find(self.data, ref)
        label = f"dbt test {test.kind} on {where}" + (f" (reads {ref[0]}.{ref[1]})" if ref[0] != owner else "")
        if test.kind == "unique":
            if grouped:
                return  # unique by construction (GROUP BY / DISTINCT)
            if not col.get("foreign_key"):
                col["is_unique"] = True
                self.add(ref, f"{label}: unique")
        elif test.kind == "not_null":
            col["required"] = True
            col.pop("null_rate", None)
            self.add(ref, f"{label}: NOT NULL")
        elif test.kind == "accepted_values":
            self.accepted(ref, col, test, label, grouped)
        elif test.kind == "relationships":
            self.relationship(ref, col, test, label)
        elif test.kind in ("accepted_range", "expression_is_true"):
            self.bounds(ref, col, test, label)

    def coverage(self, owner: str, column: str) -> bool:
        """`not_null` on an aggregate of a LEFT JOINed, grouped child (`orders LEFT JOIN (SELECT order_id, sum(x)
        ... GROUP BY order_id) p`): every parent row needs a child, so the child's key gets a cardinality of at
        least one per parent. True when that was set."""
        tree = self.trees.get(owner)
        if tree is None:
            return False
        found = _left_aggregate(build_scope(tree), column.lower(), 0)  # type: ignore[arg-type]
        if found is None:
            return False
        scope, parent_col, child_scope, child_col = found
        parent_ref = self.resolver.column(parent_col, scope)
        child_ref = self.resolver.column(child_col, child_scope)
        if parent_ref is None or child_ref is None or parent_ref[0] == child_ref[0]:
            return False
        parent_table, parent = _find(self.data, parent_ref)
        child_table, child = _find(self.data, child_ref)
        fk = child.get("foreign_key")
        if fk and (fk["references_table"], fk["references_column"]) != (parent_ref[0], parent_ref[1]):
            return False
        if not parent.get("is_unique"):
            return False
        parents = int(parent_table.get("target_rows") or DEFAULT_ROWS)
        children = int(child_table.get("target_rows") or DEFAULT_ROWS)
        high = max(2, round(2 * children / max(1, parents)) - 1)
        child["foreign_key"] = {"references_table": parent_table["name"], "references_column": parent["name"],
                                "cardinality": {"type": "uniform", "low": 1, "high": high}}  # fmt: skip
        child["required"] = True
        child.pop("null_rate", None)
        self.add(child_ref, f"dbt test not_null on {owner}.{column}: an aggregate of {child_table['name']} LEFT "
                            f"JOINed to {parent_table['name']}, so every {parent_table['name']} row gets 1..{high} "
                            f"{child_table['name']} rows")  # fmt: skip
        return True

    def add(self, ref: Ref, reason: str) -> None:
        self.records.append(record(None, ref[0], ref[1], reason, [], "dbt"))

    def accepted(self, ref: Ref, col: dict[str, Any], test: DbtTest, label: str, grouped: bool) -> None:
        values = list(test.args.get("values") or [])
        if not values:
            return
        spec = parse_type(str(col["data_type"]))
        if spec.is_numeric:
            try:
                values = [float(v) if not float(v).is_integer() else int(float(v)) for v in values]
            except (TypeError, ValueError):
                self.note(f"{label}: values {values} do not fit {col['data_type']}; left to dbt")
                return
        elif spec.is_string:
            values = [str(v) for v in values]
        weights = [round(1.0 / (i + 1), 4) for i in range(len(values))]
        col["distribution"] = {"type": "categorical", "values": values, "weights": weights}
        col.pop("faker_rule", None)
        for item in self.data.get("inferences") or []:  # the test wins over inferred defaults
            if item.get("table") == ref[0] and item.get("column") == ref[1] and "distribution" in (item.get("fields")
                                                                                                  or []):  # fmt: skip
                item["fields"] = [f for f in item["fields"] if f != "distribution"]
        self.add(ref, f"{label}: one of {values}")

    def relationship(self, ref: Ref, col: dict[str, Any], test: DbtTest, label: str) -> None:
        match = REF_RE.match(str(test.args.get("to") or ""))
        field = test.args.get("field")
        if match is None or not field:
            self.note(f"{label}: `to: {test.args.get('to')}` is not a ref() or source(); left to dbt")
            return
        target = match.group(2) or match.group(1)
        parent_ref, _grouped_parent = self.base(target, str(field))
        if parent_ref is None or parent_ref == ref:
            self.note(f"{label}: {target}.{field} is computed; left to dbt")
            return
        parent_table, parent_col = _find(self.data, parent_ref)
        if col.get("foreign_key"):
            return
        if not parent_col.get("is_unique"):
            parent_col["is_unique"] = True
            self.add(parent_ref, f"{label}: referenced by {ref[0]}.{ref[1]}, so its values are distinct")
        col["foreign_key"] = {"references_table": parent_table["name"], "references_column": parent_col["name"]}
        self.add(ref, f"{label}: a foreign key to {parent_ref[0]}.{parent_ref[1]}")

    def bounds(self, ref: Ref, col: dict[str, Any], test: DbtTest, label: str) -> None:
        low, high = test.args.get("min_value"), test.args.get("max_value")
        if test.kind == "expression_is_true":
            low, high = _expression_bounds(ref[1], str(test.args.get("expression") or ""))
            if low is None and high is None:
                self.note(f"{label}: `{test.args.get('expression')}` is not a simple bound; left to dbt")
                return
        spec = parse_type(str(col["data_type"]))
        if spec.is_numeric:
            if low is not None:
                col["min_value"] = low
            if high is not None:
                col["max_value"] = high
            if col.get("min_value") is not None and col.get("max_value") is not None and col["min_value"] > col[
                    "max_value"]:  # fmt: skip
                col["min_value"], col["max_value"] = col["max_value"], col["min_value"]
            if (col.get("distribution") or {}).get("type") not in (None, "categorical"):
                col.pop("distribution", None)
        elif spec.is_temporal:
            if low is not None:
                col["date_start"] = str(low)[:10]
            if high is not None:
                col["date_end"] = str(high)[:10]
        else:
            return
        self.add(ref, f"{label}: values within [{low}, {high}]")


def _left_aggregate(scope: Scope, name: str, depth: int) -> tuple[Scope, exp.Column, Scope, exp.Column] | None:
    """Where output column `name` is an aggregate read through a LEFT JOIN of a grouped derived table: (the
    joining scope, its key column, the derived scope, the derived key column)."""
    if depth > 20 or not isinstance(scope.expression, exp.Select):
        return None
    select = next((s for s in scope.expression.selects if s.alias_or_name.lower() == name), None)
    if select is None:  # SELECT *: the one source that has it
        for _node, source in scope.selected_sources.values():
            if isinstance(source, Scope):
                found = _left_aggregate(source, name, depth + 1)
                if found is not None:
                    return found
        return None
    inner = select.this if isinstance(select, exp.Alias) else select
    if not isinstance(inner, exp.Column):
        return None
    qualifier = inner.table.lower()
    entry = next(((a, s) for a, (_n, s) in scope.selected_sources.items() if a.lower() == qualifier), None)
    if entry is None or not isinstance(entry[1], Scope):
        return None
    alias, derived = entry[0], entry[1]
    assert isinstance(derived, Scope)
    join = next((j for j in scope.expression.args.get("joins") or []
                 if j.alias_or_name.lower() == alias.lower()), None)  # fmt: skip
    derived_select = derived.expression
    if not isinstance(derived_select, exp.Select):
        return None
    grouped = derived_select.args.get("group") is not None
    if join is None or (join.side or "").upper() != "LEFT" or not grouped:
        return _left_aggregate(derived, inner.name.lower(), depth + 1)
    on = join.args.get("on")
    if not isinstance(on, exp.EQ) or not isinstance(on.this, exp.Column) or not isinstance(on.expression, exp.Column):
        return None
    mine, theirs = (on.this, on.expression) if on.expression.table.lower() == alias.lower() else (on.expression,
                                                                                                  on.this)  # fmt: skip
    projection = next((s for s in derived_select.selects if s.alias_or_name.lower() == theirs.name.lower()), None)
    key = projection.this if isinstance(projection, exp.Alias) else projection
    if not isinstance(key, exp.Column):
        return None
    return scope, mine, derived, key


def _expression_bounds(column: str, expression: str) -> tuple[Any, Any]:
    text = expression.strip()
    if text[:1] in "<>=!":
        text = f"{column} {text}"
    try:
        node = sqlglot.parse_one(text)
    except sqlglot.errors.ParseError:
        return None, None
    side = "low" if isinstance(node, exp.GT | exp.GTE) else "high" if isinstance(node, exp.LT | exp.LTE) else None
    if side is None or not isinstance(node.this, exp.Column) or node.this.name.lower() != column.lower():
        return None, None
    from datetime import date

    value = fold(node.expression, date.today())
    if not isinstance(value, int | float) and not hasattr(value, "as_tuple"):
        return None, None
    return (value, None) if side == "low" else (None, value)


def apply_tests(data: dict[str, Any], project: DbtProject, trees: dict[str, exp.Query]) -> list[Record]:
    applier = _Apply(data, project, trees)
    applier.run()
    return applier.records
