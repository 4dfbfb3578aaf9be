"""What users' Snowflake clients do against the embedded endpoint, with the real connector: write_pandas
(auto_create_table, overwrite, temporary tables; its generated temporary stages, INFER_SCHEMA and transforming COPY),
NULL timestamps (they reached clients as 1970-01-01), statement-level rollback inside BEGIN, stage commands (user
stage @~, table stage @%t, LIST/REMOVE with PATTERN, GET), Snowflake's error codes, and the stable default port."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import snowflake.connector
from snowflake.connector.pandas_tools import write_pandas

from dw_simulator.backends.snowflake.endpoint import STANDALONE_PORT, EmbeddedEndpoint
from dw_simulator.backends.snowflake.instance import EngineConfig
from dw_simulator.config import Settings
from dw_simulator.errors import BackendUnavailableError
from dw_simulator.sql.snowflake import SessionContext


def _frame() -> Any:
    return pd.DataFrame(
        {
            "ID": [1, 2, 3],
            "NAME": ["a", "b", None],
            "AMOUNT": [1.5, 2.25, None],
            "LOADED_AT": pd.to_datetime(["2024-01-01 00:00:00", "2024-01-02 03:04:05", None]),
        }
    )


def test_write_pandas_auto_create_append_overwrite(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    ok, chunks, rows, _ = write_pandas(fresh_db, _frame(), "LOADED", auto_create_table=True)
    assert (ok, chunks, rows) == (True, 1, 3)
    assert write_pandas(fresh_db, _frame(), "LOADED")[2] == 3
    assert cur.execute("SELECT count(*), sum(ID) FROM LOADED").fetchone() == (6, 12)
    assert write_pandas(fresh_db, _frame(), "LOADED", overwrite=True, auto_create_table=True)[2] == 3
    assert cur.execute("SELECT * FROM LOADED ORDER BY ID").fetchall() == [
        (1, "a", 1.5, dt.datetime(2024, 1, 1)),
        (2, "b", 2.25, dt.datetime(2024, 1, 2, 3, 4, 5)),
        (3, None, None, None),  # the NULL timestamp stays NULL
    ]
    types = {r[0]: r[1] for r in cur.execute("DESCRIBE TABLE LOADED").fetchall()}
    assert types["ID"].startswith("NUMBER") and types["NAME"].startswith("VARCHAR")


def test_write_pandas_into_an_existing_table(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    cur.execute("CREATE TABLE TARGET (ID INT, NAME VARCHAR, AMOUNT FLOAT, LOADED_AT TIMESTAMP_NTZ)")
    assert write_pandas(fresh_db, _frame(), "TARGET")[2] == 3
    assert cur.execute("SELECT count(*), count(LOADED_AT), max(NAME) FROM TARGET").fetchone() == (3, 2, "b")
    with pytest.raises(snowflake.connector.ProgrammingError, match="does not exist"):
        write_pandas(fresh_db, _frame(), "NO_SUCH_TABLE")


def test_infer_schema_over_a_stage(fresh_db: Any, tmp_path: Path) -> None:
    path = tmp_path / "part.parquet"
    _frame().to_parquet(path)
    cur = fresh_db.cursor()
    cur.execute("CREATE STAGE S")
    cur.execute(f"PUT file://{path} @S")
    cur.execute("CREATE FILE FORMAT PQ TYPE = PARQUET")
    rows = cur.execute(
        "SELECT COLUMN_NAME, TYPE, NULLABLE FROM TABLE(INFER_SCHEMA(LOCATION => '@S', FILE_FORMAT => 'PQ')) "
        "ORDER BY ORDER_ID"
    ).fetchall()
    assert rows == [
        ("ID", "NUMBER(38, 0)", True),
        ("NAME", "TEXT", True),
        ("AMOUNT", "REAL", True),
        ("LOADED_AT", "TIMESTAMP_NTZ", True),
    ]


def test_null_timestamps_stay_null(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    assert cur.execute(
        "SELECT NULL::TIMESTAMP_NTZ, TO_TIMESTAMP_NTZ(NULL), '2024-05-06 07:08:09'::TIMESTAMP_NTZ"
    ).fetchone() == (
        None,
        None,
        dt.datetime(2024, 5, 6, 7, 8, 9),
    )


def test_statement_level_rollback_inside_begin(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    cur.execute("CREATE TABLE TX (ID INT)")
    cur.execute("BEGIN")
    cur.execute("INSERT INTO TX VALUES (1)")
    with pytest.raises(snowflake.connector.ProgrammingError) as failed:
        cur.execute("INSERT INTO NO_SUCH_TABLE VALUES (2)")
    assert failed.value.errno == 2003
    cur.execute("INSERT INTO TX VALUES (3)")
    cur.execute("COMMIT")
    assert cur.execute("SELECT ID FROM TX ORDER BY ID").fetchall() == [(1,), (3,)]
    cur.execute("BEGIN")
    cur.execute("INSERT INTO TX VALUES (4)")
    with pytest.raises(snowflake.connector.ProgrammingError):
        cur.execute("SELECT NO_SUCH_COLUMN FROM TX")
    cur.execute("ROLLBACK")
    assert cur.execute("SELECT count(*) FROM TX").fetchone() == (2,)


def test_a_rollback_that_cannot_be_exact_is_never_silent(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    cur.execute("CREATE TABLE TV (ID INT, R FLOAT)")
    cur.execute("BEGIN")
    cur.execute("INSERT INTO TV SELECT 1, RANDOM()")  # cannot be re-run to the same value
    with pytest.raises(snowflake.connector.ProgrammingError):
        cur.execute("INSERT INTO NO_SUCH_TABLE VALUES (2)")
    with pytest.raises(snowflake.connector.ProgrammingError, match="nothing of it was committed"):
        cur.execute("COMMIT")
    assert cur.execute("SELECT count(*) FROM TV").fetchone() == (0,)
    cur.execute("INSERT INTO TV VALUES (5, 0)")  # the session goes on
    assert cur.execute("SELECT count(*) FROM TV").fetchone() == (1,)


def test_stage_commands(fresh_db: Any, tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("1,a\n2,b\n")
    cur = fresh_db.cursor()
    cur.execute("CREATE TABLE T (ID INT, V VARCHAR)")
    cur.execute(f"PUT file://{source} @~/in/")
    assert [r[0] for r in cur.execute("LIST @~").fetchall()] == ["in/rows.csv.gz"]
    cur.execute(f"PUT file://{source} @%T")
    assert [r[0] for r in cur.execute("LIST @%T").fetchall()] == ["rows.csv.gz"]
    cur.execute("CREATE STAGE S")
    cur.execute(f"PUT file://{source} @S/a/")
    cur.execute(f"PUT file://{source} @S/b/")
    assert [r[0] for r in cur.execute("LIST @S PATTERN = '.*a/.*'").fetchall()] == ["s/a/rows.csv.gz"]
    out = tmp_path / "out"
    got = cur.execute(f"GET @S/b/ file://{out}/").fetchall()
    assert [r[0] for r in got] == ["rows.csv.gz"] and (out / "rows.csv.gz").stat().st_size == got[0][1]
    assert cur.execute("REMOVE @S PATTERN = '.*a/.*'").fetchall() == [("s/a/rows.csv.gz", "removed")]
    assert [r[0] for r in cur.execute("LIST @S").fetchall()] == ["s/b/rows.csv.gz"]
    assert cur.execute("RM @~/in/").fetchall() == [("in/rows.csv.gz", "removed")]
    assert cur.execute("LIST @~").fetchall() == []
    cur.execute("COPY INTO T FROM @%T FILE_FORMAT = (TYPE = CSV)")
    assert cur.execute("SELECT count(*) FROM T").fetchone() == (2,)


@pytest.mark.parametrize(
    ("sql", "errno", "sqlstate", "text"),
    [
        ("SELECT * FROM NO_SUCH_TABLE", 2003, "42S02", "NO_SUCH_TABLE' does not exist or not authorized."),
        ("SELECT NO_SUCH_COL FROM (SELECT 1 AS A)", 904, "42000", "invalid identifier 'NO_SUCH_COL'"),
        ("SELEC 1", 1003, "42000", "syntax error line 1 at position 0 unexpected 'SELEC'."),
        ("SELECT 'abc'::INT", 100038, "22018", "Numeric value 'abc' is not recognized"),
    ],
)
def test_snowflake_error_codes(fresh_db: Any, sql: str, errno: int, sqlstate: str, text: str) -> None:
    with pytest.raises(snowflake.connector.ProgrammingError) as failed:
        fresh_db.cursor().execute(sql)
    assert (failed.value.errno, failed.value.sqlstate) == (errno, sqlstate)
    assert text in failed.value.msg


def test_default_port_is_stable_and_a_taken_one_names_the_setting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DW_SIM_SNOWFLAKE_ENDPOINT_PORT")
    assert Settings(data_root=tmp_path).snowflake_endpoint_port == STANDALONE_PORT == 8085
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        config = EngineConfig(
            db_dir=tmp_path / "db", context=SessionContext(user="U", role="R", warehouse="W", account="A")
        )
        with pytest.raises(BackendUnavailableError, match="DW_SIM_SNOWFLAKE_ENDPOINT_PORT"):
            EmbeddedEndpoint(config, port=port).start()


def test_execute_async_and_results_by_query_id(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    cur.execute_async("SELECT count(*) FROM (SELECT 1 UNION ALL SELECT 2)")
    query_id = cur.sfqid
    status = fresh_db.get_query_status(query_id)
    assert not fresh_db.is_still_running(status) and status.name == "SUCCESS"
    other = fresh_db.cursor()
    other.get_results_from_sfqid(query_id)
    assert other.fetchall() == [(2,)]
