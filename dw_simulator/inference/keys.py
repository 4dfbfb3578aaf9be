"""Keys nobody declared: primary keys named after their table, foreign keys named after their parent's key.

Works on the schema's dict form (the JSON shape). Every key it adds comes with a record {kind, table, column,
reason}; what it leaves alone for being ambiguous is reported in `KeyInference.notes`.

* Primary keys, for tables that declare none and have no unique column: the first NOT NULL column (or the first
  column) named after the table: `<form>_id`, `<form>id`, `<form>_key`, `<form>_sk`, `id` (forms: `customers` ->
  `customers`, `customer`; prefix-free), or an abbreviation of it in the first column (`catid` in `category`).
* Foreign keys, for columns without one (never a table's own single-column key): the column's stem (its name
  without the table's column prefix) equals the stem of another table's unique column (`c_nationkey` ->
  `nation.n_nationkey`, `ss_item_sk` -> `item.i_item_sk`), or its whole name (`eventid` -> `event.eventid`), or a
  generic key (`id`, `key`, `sk`) spelled with the parent's name (`customer_id` -> `customers.id`), or ends with
  the parent's stem after role words (`ss_sold_date_sk` -> `date_dim.d_date_sk`), or names a person's role
  (`buyerid`, `created_by`) and exactly one table of people takes that role. Types must agree (integers with
  integers, strings with strings no longer than the column); the best match wins and ties are left alone.
* Multi-column foreign keys: a table whose columns' stems cover every column of another table's composite key
  (`lineitem(l_partkey, l_suppkey)` -> `partsupp(ps_partkey, ps_suppkey)`).
(NULL shares and how many parents a key reaches: `key_shares`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dw_simulator.inference.names import column_prefix, compact, stem, table_forms, tokens
from dw_simulator.inference.vocabulary import Vocabulary
from dw_simulator.schema.types import INTEGER_RANGES, TypeSpec, parse_type

Record = dict[str, Any]
GENERIC_KEYS = ("id", "key", "sk", "pk", "no", "num", "code")
KEY_SUFFIXES = ("_id", "id", "_key", "key", "_sk", "sk")


@dataclass
class KeyInference:
    records: list[Record] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def record(kind: str, table: str | None, column: str | None, reason: str, value: str | None = None,
           fields: list[str] | None = None) -> Record:  # fmt: skip
    """An inference record; `fields` are the column's schema fields it set (clearing them drops it)."""
    out: Record = {"kind": kind, "table": table, "column": column, "reason": reason, "fields": list(fields or [])}
    if value is not None:
        out["value"] = value
    return out


def _spec(column: dict[str, Any]) -> TypeSpec:
    return parse_type(str(column["data_type"]))


def _length(column: dict[str, Any]) -> int | None:
    length = column.get("varchar_length")
    return int(length) if length is not None else _spec(column).length


def _prefix(table: dict[str, Any]) -> str | None:
    return column_prefix(table["name"], [c["name"] for c in table["columns"]])


def _has_key(table: dict[str, Any]) -> bool:
    return bool(table.get("composite_keys")) or any(c.get("is_unique") for c in table["columns"])


def _keyable(column: dict[str, Any]) -> bool:
    spec = _spec(column)
    return (spec.is_integer or spec.is_string) and column.get("json_shape") is None


# -- primary keys ---------------------------------------------------------------------------------------------


def _pk_names(table: dict[str, Any]) -> set[str]:
    names: set[str] = {"id"}
    for form in table_forms(table["name"]):
        for suffix in KEY_SUFFIXES:
            names.add(form + suffix)
            names.add(compact(form) + suffix)
    return names


def infer_primary_keys(data: dict[str, Any], result: KeyInference) -> None:
    for table in data["tables"]:
        if _has_key(table) or not table["columns"]:
            continue
        prefix = _prefix(table)
        names = _pk_names(table)
        forms = [compact(f) for f in table_forms(table["name"])]
        chosen: tuple[dict[str, Any], str] | None = None
        for position, column in enumerate(table["columns"]):
            if not _keyable(column) or column.get("foreign_key"):
                continue
            if not (column.get("required") or position == 0):
                continue
            s = stem(column["name"], prefix)
            if s in names:
                chosen = (column, f"named after its table ('{s}')")
                break
            if position == 0:
                abbreviation = _abbreviated_key(s, forms)
                if abbreviation is not None:
                    chosen = (column, f"named after its table ('{abbreviation}' abbreviates '{table['name']}')")
                    break
        if chosen is None:
            continue
        column, why = chosen
        if not _fits_rows(column, int(table.get("target_rows") or 0)):
            result.notes.append(
                f"Table '{table['name']}': '{column['name']}' looks like the primary key but its "
                f"type cannot hold {table.get('target_rows')} distinct values; not inferred"
            )
            continue
        column["is_unique"] = True
        column["required"] = True
        result.records.append(
            record(
                "primary_key",
                table["name"],
                column["name"],
                f"{why}, NOT NULL and the table declares no key: taken as its primary key",
                fields=["is_unique"],
            )
        )


