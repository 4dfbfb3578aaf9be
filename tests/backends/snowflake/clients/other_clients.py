"""Run by tests/backends/snowflake/test_other_clients.py in .venv-snowflake (snowflake-sqlalchemy needs SQLAlchemy
below 2.1, Snowpark installs a namespace hook the main venv must not have). Each scenario prints one JSON line
{"name": ..., "value": ...} or {"name": ..., "error": ...}; the test asserts them."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd


def sqlalchemy_url(info: dict[str, Any]) -> Any:
    import sqlalchemy as sa
    from snowflake.connector.pandas_tools import pd_writer

    # the URL and connect_args exactly as dw-sim prints them
    engine = sa.create_engine(info["sqlalchemy"], connect_args=info["sqlalchemy_connect_args"])
    with engine.connect() as conn:
        database = conn.execute(sa.text("SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")).fetchone()
    frame = pd.DataFrame({"id": [1, 2, 3], "label": ["x", "y", None]})
    frame.to_sql("pd_writer_t", engine, index=False, method=pd_writer, if_exists="replace")
    back = pd.read_sql('SELECT * FROM pd_writer_t ORDER BY "id"', engine)  # unquoted: SQLAlchemy created it unquoted
    inspector = sa.inspect(engine)
    return {
        "database": list(database),
        "rows": back.to_dict("list"),
        "tables": sorted(t.lower() for t in inspector.get_table_names()),
        "columns": [c["name"] for c in inspector.get_columns("pd_writer_t")],
    }


def snowpark(info: dict[str, Any]) -> Any:
    from snowflake.snowpark import Session

    session = Session.builder.configs(info["snowflake_connector"]).create()
    try:
        one = session.sql("SELECT 1 AS A, 'x' AS B").collect()
        frame = pd.DataFrame({"ID": [1, 2, 3], "NAME": ["a", "b", "c"]})
        written = session.write_pandas(frame, "SNOWPARK_T", auto_create_table=True, overwrite=True)
        counted = session.table("SNOWPARK_T").count()
        filtered = session.table("SNOWPARK_T").filter("ID > 1").select("NAME").sort("NAME").collect()
        return {
            "one": [list(r) for r in one],
            "written": written.count(),
            "count": counted,
            "names": [r[0] for r in filtered],
        }
    finally:
        session.close()


SCENARIOS: dict[str, Callable[[dict[str, Any]], Any]] = {"sqlalchemy": sqlalchemy_url, "snowpark": snowpark}

if __name__ == "__main__":
    settings = json.loads(sys.argv[1])
    for name, run in SCENARIOS.items():
        try:
            print(json.dumps({"name": name, "value": run(settings)}, default=str), flush=True)
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()[-2000:]
            print(json.dumps({"name": name, "error": detail}), flush=True)
