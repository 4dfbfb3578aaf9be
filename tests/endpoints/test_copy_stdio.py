"""COPY ... FROM STDIN and TO STDOUT on both engines: psycopg's `cursor.copy()` in text and CSV (escapes, NULLs,
HEADER, quoting), psql's `\\copy` both ways, Redshift's COPY options that apply to a stream, bad data, and errors
that name the option."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from endpoint_support import PASSWORD, USER, Endpoint


def connect(endpoint: Endpoint, database: str) -> psycopg.Connection:
    return psycopg.connect(endpoint.url(database), autocommit=True)


@pytest.fixture
def table(endpoint: Endpoint, database: str):
    name = f"cp_{uuid.uuid4().hex[:8]}"
    with connect(endpoint, database) as conn:
        conn.execute(f"CREATE TABLE {name} (id integer, label varchar(30), d date, amount decimal(10,2))")
    yield name
    with connect(endpoint, database) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


ROWS = [
    (1, "tab\there", dt.date(2024, 1, 1), Decimal("1.50")),
    (2, None, None, None),
    (3, "back\\slash, and a\nnewline", dt.date(2024, 2, 29), Decimal("-3.00")),
    (4, "", dt.date(1999, 12, 31), Decimal("0.00")),
]


def test_text_round_trip(endpoint: Endpoint, database: str, table: str) -> None:
    with connect(endpoint, database) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} (id, label, d, amount) FROM STDIN") as copy:
            for row in ROWS:
                copy.write_row(row)
        assert cur.rowcount == 4
        assert conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() == ROWS
        with cur.copy(f"COPY (SELECT id, label, d FROM {table} ORDER BY id) TO STDOUT") as copy:
            copy.set_types(["int4", "text", "date"])
            assert list(copy.rows()) == [r[:3] for r in ROWS]
        assert cur.rowcount == 4


def test_csv_with_header_both_ways(endpoint: Endpoint, database: str, table: str) -> None:
    data = 'id,label,d,amount\n10,"x,y",2024-03-03,4.25\n11,,,\n12,"",2024-01-01,0\n13,"say ""hi""",,1\n'
    with connect(endpoint, database) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            copy.write(data)
        rows = conn.execute(f"SELECT id, label FROM {table} ORDER BY id").fetchall()
        assert rows == [(10, "x,y"), (11, None), (12, ""), (13, 'say "hi"')]
        out = b""
        with cur.copy(f"COPY {table} (id, label) TO STDOUT WITH CSV HEADER") as copy:
            for block in copy:
                out += bytes(block)
    assert out.decode().splitlines() == ["id,label", '10,"x,y"', "11,", '12,""', '13,"say ""hi"""']


def test_redshift_copy_options(endpoint: Endpoint, database: str, table: str) -> None:
    with connect(endpoint, database) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} (id, label) FROM STDIN DELIMITER AS '|' NULL AS 'nil' IGNOREHEADER 1") as copy:
            copy.write("id|label\n1|nil\n2|two\n")
        assert conn.execute(f"SELECT id, label FROM {table} ORDER BY id").fetchall() == [(1, None), (2, "two")]
        with cur.copy(f"COPY {table} (id, d) FROM STDIN CSV DATEFORMAT 'auto'") as copy:
            copy.write("3,2024-06-30\n")
        assert conn.execute(f"SELECT d FROM {table} WHERE id = 3").fetchone() == (dt.date(2024, 6, 30),)


def test_bad_data_loads_nothing(endpoint: Endpoint, database: str, table: str) -> None:
    with connect(endpoint, database) as conn:
        with pytest.raises(psycopg.errors.DataError), conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as cp:
            cp.write("1\tok\t2024-01-01\t1\nnot a number\tx\t\\N\t\\N\n")
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        conn.execute("SELECT 1")  # the session goes on


def test_unsupported_option_is_named(endpoint: Endpoint, database: str, table: str) -> None:
    with connect(endpoint, database) as conn, conn.cursor() as cur:
        copy_sql = f"COPY {table} FROM STDIN MAXERROR 5"
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="MAXERROR"), cur.copy(copy_sql) as copy:
            copy.write("1\tx\t\\N\t\\N\n")


def test_copy_inside_a_transaction_rolls_back(endpoint: Endpoint, database: str, table: str) -> None:
    with psycopg.connect(endpoint.url(database)) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY {table} (id) FROM STDIN") as copy:
            copy.write("1\n2\n")
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (2,)
        conn.rollback()
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def test_psql_backslash_copy(endpoint: Endpoint, database: str, table: str, tmp_path: Path) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed (scripts/setup.sh installs postgresql-client)")
    source = tmp_path / "in.csv"
    source.write_text('id,label,d,amount\n7,psql,2024-05-05,7.70\n8,"q""uote",,\n')
    target = tmp_path / "out.csv"
    env = {**os.environ, "PGPASSWORD": PASSWORD, "PGSSLMODE": "disable"}
    done = subprocess.run(
        [psql, "-h", endpoint.host, "-p", str(endpoint.port), "-U", USER, "-d", database, "-v", "ON_ERROR_STOP=1",
         "-c", f"\\copy {table} from '{source}' csv header",
         "-c", f"\\copy (select id, label, amount from {table} order by id) to '{target}' with csv"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["COPY", "2", "COPY", "2"]
    assert target.read_text().splitlines() == ["7,psql,7.70", '8,"q""uote",']