def _abbreviated_key(column_stem: str, forms: list[str]) -> str | None:
    for suffix in KEY_SUFFIXES:
        if column_stem.endswith(suffix) and len(column_stem) > len(suffix):
            head = column_stem[: -len(suffix)].rstrip("_")
            if len(head) >= 3 and any(f.startswith(head) for f in forms):
                return head
    return None


def _fits_rows(column: dict[str, Any], rows: int) -> bool:
    spec = _spec(column)
    if spec.is_integer:
        return INTEGER_RANGES[spec.base][1] >= rows
    length = _length(column)
    return length is None or length >= 8 or 36**length >= rows


# -- foreign keys ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    table: dict[str, Any]
    column: dict[str, Any]
    stems: frozenset[str]  # stems a child column may have to match exactly
    suffix: tuple[str, ...]  # tokens a role-prefixed child stem may end with
    full: str


def _targets(data: dict[str, Any]) -> list[_Target]:
    out: list[_Target] = []
    for table in data["tables"]:
        prefix = _prefix(table)
        for column in table["columns"]:
            if not column.get("is_unique") or not _keyable(column) or column.get("foreign_key"):
                continue
            s = stem(column["name"], prefix)
            stems = {s, compact(s)}
            if s in GENERIC_KEYS:  # `id` alone names no parent: only `customer_id`, `customerid`... do
                stems = set()
                for form in table_forms(table["name"]):
                    stems.update({f"{form}_{s}", f"{compact(form)}{s}", f"{compact(form)}_{s}"})
            toks = tuple(tokens(s))
            out.append(_Target(table, column, frozenset(stems), toks if len(toks) >= 2 else (), column["name"].lower()))
    return out


def _compatible(child: dict[str, Any], parent: dict[str, Any], parent_rows: int) -> bool:
    c, p = _spec(child), _spec(parent)
    if c.is_integer and p.is_integer:
        return INTEGER_RANGES[c.base][1] >= min(INTEGER_RANGES[p.base][1], max(parent_rows, 1))
    if c.is_string and p.is_string:
        c_len, p_len = _length(child), _length(parent)
        return c_len is None or (p_len is not None and p_len <= c_len)
    return False


def _score(child_stem: str, child_name: str, target: _Target) -> tuple[int, str] | None:
    if child_name.lower() == target.full and target.full not in GENERIC_KEYS:
        return 4, f"has the same name as {target.table['name']}.{target.column['name']}"
    if child_stem in target.stems or compact(child_stem) in target.stems:
        return 3, (
            f"named like {target.table['name']}.{target.column['name']} ('{child_stem}' once the tables' "
            "column prefixes are set aside)"
        )
    child_tokens = tokens(child_stem)
    n = len(target.suffix)
    if n and len(child_tokens) > n and tuple(child_tokens[-n:]) == target.suffix:
        roles = "_".join(child_tokens[:-n])
        return 2, (
            f"ends with the key name of {target.table['name']}.{target.column['name']} "
            f"('{'_'.join(target.suffix)}' after the role '{roles}')"
        )
    return None


def infer_foreign_keys(data: dict[str, Any], vocab: Vocabulary, result: KeyInference) -> None:
    targets = _targets(data)
    rows = {t["name"].lower(): int(t.get("target_rows") or 0) for t in data["tables"]}
    for table in data["tables"]:
        prefix = _prefix(table)
        composite_members = {c.lower() for group in table.get("composite_keys") or [] for c in group}
        for column in table["columns"]:
            if column.get("foreign_key") or not _keyable(column) or column.get("identity"):
                continue
            own_key = column.get("is_unique") and column["name"].lower() not in composite_members
            if own_key:
                continue
            s = stem(column["name"], prefix)
            found: list[tuple[int, str, _Target]] = []
            for target in targets:
                if target.table is table:
                    continue
                scored = _score(s, column["name"], target)
                if scored is None:
                    continue
                if not _compatible(column, target.column, rows[target.table["name"].lower()]):
                    continue
                found.append((scored[0], scored[1], target))
            if not found:
                role = _person_role(s, vocab)
                people = _person_table(vocab, targets, role, table) if role is not None else None
                if people is not None and _compatible(column, people.column, rows[people.table["name"].lower()]):
                    found.append(
                        (
                            1,
                            f"names a person's role ('{role}') and '{people.table['name']}' is the one "
                            "table of people that takes it",
                            people,
                        )
                    )
            if not found:
                continue
            best = max(f[0] for f in found)
            top = [f for f in found if f[0] == best]
            if len({id(f[2].column) for f in top}) > 1:
                shown = ", ".join(f"{f[2].table['name']}.{f[2].column['name']}" for f in top)
                result.notes.append(
                    f"Table '{table['name']}': '{column['name']}' could reference {shown}; no "
                    "foreign key inferred (declare it to choose)"
                )
                continue
            _, why, target = top[0]
            column["foreign_key"] = {
                "references_table": target.table["name"],
                "references_column": target.column["name"],
            }
            result.records.append(
                record(
                    "foreign_key",
                    table["name"],
                    column["name"],
                    f"{why}, a unique key of compatible type",
                    f"{target.table['name']}.{target.column['name']}",
                    fields=["foreign_key"],
                )
            )
    _infer_multi_column(data, result)
    _drop_required_cycles(data, result)


