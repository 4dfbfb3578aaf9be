"""Endpoint selection from settings (no network) and the pure parts of the Snowflake SQL layer."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from dw_simulator.backends.snowflake.connection import LOCALSTACK_HOST, endpoint_kind, resolve_endpoint
from dw_simulator.config import Settings
from dw_simulator.errors import BackendUnavailableError
from dw_simulator.sql.snowflake import UnsupportedUdf, parse_udf
from dw_simulator.sql.snowflake.rewrites import select_item_texts, snowflake_column_name


def test_localstack_profile(tmp_path: Path) -> None:
    endpoint = resolve_endpoint(Settings(data_root=tmp_path, snowflake_url="localstack"))
    kwargs = endpoint.connect_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["protocol"]) == (LOCALSTACK_HOST, 4566, "https")
    assert (kwargs["user"], kwargs["password"], kwargs["account"]) == ("test", "test", "test")
    assert not endpoint.transactional_ddl and endpoint.local


def test_url_of_a_running_endpoint(tmp_path: Path) -> None:
    endpoint = resolve_endpoint(Settings(data_root=tmp_path, snowflake_url="http://127.0.0.1:8085"))
    assert endpoint.kind == "url"
    assert (endpoint.connect_kwargs["host"], endpoint.connect_kwargs["port"]) == ("127.0.0.1", 8085)
    assert endpoint.connect_kwargs["network_timeout"] == 5


def test_real_account_needs_credentials(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="DW_SIM_SNOWFLAKE_PASSWORD"):
        resolve_endpoint(Settings(data_root=tmp_path, snowflake_url="account", snowflake_account="xy12345"))
    endpoint = resolve_endpoint(
        Settings(data_root=tmp_path, snowflake_url="account", snowflake_account="xy12345", snowflake_password="pw")
    )
    assert endpoint.connect_kwargs["account"] == "xy12345" and endpoint.connect_kwargs["password"] == "pw"
    assert "host" not in endpoint.connect_kwargs and not endpoint.local


def test_key_pair_authentication(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "key.p8"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    settings = Settings(
        data_root=tmp_path,
        snowflake_url="https://xy12345.snowflakecomputing.com",
        snowflake_private_key_path=pem,
        snowflake_private_key_passphrase="secret",
    )
    endpoint = resolve_endpoint(settings)
    assert endpoint.connect_kwargs["account"] == "xy12345"
    loaded = serialization.load_der_private_key(endpoint.connect_kwargs["private_key"], password=None)
    assert loaded.private_numbers() == key.private_numbers()  # type: ignore[union-attr]
    wrong = settings.model_copy(update={"snowflake_private_key_passphrase": None})
    with pytest.raises(BackendUnavailableError, match="private key"):
        resolve_endpoint(wrong)


def test_unknown_url_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="snowflake_url 'ftp://x'"):
        endpoint_kind(Settings(data_root=tmp_path, snowflake_url="ftp://x"))


@pytest.mark.parametrize(
    ("sql", "texts"),
    [
        (
            "select count(*), v:customer.id::string AS c, f(a, (b)) from t",
            ["count(*)", "v:customer.id::string AS c", "f(a, (b))"],
        ),
        ("SELECT DISTINCT 1+1", ["1+1"]),
        ("with x as (select 1 as a) select a, 'z' from x", ["a", "'z'"]),
    ],
)
def test_select_item_texts(sql: str, texts: list[str]) -> None:
    assert select_item_texts(sql) == texts


def test_column_name_without_source_text() -> None:
    expression = sqlglot.parse_one("SELECT v:customer.id FROM t", read="snowflake").expressions[0]
    assert snowflake_column_name(expression) == "V:CUSTOMER.ID"


def test_udf_definitions() -> None:
    definition = parse_udf(
        sqlglot.parse_one("CREATE OR REPLACE FUNCTION s.f(x NUMBER) RETURNS NUMBER AS 'x + 1'", read="snowflake")
    )
    assert definition is not None
    assert (definition.schema, definition.name, definition.body, definition.replace) == ("S", "F", "x + 1", True)
    assert [p.name for p in definition.params] == ["X"]
    assert parse_udf(sqlglot.parse_one("SELECT 1", read="snowflake")) is None
    with pytest.raises(UnsupportedUdf, match="LANGUAGE PYTHON"):
        parse_udf(
            sqlglot.parse_one(
                "CREATE FUNCTION p(x INT) RETURNS INT LANGUAGE PYTHON RUNTIME_VERSION = '3.11' HANDLER = 'h' "
                "AS 'def h(x): return x'",
                read="snowflake",
            )
        )
