"""SQLAlchemy with sqlalchemy-redshift through the endpoint: connect, query and reflect a table, on both engines,
with the psycopg2 and the redshift_connector drivers."""

from __future__ import annotations

import inspect
import types

import pytest
from endpoint_support import PASSWORD, USER, Endpoint, require

require("sqlalchemy_redshift")
import sqlalchemy as sa  # noqa: E402
import sqlalchemy_redshift.dialect as redshift_dialect  # noqa: E402


@pytest.fixture(autouse=True)
def sqlalchemy_21_compat(monkeypatch: pytest.MonkeyPatch) -> None:
    """sqlalchemy-redshift 1.0.0 calls PGDialect._reflect_type with SQLAlchemy 2.0's arguments; SQLAlchemy 2.1
    takes a named-type loader instead (an incompatibility between those two packages, not the endpoint's)."""
    from sqlalchemy.dialects.postgresql import base

    if "named_type_loader" not in inspect.signature(base.PGDialect._reflect_type).parameters:
        return

    def reflect_type(self, format_type, domains, enums=None, type_description="", collation=None, **kw):
        loader = types.SimpleNamespace(enums={}, domains={})
        return base.PGDialect._reflect_type(
            self, format_type, loader, type_description=type_description, collation=collation
        )

    monkeypatch.setattr(redshift_dialect.RedshiftDialectMixin, "_reflect_type", reflect_type, raising=False)


@pytest.mark.parametrize("driver", ["psycopg2", "redshift_connector"])
def test_reflect_a_table(endpoint: Endpoint, database: str, driver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    require(driver)
    base = f"redshift+{driver}://{USER}:{PASSWORD}@{endpoint.host}:{endpoint.port}/{database}"
    if driver == "psycopg2":
        url = f"{base}?sslrootcert={endpoint.cert}"  # verify-full against the local certificate
    else:
        monkeypatch.setenv("SSL_CERT_FILE", str(endpoint.bundle))
        url = base
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar() == 100
            inspector = sa.inspect(conn)
            schema = database.lower()
            assert schema in inspector.get_schema_names()
            assert {"customers", "orders"} <= set(inspector.get_table_names(schema=schema))
            orders = sa.Table("orders", sa.MetaData(), autoload_with=conn, schema=schema)
            assert list(orders.c.keys()) == ["order_id", "customer_id", "order_total"]
            assert isinstance(orders.c.order_id.type, sa.Integer)
            assert isinstance(orders.c.order_total.type, sa.Float)
            total = conn.execute(sa.select(sa.func.count()).select_from(orders).where(orders.c.order_id <= 10))
            assert total.scalar() == 10
    finally:
        engine.dispose()
