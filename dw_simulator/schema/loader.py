"""Reading schemas: JSON or YAML text, the brief's draft YAML form, and readable validation errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dw_simulator.errors import Problem, SchemaValidationError
from dw_simulator.schema.experiment_schema import ExperimentSchema
from dw_simulator.schema.validation import more_problems

MAX_SCHEMA_BYTES = 5 * 1024 * 1024


def parse_text(text: str, *, source: str = "schema") -> Any:
    """JSON or YAML text -> Python data. YAML is a superset of JSON, but JSON errors read better from json."""
    if len(text.encode("utf-8", "ignore")) > MAX_SCHEMA_BYTES:
        raise SchemaValidationError(f"{source}: schema is larger than {MAX_SCHEMA_BYTES // (1024 * 1024)} MiB")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            problem = Problem(f"invalid JSON: {exc.msg}", line=exc.lineno, col=exc.colno)
            raise SchemaValidationError(f"{source}: {problem}", details=[problem.to_dict()]) from None
    import yaml  # only YAML text needs it (about 20 ms of import)

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = Problem(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            line=mark.line + 1 if mark is not None else None,
            col=mark.column + 1 if mark is not None else None,
        )
        raise SchemaValidationError(f"{source}: {problem}", details=[problem.to_dict()]) from None


def load_schema_file(
    path: str | Path, *, name: str | None = None, overrides: dict[str, Any] | None = None
) -> ExperimentSchema:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaValidationError(f"schema file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaValidationError(f"cannot read schema file {file}: {exc}") from None
    return load_schema_text(text, source=str(file), default_name=name or _stem_name(file), overrides=overrides)


def _stem_name(file: Path) -> str:
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in file.stem)


def load_schema_text(
    text: str, *, source: str = "schema", default_name: str | None = None, overrides: dict[str, Any] | None = None
) -> ExperimentSchema:
    data = parse_text(text, source=source)
    return load_schema_data(data, source=source, default_name=default_name, overrides=overrides)


def load_schema_data(
    data: Any, *, source: str = "schema", default_name: str | None = None, overrides: dict[str, Any] | None = None
) -> ExperimentSchema:
    """Validate schema data. `overrides` (e.g. name, target_warehouse from CLI flags) replace top-level fields
    before validation, so values derived from them (the dialect follows the target) are derived afresh."""
    if not isinstance(data, dict):
        raise SchemaValidationError(f"{source}: a schema must be a mapping with 'name' and 'tables'")
    if is_draft_form(data):
        data = normalise_draft(data, default_name=default_name)
    elif "name" not in data and default_name:
        data = {"name": default_name, **data}
    if overrides:
        data = {**data, **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return ExperimentSchema.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, data)
        raise SchemaValidationError(
            f"{source}: invalid schema: {problems[0]}{more_problems(problems)}", details=[p.to_dict() for p in problems]
        ) from None


def problems_from_validation_error(exc: ValidationError, data: Any) -> list[Problem]:
    """One problem per fault. Pydantic reports a value that fits no member of a union (`int | float | Decimal`) once
    per member, at the same place: those are merged into one problem; repeated problems are listed once."""
    problems: list[Problem] = []
    seen: set[tuple[str | None, ...]] = set()
    unions: dict[tuple[str | None, ...], int] = {}  # place -> index of its merged problem
    for err in exc.errors(include_url=False):
        problem = _problem(err, data)
        place = (problem.table, problem.column, problem.field)
        if _is_number_member(err):
            if place in unions:
                problems[unions[place]].message = _not_a_number(err.get("input"))
                continue
            unions[place] = len(problems)
        elif (*place, problem.message) in seen:
            continue
        seen.add((*place, problem.message))
        problems.append(problem)
    return problems


def _is_number_member(err: Any) -> bool:
    loc = err.get("loc", ())
    return bool(loc) and loc[-1] in ("int", "float", "decimal")


def _not_a_number(value: Any) -> str:
    shown = repr(value)
    return f"expected a number, not {shown if len(shown) <= 40 else shown[:37] + '...'}"


def _problem(err: Any, data: Any) -> Problem:
    loc = list(err.get("loc", ()))
    ctx = err.get("ctx") or {}
    table = column = None
    field_parts: list[str] = []
    node: Any = data
    i = 0
    # walk tables[i].columns[j].<field...>, reading names from the raw input
    if loc[:1] == ["tables"] and len(loc) > 1 and isinstance(loc[1], int):
        tables = data.get("tables") if isinstance(data, dict) else None
        node = tables[loc[1]] if isinstance(tables, list) and loc[1] < len(tables) else None
        table = _name_of(node, f"#{loc[1] + 1}")
        i = 2
        if loc[i : i + 1] == ["columns"] and len(loc) > i + 1 and isinstance(loc[i + 1], int):
            cols = node.get("columns") if isinstance(node, dict) else None
            cnode = cols[loc[i + 1]] if isinstance(cols, list) and loc[i + 1] < len(cols) else None
            column = _name_of(cnode, f"#{loc[i + 1] + 1}")
            i += 2
    for part in loc[i:]:
        if isinstance(part, int):
            field_parts.append(f"[{part}]")
        elif not _is_union_tag(part):
            field_parts.append(("." if field_parts else "") + str(part))
    message = ctx.get("dw_message") or err.get("msg", "invalid value")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    field = ctx.get("dw_field") or ("".join(field_parts) or None)
    return Problem(
        message=message,
        table=ctx.get("dw_table") or table,
        column=ctx.get("dw_column") or column,
        field=field,
    )


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in {
        "normal", "gaussian", "exponential", "beta", "uniform", "lognormal", "poisson", "zipf", "categorical",
        "int", "float", "decimal",
    }  # fmt: skip


def _name_of(node: Any, fallback: str) -> str:
    if isinstance(node, dict) and isinstance(node.get("name"), str):
        return str(node["name"])
    return fallback


# --- the brief's draft YAML form (section IV.C) ------------------------------------------------------------------


def is_draft_form(data: dict[str, Any]) -> bool:
    return isinstance(data.get("schema"), dict) and "tables" not in data


_DRAFT_SIMPLE_TYPES = {
    "integer": "INT", "int": "INT", "bigint": "BIGINT", "float": "FLOAT", "numerical": "FLOAT", "number": "FLOAT",
    "decimal": "DECIMAL", "string": "VARCHAR", "text": "VARCHAR", "boolean": "BOOLEAN", "bool": "BOOLEAN",
    "date": "DATE", "datetime": "TIMESTAMP", "timestamp": "TIMESTAMP", "json": "JSON",
}  # fmt: skip


def normalise_draft(data: dict[str, Any], *, default_name: str | None) -> dict[str, Any]:
    """`schema: {Customer: {count, fields: {id: {type: serial}}}}` -> the ExperimentSchema form."""
    tables: list[dict[str, Any]] = []
    raw_tables: dict[str, Any] = data["schema"]
    for table_name, spec in raw_tables.items():
        if not isinstance(spec, dict):
            raise SchemaValidationError(f"draft schema: table '{table_name}' must be a mapping with 'count', 'fields'")
        fields = spec.get("fields") or {}
        if not isinstance(fields, dict):
            raise SchemaValidationError(f"draft schema: table '{table_name}': 'fields' must be a mapping")
        columns = [_draft_column(table_name, col, fspec or {}, raw_tables) for col, fspec in fields.items()]
        table: dict[str, Any] = {"name": table_name, "columns": columns}
        if "count" in spec:
            table["target_rows"] = spec["count"]
        tables.append(table)
    out: dict[str, Any] = {"name": data.get("name") or default_name or "experiment", "tables": tables}
    for key in ("description", "dialect", "target_warehouse"):
        if key in data:
            out[key] = data[key]
    return out


def _draft_column(table: str, name: str, spec: dict[str, Any], tables: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise SchemaValidationError(f"draft schema: table '{table}', column '{name}': expected a mapping")
    kind = str(spec.get("type", "string")).lower()
    col: dict[str, Any] = {"name": name}
    generator = spec.get("generator") or spec.get("faker")
    if isinstance(generator, str):
        col["faker_rule"] = generator[len("faker.") :] if generator.startswith("faker.") else generator
    if kind == "serial":
        col.update(data_type="INT", is_unique=True, required=True, min_value=1)
    elif kind == "unique":
        col.update(data_type="VARCHAR", is_unique=True)
    elif kind == "categorical":
        col["data_type"] = "VARCHAR"
        if "values" in spec:
            col["distribution"] = {"type": "categorical", "values": spec["values"], "weights": spec.get("weights")}
    elif kind == "foreign_key":
        ref = str(spec.get("references", ""))
        ref_table, _, ref_col = ref.partition(".")
        if not ref_table or not ref_col:
            raise SchemaValidationError(
                f"draft schema: table '{table}', column '{name}', field 'references': expected 'Table.column', "
                f"got {ref!r}"
            )
        parent = (tables.get(ref_table) or {}).get("fields", {}).get(ref_col, {}) or {}
        parent_kind = str(parent.get("type", "serial")).lower()
        col["data_type"] = "INT" if parent_kind in ("serial", "integer", "int") else "VARCHAR"
        col["foreign_key"] = {"references_table": ref_table, "references_column": ref_col}
    elif kind in _DRAFT_SIMPLE_TYPES:
        col["data_type"] = _DRAFT_SIMPLE_TYPES[kind]
    else:
        col["data_type"] = spec.get("type")  # a SQL type such as DECIMAL(10,2): validated by the model
    if spec.get("primary_key"):
        col.update(is_unique=True, required=True)
    for key in ("is_unique", "required", "null_rate", "varchar_length", "min_value", "max_value", "description"):
        if key in spec:
            col[key] = spec[key]
    if "nullable" in spec:
        col["required"] = not spec["nullable"]
    if "min" in spec:
        col["min_value"] = spec["min"]
    if "max" in spec:
        col["max_value"] = spec["max"]
    if isinstance(spec.get("range"), list | tuple) and len(spec["range"]) == 2:
        lo, hi = spec["range"]
        if col.get("data_type") in ("DATE", "TIMESTAMP"):
            col.update(date_start=lo, date_end=hi)
        else:
            col.update(min_value=lo, max_value=hi)
    dist = spec.get("distribution")
    if isinstance(dist, dict):
        col["distribution"] = dist
    elif isinstance(dist, str) and not (dist.lower() == "uniform" and kind in ("datetime", "date")):
        params = {
            k: spec[k]
            for k in ("mean", "stddev", "scale", "rate", "alpha", "beta", "sigma", "lam", "a", "low", "high")
            if k in spec
        }
        col["distribution"] = {"type": str(dist).lower(), **params}
    return col
