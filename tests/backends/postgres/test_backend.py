"""The PostgreSQL/Redshift backend against a real server (no S3 endpoint: the generated folder is the stage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pg_server import throwaway_cluster

from dw_simulator.backends.postgres import RedshiftBackend
from dw_simulator.config import Settings
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator
from dw_simulator.sql.redshift import LIBRARY_VERSION, install_postgres

EXAMPLES = Path(__file__).resolve().parents[3] / "dw_simulator" / "examples"

TYPES_SCHEMA = {
    "name": "Types_Exp",
    "tables": [
        {
            "name": "AllTypes",
            "columns": [
                {"name": "Id", "data_type": "BIGINT", "required": True},
                {"name": "small", "data_type": "SMALLINT"},
                {"name": "amount", "data_type": "DECIMAL(10,2)"},
                {"name": "ratio", "data_type": "FLOAT"},
                {"name": "label", "data_type": "VARCHAR"},
                {"name": "code", "data_type": "CHAR(2)"},
                {"name": "flag", "data_type": "BOOLEAN"},
                {"name": "day", "data_type": "DATE"},
                {"name": "at", "data_type": "TIMESTAMP"},
                {"name": "at_tz", "data_type": "TIMESTAMPTZ"},
                {"name": "blob", "data_type": "BINARY"},
                {"name": "doc", "data_type": "SUPER"},
            ],
        }
    ],
}


@pytest.fixture
def backend(tmp_path: Path, pg_url: str) -> RedshiftBackend:
    b = RedshiftBackend(Settings(data_root=tmp_path), url=pg_url)
    yield b
    b.close()


def _types_file(path: Path) -> Path:
    table = pa.table(
        {
            "Id": pa.array([1, 2, 3], pa.int64()),
            "small": pa.array([1, None, -3], pa.int16()),
            "amount": pa.array([Decimal("1.50"), None, Decimal("-2.25")], pa.decimal128(10, 2)),
            "ratio": [0.5, None, 1e-3],
            "label": ["a,b", "", None],
            "code": ["US", "FR", None],
            "flag": [True, False, None],
            "day": pa.array([dt.date(2024, 2, 29), None, dt.date(1999, 12, 31)], pa.date32()),
            "at": pa.array([dt.datetime(2024, 1, 1, 12, 30, 1, 250)] * 3, pa.timestamp("us")),
            "at_tz": pa.array([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)] * 3, pa.timestamp("us", tz="UTC")),
            "blob": [b"\x00\xff", None, b""],
            "doc": ['{"k": [1, 2]}', None, '"s"'],
        }
    )
    pq.write_table(table, path)
    return path


def test_redshift_faithful_ddl_and_folded_names(backend: RedshiftBackend) -> None:
    schema = load_schema_data(TYPES_SCHEMA)
    backend.create_experiment(schema)
    assert backend.physical_name("Types_Exp", "AllTypes") == '"types_exp"."alltypes"'
    rows = backend.query(
        "Types_Exp",
        "SELECT \"column\", type FROM pg_table_def WHERE tablename = 'alltypes'",
        dialect="redshift",
        limit=None,
    ).rows
    assert dict(rows) == {
        "id": "bigint",
        "small": "smallint",
        "amount": "numeric(10,2)",
        "ratio": "double precision",
        "label": "character varying(256)",
        "code": "character(2)",
        "flag": "boolean",
        "day": "date",
        "at": "timestamp without time zone",
        "at_tz": "timestamp with time zone",
        "blob": "varbyte",
        "doc": "super",
    }
    with backend.drop_experiment("Types_Exp") as dropped:
        assert dropped == 1
    assert backend.existing_tables("Types_Exp") == []


def test_load_every_type_through_copy_and_profile(backend: RedshiftBackend, tmp_path: Path) -> None:
    schema = load_schema_data(TYPES_SCHEMA)
    backend.create_experiment(schema)
    (tmp_path / "run-000001" / "AllTypes").mkdir(parents=True)
    path = _types_file(tmp_path / "run-000001" / "AllTypes" / "part-00000.parquet")
    assert backend.load_tables(schema, {"AllTypes": [path]}) == {"AllTypes": 3}
    rows = backend.query(
        "Types_Exp",
        "SELECT id, label, blob, doc, flag, amount FROM alltypes ORDER BY id",
        dialect="redshift",
        limit=None,
    ).rows
    assert rows[0][:2] == (1, "a,b") and rows[1][1] == "" and rows[2][1] is None  # '' and NULL stay distinct
    assert bytes(rows[0][2]) == b"\x00\xff" and rows[1][2] is None
    assert rows[0][3] == '{"k": [1, 2]}' and rows[2][3] == '"s"'
    assert [r[4] for r in rows] == [True, False, None]
    assert rows[0][5] == Decimal("1.50")
    nav = backend.query("Types_Exp", "SELECT doc.k[1]::INT FROM alltypes WHERE id = 1", dialect="redshift", limit=None)
    assert nav.rows == [(2,)]
    profile = {p.column: p for p in backend.profile_table("Types_Exp", schema.tables[0])}
    assert profile["Id"].min == 1 and profile["Id"].max == 3
    assert profile["flag"].nulls == 1 and profile["flag"].distinct == 2
    assert profile["small"].nulls == 1
    # loading again replaces, inside one transaction
    assert backend.load_tables(schema, {"AllTypes": [path, path]}) == {"AllTypes": 6}
    assert backend.row_counts("Types_Exp", ["AllTypes"]) == {"AllTypes": 6}
    with backend.drop_experiment("Types_Exp"):
        pass


def test_errors_name_the_problem(backend: RedshiftBackend) -> None:
    backend.create_experiment(
        load_schema_data({"name": "err_exp", "tables": [{"name": "t", "columns": [{"name": "a", "data_type": "INT"}]}]})
    )
    with pytest.raises(QueryError, match='PostgreSQL: relation "nope" does not exist'):
        backend.query("err_exp", "SELECT * FROM nope", dialect="redshift", limit=None)
    with pytest.raises(QueryError, match="cannot parse the redshift SQL"):
        backend.query("err_exp", "SELECT FROM WHERE (", dialect="redshift", limit=None)
    with pytest.raises(QueryError, match="DATEADD: 'fortnight' is not a Redshift date part"):
        backend.query("err_exp", "SELECT DATEADD(fortnight, 1, '2020-01-01')", dialect="redshift", limit=None)
    # the failed statements rolled back: the connection still works
    assert backend.query("err_exp", "SELECT COUNT(*) FROM t", dialect="redshift", limit=None).rows == [(0,)]
    with backend.drop_experiment("err_exp"):
        pass


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    backend = RedshiftBackend(Settings(data_root=tmp_path), url="postgresql://mockuser:secret@127.0.0.1:1/dev")
    with pytest.raises(BackendUnavailableError, match=r"cannot connect to PostgreSQL at postgresql://mockuser:\*\*\*@"):
        backend.ping()


def test_library_installs_once_per_version(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        install_postgres(conn)
        assert install_postgres(conn) is False
        version = conn.execute("SELECT version FROM dwsim_redshift.library_version").fetchall()
        assert version == [(LIBRARY_VERSION,)]
        conn.execute("UPDATE dwsim_redshift.library_version SET version = version - 1")
        conn.commit()
        assert install_postgres(conn) is True


def test_simulator_end_to_end_with_the_draft_yaml(tmp_path: Path, pg_url: str) -> None:
    """Mixed-case table names from the brief's draft YAML are folded as Redshift folds them."""
    with Simulator(Settings(data_root=tmp_path / "d", redshift_url=pg_url)) as sim:
        info = sim.create_experiment_from_file(EXAMPLES / "draft_customers.yaml", name="draft_pg")
        assert info.target_warehouse == "redshift"
        run = sim.generate("draft_pg", seed=3, rows={"Customer": 50, "Order": 200})
        assert run.status == "COMPLETED", run.error_message
        result = sim.query("draft_pg", 'SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM "Order"')
        assert result.rows[0][0] == 200
        detail = sim.get_experiment("draft_pg")
        assert detail.profile["Customer"][0]["rows"] == 50
        assert sim.delete_experiment("draft_pg") == 2


def test_throwaway_cluster_starts_and_stops() -> None:
    """The fallback the conftest uses where no server runs: initdb + pg_ctl on a free port."""
    with throwaway_cluster() as url, psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
