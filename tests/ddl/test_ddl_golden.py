"""Golden tests in sqlglot's style: each fixtures/<dialect>/<construct>.sql imports to the JSON beside it.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/ddl/test_ddl_golden.py`, then review the
diff of the .json files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ddl_support import FIXTURES, golden_paths, import_fixture, result_json

from dw_simulator.ddl import import_sql
from dw_simulator.schema import ExperimentSchema

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("path", golden_paths(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(path: Path) -> None:
    actual = result_json(import_fixture(path))
    expected_path = path.with_suffix(".json")
    if UPDATE:
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not expected_path.exists():
        pytest.fail(f"{expected_path.name} is missing: run with UPDATE_GOLDEN=1 and review it")
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_dialect_has_fixtures_for_the_main_constructs() -> None:
    for dialect in ("redshift", "snowflake"):
        names = {p.stem for p in (FIXTURES / dialect).glob("*.sql")}
        assert {
            "composite_key",
            "create_variants",
            "types",
            "constraints",
            "foreign_keys",
            "alter_table",
            "checks",
            "statements",
        } <= names, dialect


def test_the_briefs_composite_key_example_imports_with_its_key_and_no_surrogate() -> None:
    """Section 5 of the brief, as issue 13 has it: same table, columns and composite key (amount keeps DECIMAL(10,2));
    the tuples are made distinct by the generator, so no `_row_id` column is added and no warning is needed."""
    examples = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples"
    result = import_sql((examples / "sales.sql").read_text(), "redshift", name="sales_experiment")
    expected = ExperimentSchema.model_validate(json.loads((examples / "sales_experiment.json").read_text()))
    imported, brief = result.schema.tables[0], expected.tables[0]
    assert [(c.name, c.data_type, c.required) for c in imported.columns] == [
        (c.name, c.data_type, c.required) for c in brief.columns if c.name != "_row_id"
    ]
    assert imported.composite_keys == brief.composite_keys == [["region_id", "store_id"]]
    assert imported.warnings == [] and result.warnings == []
    assert result.schema.name == "sales_experiment"
    assert imported.target_rows == 1000
    assert result.schema.dialect == "redshift"
