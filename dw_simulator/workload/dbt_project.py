"""A dbt project read as a workload: its sources (tables and columns), its models' SQL, and its tests.

* `dbt_project.yml` gives the project name and model paths; every `*.yml` under them gives `sources:` (tables,
  columns, `data_type`) and `models:` (columns and their tests: `tests:` or `data_tests:`, arguments inline or
  under `arguments:`).
* A model's SQL is its compiled file under `target/compiled/<project>/` when there is one, else the model file
  rendered here with Jinja, `ref()`/`source()`/`config()`/`var()`/`is_incremental()` stubbed (a model using
  other macros is reported and skipped). `ref('m')` is then replaced by the model's own SQL as a derived table,
  so each model becomes one self-contained query over the source tables: it feeds `fit_workload` and the
  after-run check like any query.
* Source tables are named by their table name (the schema is the experiment's). Seeds count as sources: their
  CSV header gives the columns (their rows are never read), so a project that refs its seeds can run on generated
  tables instead (`dbt build --exclude resource_type:seed`, with the profile's schema the experiment's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlglot import exp

from dw_simulator.workload.sources import ParseProblem, QueryText, parse

REF_RE = re.compile(r"""^\s*(?:ref|source)\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?\s*\)\s*$""")


@dataclass
class DbtTest:
    kind: str  # unique, not_null, accepted_values, relationships, accepted_range, expression_is_true
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class DbtColumn:
    name: str
    data_type: str | None = None
    tests: list[DbtTest] = field(default_factory=list)


@dataclass
class DbtTable:
    name: str
    kind: str  # source | model
    columns: list[DbtColumn] = field(default_factory=list)
    source: str | None = None


@dataclass
class DbtProject:
    name: str
    root: Path
    sources: list[DbtTable] = field(default_factory=list)
    models: dict[str, DbtTable] = field(default_factory=dict)
    sql: dict[str, str] = field(default_factory=dict)  # model -> SQL with ref()/source() as bare names
    paths: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _tests(items: Any) -> list[DbtTest]:
    out: list[DbtTest] = []
    for item in items or []:
        if isinstance(item, str):
            out.append(DbtTest(item.split(".")[-1]))
        elif isinstance(item, dict) and len(item) == 1:
            name, args = next(iter(item.items()))
            args = dict(args or {})
            args.update(args.pop("arguments", None) or {})
            out.append(DbtTest(str(name).split(".")[-1], args))
    return out


def _columns(items: Any) -> list[DbtColumn]:
    return [DbtColumn(str(c["name"]), c.get("data_type"), _tests(c.get("data_tests") or c.get("tests")))
            for c in items or [] if isinstance(c, dict) and c.get("name")]  # fmt: skip


def read_project(root: Path) -> DbtProject:
    project_file = root / "dbt_project.yml"
    if not project_file.is_file():
        raise ParseProblem(str(root), "no dbt_project.yml here (give the dbt project's folder)")
    try:
        config = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParseProblem(str(project_file), f"cannot be read as YAML ({exc})") from None
    project = DbtProject(str(config.get("name") or root.name), root)
    model_dirs = [root / p for p in config.get("model-paths") or config.get("source-paths") or ["models"]]
    for folder in model_dirs:
        for path in sorted(folder.rglob("*.yml")) + sorted(folder.rglob("*.yaml")):
            _read_yaml(path, project)
        for path in sorted(folder.rglob("*.sql")):
            project.paths[path.stem] = str(path)
    for folder in [root / p for p in config.get("seed-paths") or config.get("data-paths") or ["seeds"]]:
        for path in sorted(folder.rglob("*.csv")):  # only the header: a seed's columns, never its rows
            with path.open(encoding="utf-8") as handle:
                header = handle.readline().strip()
            names = [h.strip().strip('"') for h in header.split(",") if h.strip()]
            if names:
                project.sources.append(DbtTable(path.stem, "seed", [DbtColumn(n) for n in names], "seed"))
    compiled = root / str(config.get("target-path") or "target") / "compiled" / project.name
    for model, path in project.paths.items():
        done = next(iter(compiled.rglob(f"{model}.sql")), None) if compiled.is_dir() else None
        text = done.read_text(encoding="utf-8") if done is not None else Path(path).read_text(encoding="utf-8")
        try:
            project.sql[model] = render(text)
        except Exception as exc:  # a macro we do not evaluate: the model is left out, and said so
            project.notes.append(f"model {model}: cannot render its Jinja here ({exc}); left out")
    return project


def _read_yaml(path: Path, project: DbtProject) -> None:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParseProblem(str(path), f"cannot be read as YAML ({exc})") from None
    if not isinstance(doc, dict):
        return
    for source in doc.get("sources") or []:
        for table in source.get("tables") or []:
            project.sources.append(DbtTable(str(table.get("identifier") or table["name"]), "source",
                                            _columns(table.get("columns")), str(source.get("name"))))  # fmt: skip
    for model in doc.get("models") or []:
        if isinstance(model, dict) and model.get("name"):
            project.models[str(model["name"])] = DbtTable(str(model["name"]), "model", _columns(model.get("columns")))


class _Target:
    database = schema = name = "dwsim"
    type = "redshift"


def render(text: str) -> str:
    """The model's SQL with `ref('m')` -> m and `source('s', 't')` -> t, configs and tests' Jinja evaluated."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)

    def ref(*names: str, **_kw: Any) -> str:
        return names[-1]

    def source(_source: str, table: str) -> str:
        return table

    def var(_name: str, default: Any = None) -> Any:
        return default

    context = {"ref": ref, "source": source, "config": lambda *a, **k: "", "var": var, "target": _Target(),
               "is_incremental": lambda: False, "env_var": lambda n, d="": d, "this": "this"}  # fmt: skip
    return env.from_string(text).render(**context)


def inline(project: DbtProject, dialect: str) -> dict[str, exp.Query]:
    """Each model as one query over the source tables: references to other models become derived tables."""
    parsed: dict[str, exp.Query] = {}
    for model, sql in project.sql.items():
        try:
            statement = parse(QueryText(model, sql, project.paths.get(model, model), 1), dialect)
        except ParseProblem as exc:
            project.notes.append(f"model {model}: {exc.reason}; left out")
            continue
        if statement is not None:
            parsed[model] = statement.tree
    done: dict[str, exp.Query] = {}

    def expand(model: str, depth: int) -> exp.Query | None:
        if model in done:
            return done[model]
        if depth > 30 or model not in parsed:
            return None
        tree = parsed[model].copy()
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}  # a CTE may share a model's name
        for table in list(tree.find_all(exp.Table)):
            name = table.name
            if name in parsed and name != model and name.lower() not in ctes and not table.db:
                inner = expand(name, depth + 1)
                if inner is None:
                    continue
                alias = table.alias or name
                table.replace(exp.Subquery(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier(alias))))
        done[model] = tree
        return tree

    for model in parsed:
        expand(model, 0)
    return done


def model_queries(project: DbtProject, dialect: str) -> tuple[list[QueryText], dict[str, exp.Query]]:
    trees = inline(project, dialect)
    queries = [QueryText(model, tree.sql(dialect=dialect), project.paths.get(model, model), 1)
               for model, tree in trees.items()]  # fmt: skip
    return queries, trees
