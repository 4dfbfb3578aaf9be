"""`experiment learn --from redshift://...`: a sample read from a Redshift endpoint through redshift_connector."""

from __future__ import annotations

import pytest
from endpoint_support import PASSWORD, USER, Endpoint, require

from dw_simulator.learn import SourceError, learn_schema, read_samples
from dw_simulator.schema import ExperimentSchema

require("redshift_connector")


def test_learn_from_redshift(endpoint: Endpoint, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(endpoint.bundle))
    url = f"redshift://{USER}:{PASSWORD}@{endpoint.host}:{endpoint.port}/{database}"
    samples = read_samples(url, schema=database.lower(), sample_rows=200)
    by_name = {s.table: s for s in samples}
    assert {"customers", "orders"} <= set(by_name)
    assert by_name["orders"].total_rows == 500 and 0 < by_name["orders"].data.num_rows <= 200
    assert by_name["customers"].source.startswith(f"redshift://{USER}:***@")
    schema = ExperimentSchema.model_validate(learn_schema(samples, name="learned_rs").schema)
    orders = schema.table("orders")
    assert orders is not None and orders.column("order_id").is_unique  # type: ignore[union-attr]


def test_wrong_password_is_a_clear_error(endpoint: Endpoint, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(endpoint.bundle))
    url = f"redshift://{USER}:not-it@{endpoint.host}:{endpoint.port}/{database}"
    with pytest.raises(SourceError, match=r"cannot read source 'redshift://.*:\*\*\*@.*': cannot connect") as caught:
        read_samples(url, schema=database.lower())
    assert "not-it" not in caught.value.message
