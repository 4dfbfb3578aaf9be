"""Translating SQL loads sqlglot and nothing heavy: duckdb, pyarrow and boto3 wait until COPY/UNLOAD or a query runs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("duckdb", "pyarrow", "boto3", "botocore", "psycopg", "fakesnow", "sqlalchemy")
TRANSLATION_PATH = (
    "dw_simulator.sql.translate",
    "dw_simulator.sql.redshift",
    "dw_simulator.sql.redshift.copy_unload",
    "dw_simulator.sql.snowflake",
    "dw_simulator.sql.engine_errors",
)


def test_translation_path_imports_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        + "".join(f"import {module}\n" for module in TRANSLATION_PATH)
        + "from dw_simulator.sql.translate import translate\n"
        + "translate(\"SELECT DATEADD(day, 1, GETDATE()); COPY t FROM 's3://b/p' IAM_ROLE 'r' CSV\", "
        + "read='redshift', write='duckdb')\n"
        + "translate('SELECT 1', read='snowflake', write='duckdb')\n"
        + f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == []
