"""Property test: whatever text it is given, the importer returns a schema or raises SchemaValidationError.

Inputs are random token soups, random text, and mutations (cuts, duplications, insertions) of the real fixtures, in
each dialect. Examples are bounded and derandomised so the test is quick and repeatable; run with
`--hypothesis-seed=random` and a higher FUZZ_EXAMPLES to search further.
"""

from __future__ import annotations

import os

from ddl_support import FIXTURES, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dw_simulator.ddl import ImportResult, export_ddl, import_sql
from dw_simulator.errors import SchemaValidationError

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SOURCES = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*/*.sql")) if p.parent.name != "errors"]
SOURCES = [s for s in SOURCES if len(s) < 4000]
TOKENS = [
    "CREATE", "TABLE", "OR", "REPLACE", "TEMP", "TRANSIENT", "EXTERNAL", "IF", "NOT", "EXISTS", "ALTER", "ADD",
    "CONSTRAINT", "PRIMARY", "KEY", "UNIQUE", "FOREIGN", "REFERENCES", "CHECK", "BETWEEN", "AND", "IN", "OR", "NULL",
    "DEFAULT", "IDENTITY", "AUTOINCREMENT", "START", "INCREMENT", "GENERATED", "BY", "AS", "ALWAYS", "ENCODE", "zstd",
    "DISTKEY", "SORTKEY", "DISTSTYLE", "ALL", "EVEN", "AUTO", "COMPOUND", "INTERLEAVED", "BACKUP", "NO", "CLUSTER",
    "COMMENT", "COLLATE", "LIKE", "CLONE", "COPY", "GRANTS", "WITH", "TAG", "MASKING", "POLICY", "ON", "COLUMN", "IS",
    "INT", "INTEGER", "BIGINT", "SMALLINT", "NUMBER", "DECIMAL", "VARCHAR", "CHAR", "TEXT", "STRING", "BOOLEAN",
    "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "TIMETZ", "SUPER", "VARIANT", "OBJECT", "ARRAY", "GEOMETRY", "MAX",
    "DOUBLE", "PRECISION", "WITHOUT", "ZONE", "VARBYTE", "BINARY", "t", "u", "a", "b", "id", "email", "price",
    "created_at", '"Quoted Name"', '"x"', "db.s.t", "(", ")", "(", ")", ",", ",", ";", ".", "=", "<", ">=", "-", "::",
    "'text'", "'2024-01-01'", "''", "0", "1", "10", "38", "2", "-5", "1.5", "$$", "$$ body $$", "--c\n", "/*c*/",
    "[", "]", "nextval", "NOORDER", "ENFORCED", "RELY",
]  # fmt: skip


@st.composite
def mutated_fixture(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 40)))
        action = draw(st.sampled_from(["cut", "dup", "insert", "swap", "truncate"]))
        if action == "cut":
            text = text[:i] + text[j:]
        elif action == "dup":
            text = text[:j] + text[i:j] + text[j:]
        elif action == "insert":
            text = text[:i] + " " + draw(st.sampled_from(TOKENS)) + " " + text[i:]
        elif action == "swap":
            text = text[:i] + draw(st.sampled_from(["(", ")", "'", '"', ",", ";", "/*", "$$", "-"])) + text[i + 1 :]
        else:
            text = text[:i]
    return text


token_soup = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40).map(" ".join)
create_soup = st.lists(st.sampled_from(TOKENS), max_size=25).map(lambda ts: "CREATE TABLE t (a INT, " + " ".join(ts))
any_input = st.one_of(mutated_fixture(), token_soup, create_soup, st.text(max_size=200))


@FUZZ
@given(sql=any_input, dialect=st.sampled_from(["redshift", "snowflake", "postgres"]))
def test_importer_returns_a_schema_or_a_clean_error(sql: str, dialect: str) -> None:
    try:
        result = import_sql(sql, dialect, name="fuzz", today=TODAY)
    except SchemaValidationError as exc:
        assert exc.message.startswith(("SQL import failed", "unknown SQL dialect", "--rows", "the SQL file"))
        assert exc.details or "dialect" in exc.message
        for detail in exc.details:
            assert isinstance(detail.get("message"), str)
            if "line" in detail:
                assert detail["line"] >= 1 and detail["col"] >= 1
        return
    assert isinstance(result, ImportResult)
    assert result.schema.tables
    # whatever imports also exports, and the export imports again
    for target in ("redshift", "snowflake", "postgres", "duckdb"):
        text = export_ddl(result.schema, target)
        if target != "duckdb":
            import_sql(text, target, name="fuzz", today=TODAY)
