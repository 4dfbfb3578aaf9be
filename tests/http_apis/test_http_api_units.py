"""The pure parts of the HTTP APIs: binding, statement kinds and splitting, SigV4 checking (against botocore's own
signer), jsonv2 and Data API value forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from dw_simulator.api.redshift_data import records, sigv4
from dw_simulator.api.snowflake_sql import encode
from dw_simulator.sql.binding import (
    BindingError,
    bind_named,
    bind_positional,
    count_positional,
    placeholders_named,
    snowflake_literal,
    snowflake_value,
    split_statements,
)
from dw_simulator.sql.shaped import ResultColumn, statement_kind, statement_type, transaction_verb


def test_named_parameters_skip_literals_comments_and_casts() -> None:
    sql = "SELECT :a, ':a', x::int, \"col:a\" -- :a\nFROM t WHERE b = :b /* :b */"
    assert placeholders_named(sql) == ["a", "b"]
    bound = bind_named(sql, {"a": "it's", "b": "C:\\new"})
    assert bound == "SELECT 'it''s', ':a', x::int, \"col:a\" -- :a\nFROM t WHERE b = 'C:\\\\new' /* :b */"
    with pytest.raises(BindingError, match=":b"):
        bind_named(sql, {"a": "1"})


def test_positional_bindings_and_snowflake_literals() -> None:
    assert count_positional("SELECT ?, ?, '?' FROM t WHERE a = :3") == 3
    values = [1, "o'k", None]
    assert bind_positional("SELECT ?, ?, :3, '?'", values, snowflake_literal) == "SELECT 1, 'o''k', NULL, '?'"
    with pytest.raises(BindingError, match="beyond"):
        bind_positional("SELECT :4", values, snowflake_literal)
    assert snowflake_literal(dt.date(2024, 1, 31)) == "'2024-01-31'::DATE"
    assert snowflake_literal(b"\x01\xab") == "TO_BINARY('01AB', 'HEX')"
    assert snowflake_literal("a\\b") == "'a\\\\b'"


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        ({"type": "FIXED", "value": "12"}, 12),
        ({"type": "FIXED", "value": "1.50"}, Decimal("1.50")),
        ({"type": "REAL", "value": "0.5"}, 0.5),
        ({"type": "BOOLEAN", "value": "FALSE"}, False),
        ({"type": "DATE", "value": "2024-01-31"}, dt.date(2024, 1, 31)),
        ({"type": "DATE", "value": "86400000"}, dt.date(1970, 1, 2)),
        ({"type": "TIME", "value": "13:45:00"}, dt.time(13, 45)),
        ({"type": "TIMESTAMP_NTZ", "value": "2024-01-31 13:45:00"}, dt.datetime(2024, 1, 31, 13, 45)),
        ({"type": "TIMESTAMP_NTZ", "value": "1000000000"}, dt.datetime(1970, 1, 1, 0, 0, 1)),
        (
            {"type": "TIMESTAMP_TZ", "value": "0 1500"},
            dt.datetime(1970, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        ({"type": "BINARY", "value": "01ab"}, b"\x01\xab"),
        ({"type": "TEXT", "value": None}, None),
    ],
)
def test_snowflake_binding_values(binding: dict[str, object], expected: object) -> None:
    assert snowflake_value("1", binding) == expected


def test_snowflake_binding_errors_name_the_binding() -> None:
    with pytest.raises(BindingError, match="binding 2: 'x' is not a valid FIXED"):
        snowflake_value("2", {"type": "FIXED", "value": "x"})
    with pytest.raises(BindingError, match="unsupported type 'GEOGRAPHY'"):
        snowflake_value("1", {"type": "GEOGRAPHY", "value": "POINT(1 1)"})


def test_split_statements_keeps_literals_and_scripting_blocks() -> None:
    assert split_statements("SELECT ';'; -- a;b\nSELECT 2;;") == ["SELECT ';'", "-- a;b\nSELECT 2"]
    block = "BEGIN\n  LET x := 1;\n  RETURN x;\nEND;"
    assert split_statements(block) == [block.rstrip(";")]
    assert split_statements("BEGIN; INSERT INTO t VALUES (1); COMMIT") == [
        "BEGIN",
        "INSERT INTO t VALUES (1)",
        "COMMIT",
    ]


@pytest.mark.parametrize(
    ("sql", "kind", "verb", "tx"),
    [
        ("  /* x */ (SELECT 1)", "query", "SELECT", None),
        ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", "dml", "WITH", None),
        ("create or replace temp table t as select 1", "other", "CREATE TABLE", None),
        ("BEGIN TRANSACTION;", "transaction", "BEGIN", "begin"),
        ("end", "transaction", "END", "commit"),
        ("ABORT WORK", "transaction", "ABORT", "rollback"),
        ("BEGIN\n RETURN 1;\nEND", "other", "BEGIN", None),
    ],
)
def test_statement_kinds(sql: str, kind: str, verb: str, tx: str | None) -> None:
    assert (statement_kind(sql), statement_type(sql), transaction_verb(sql)) == (kind, verb, tx)


def _signed(secret: str, body: bytes = b'{"Sql": "SELECT 1"}') -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8000/redshift-data/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "RedshiftData.ExecuteStatement"},
    )
    SigV4Auth(Credentials("AKID", secret), "redshift-data", "eu-central-1").add_auth(request)
    return request


def _check(request: AWSRequest, secret: str, body: bytes | None = None) -> str | None:
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers["host"] = "127.0.0.1:8000"
    return sigv4.check(
        method="POST",
        path="/redshift-data/",
        query="",
        headers=headers,
        body=request.body if body is None else body,
        secret=secret,
    )


def test_sigv4_accepts_botocores_signature_with_the_same_secret_only() -> None:
    request = _signed("the-token")
    assert _check(request, "the-token") is None
    assert "does not match" in str(_check(request, "another"))
    assert "does not match" in str(_check(request, "the-token", body=b'{"Sql": "DROP TABLE t"}'))
    assert "not signed" in str(sigv4.check(method="POST", path="/", query="", headers={}, body=b"", secret="x"))


def test_jsonv2_values() -> None:
    def col(type_name: str, scale: int | None = None) -> ResultColumn:
        return ResultColumn("C", type_name, 38, scale)

    assert encode.value(Decimal("1.5"), col("fixed", 2)) == "1.50"
    assert encode.value(7, col("fixed", 0)) == "7"
    assert encode.value(dt.date(1969, 12, 31), col("date")) == "-1"
    assert encode.value(dt.time(1, 0, 0, 500), col("time", 9)) == "3600.000500000"
    assert encode.value(dt.datetime(1969, 12, 31, 23, 59, 59, 500000), col("timestamp_ntz", 9)) == "-0.500000000"
    aware = dt.datetime(1970, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert encode.value(aware, col("timestamp_tz", 9)) == "0.000000000 1500"
    assert encode.value(aware, col("timestamp_ltz", 9)) == "0.000000000"
    assert encode.value(aware, col("timestamp_ntz", 9)) == "3600.000000000"  # the wall clock, no zone
    assert encode.value('{"a":1}', col("variant")) == '{\n  "a": 1\n}'
    assert encode.value(float("nan"), col("real")) == "NaN"
    assert encode.value(True, col("boolean")) == "true"
    assert encode.partitions(5, 2) == [(0, 2), (2, 4), (4, 5)] and encode.partitions(0, 2) == [(0, 0)]


def test_data_api_fields_and_text_forms() -> None:
    int4 = ResultColumn("a", "int4")
    assert records.field(None, int4) == {"isNull": True}
    assert records.field(3, int4) == {"longValue": 3}
    assert records.field(Decimal("1.50"), ResultColumn("n", "numeric", 10, 2)) == {"stringValue": "1.50"}
    assert records.field(float("inf"), ResultColumn("f", "float8")) == {"stringValue": "Infinity"}
    assert records.field(b"\x00\x01", ResultColumn("b", "varbyte")) == {"blobValue": "AAE="}
    stamp = dt.datetime(2024, 1, 31, 13, 45, 0, 120000, tzinfo=dt.UTC)
    assert records.text(stamp) == "2024-01-31 13:45:00.12+00"
    assert records.text(dt.timedelta(days=1, hours=2)) == "1 days 02:00:00"
    assert records.csv_records([(1, None, "a,b")], [int4, int4, ResultColumn("s", "varchar")]) == '1,,"a,b"\n'
    items, token = records.page(list(range(5)), "x", None, 2)
    assert items == [0, 1] and token is not None
    assert records.page(list(range(5)), "x", token, 2)[0] == [2, 3]
    with pytest.raises(records.BadToken):
        records.page(list(range(5)), "other-kind", token, 2)
