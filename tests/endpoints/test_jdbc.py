"""pgjdbc (Debian's libpostgresql-jdbc-java on Java 17, installed by scripts/setup.sh) against the endpoint, on both
engines, with the driver's defaults: `?` placeholders without spaces, the statement after an error (it used to be
swallowed), ROLLBACK after an error, BigDecimal/date/time/timestamp parameters, batches, the binary transfer pgjdbc
switches to after five runs of a prepared statement, a fetch size (portal suspension) and DatabaseMetaData.
One Java process per engine runs every scenario (tests/endpoints/jdbc/JdbcClient.java)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from endpoint_support import EXPERIMENTS, PASSWORD, USER, Endpoint

CLIENT = Path(__file__).with_name("jdbc") / "JdbcClient.java"
JAR = Path(os.environ.get("DW_SIM_TEST_PGJDBC", "/usr/share/java/postgresql.jar"))


def _java() -> str:
    java = shutil.which("java")
    if java is None or not JAR.exists():
        message = "Java 17 and pgjdbc are needed (scripts/setup.sh installs openjdk-17 and libpostgresql-jdbc-java)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return java


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def jdbc(request: pytest.FixtureRequest, endpoint: Endpoint) -> dict[str, str]:
    database = EXPERIMENTS[str(request.param)]
    table = f"jdbc_{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [
            _java(),
            "-cp",
            str(JAR),
            str(CLIENT),
            f"jdbc:postgresql://{endpoint.host}:{endpoint.port}/{database}",
            USER,
            PASSWORD,
            table,
            database,  # each experiment's tables live in the schema named after it
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(line.split("\t", 1) for line in done.stdout.splitlines() if "\t" in line)


def test_placeholders_without_spaces(jdbc: dict[str, str]) -> None:
    assert jdbc["placeholders"] == "1|a|5"


def test_the_statement_after_an_error_runs(jdbc: dict[str, str]) -> None:
    # the failed query's SQLSTATE, the INSERT's count, and the row it wrote
    assert jdbc["after_error"] == "42P01|1|1"


def test_rollback_after_an_error_then_commit(jdbc: dict[str, str]) -> None:
    assert jdbc["rollback_after_error"] == "42P01|1,3"


def test_bigdecimal_and_date_time_parameters(jdbc: dict[str, str]) -> None:
    assert jdbc["typed_parameters"] == "1234.56|2024-02-29|2024-03-01 12:34:56.789|2.5|true|9007199254740993"


def test_batch_insert(jdbc: dict[str, str]) -> None:
    assert jdbc["batch"] == "50|50|1225"


def test_binary_transfer_reads_what_text_reads(jdbc: dict[str, str]) -> None:
    # one distinct answer over 8 runs: the text reads (runs 1-4) and the binary ones (5-8) agree
    assert jdbc["binary_transfer"] == "42,-5,-12.345,1999-12-31,2024-01-02 03:04:05.5,0.25,false,x"


def test_fetch_size_reads_every_row(jdbc: dict[str, str], endpoint: Endpoint) -> None:
    assert jdbc["fetch_size"] == "500|125250"  # 500 generated orders, ids 1..500


def test_database_metadata(jdbc: dict[str, str]) -> None:
    tables, columns, has_schemas, product = jdbc["metadata"].split("|")
    assert tables.split(",") == ["orders"]
    assert {"order_id", "customer_id", "order_total"} <= set(columns.split(","))
    assert has_schemas == "true" and product == "PostgreSQL"