def _person_table(vocab: Vocabulary, targets: list[_Target], role: str, child: dict[str, Any]) -> _Target | None:
    """The key of the one table of people that takes `role` (None when there is none, or several)."""
    found = [
        t
        for t in targets
        if t.table is not child and any(vocab.takes_role(form, role) for form in table_forms(t.table["name"]))
    ]
    if len({id(t.table) for t in found}) != 1:
        return None
    keys = [t for t in found if t.column.get("required")] or found
    return keys[0] if len(keys) == 1 else None


def _person_role(column_stem: str, vocab: Vocabulary) -> str | None:
    for role in vocab.roles():
        for suffix in ("", *KEY_SUFFIXES):
            if column_stem == role + suffix or compact(column_stem) == compact(role) + suffix:
                if suffix == "" and not role.endswith(("_by", "_to")):
                    continue  # a bare role word (`owner`) may be a name, not a key
                return role
    return None


def _infer_multi_column(data: dict[str, Any], result: KeyInference) -> None:
    for parent in data["tables"]:
        groups = parent.get("composite_keys") or []
        if not groups:
            continue
        group = groups[0]
        if len(group) < 2:
            continue
        p_prefix = _prefix(parent)
        by_name = {c["name"].lower(): c for c in parent["columns"]}
        wanted = [(stem(name, p_prefix), by_name[name.lower()]) for name in group]
        for child in data["tables"]:
            if child is parent:
                continue
            c_prefix = _prefix(child)
            stems = {stem(c["name"], c_prefix): c for c in child["columns"]}
            matched = [stems.get(s) for s, _ in wanted]
            if any(m is None for m in matched):
                continue
            columns = [m for m in matched if m is not None]
            if not all(
                _compatible(c, p, int(parent.get("target_rows") or 0))
                for c, (_, p) in zip(columns, wanted, strict=True)
            ):
                continue
            names = [c["name"] for c in columns]
            own = [[n.lower() for n in g] for g in child.get("composite_keys") or []]
            if any(sorted(g) == sorted(n.lower() for n in names) for g in own):
                continue  # the same key on both sides: which one is the parent is anyone's guess
            existing = child.setdefault("foreign_keys", [])
            if any([n.lower() for n in fk["columns"]] == [n.lower() for n in names] for fk in existing):
                continue
            existing.append({"columns": names, "references_table": parent["name"], "references_columns": list(group)})
            result.records.append(
                record(
                    "foreign_key",
                    child["name"],
                    ", ".join(names),
                    f"its columns are named like every column of {parent['name']}'s composite key "
                    f"({', '.join(group)}), of compatible types",
                    f"{parent['name']}({', '.join(group)})",
                )
            )


def _drop_required_cycles(data: dict[str, Any], result: KeyInference) -> None:
    """An inferred foreign key that closes a cycle of required keys is dropped again (nothing to start from)."""
    inferred = {(r["table"].lower(), (r["column"] or "").lower()) for r in result.records if r["kind"] == "foreign_key"}
    while True:
        cycle = _required_cycle(data)
        if cycle is None:
            return
        table, column = next(
            ((t, c) for t, c in cycle if (t["name"].lower(), c["name"].lower()) in inferred), (None, None)
        )
        if table is None or column is None:
            return  # declared keys form the cycle: the importer handles those
        target = column.pop("foreign_key")
        result.records[:] = [
            r
            for r in result.records
            if not (r["kind"] == "foreign_key" and r["table"] == table["name"] and r["column"] == column["name"])
        ]
        result.notes.append(
            f"Table '{table['name']}': '{column['name']}' looks like a key of "
            f"{target['references_table']}, but that would close a cycle of required foreign keys; "
            "not inferred"
        )


def _required_cycle(data: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    tables = {t["name"].lower(): t for t in data["tables"]}
    edges: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, table in tables.items():
        edges[key] = [
            (c["foreign_key"]["references_table"].lower(), c)
            for c in table["columns"]
            if c.get("foreign_key") and c.get("required")
        ]
    state: dict[str, int] = {}
    path: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def visit(node: str) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
        state[node] = 1
        for parent, column in edges.get(node, []):
            path.append((tables[node], column))
            if state.get(parent) == 1:
                start = next(i for i, (t, _) in enumerate(path) if t["name"].lower() == parent)
                return path[start:]
            if parent in edges and state.get(parent) is None:
                found = visit(parent)
                if found:
                    return found
            path.pop()
        state[node] = 2
        return None

    for node in edges:
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None
