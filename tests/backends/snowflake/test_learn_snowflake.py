"""`experiment learn --from snowflake://...`: a sample read through the real connector from the Snowflake endpoint."""

from __future__ import annotations

from typing import Any

from dw_simulator.backends.snowflake.endpoint import EndpointAddress
from dw_simulator.learn import learn_schema, read_samples
from dw_simulator.schema import ExperimentSchema


def test_learn_from_snowflake(fresh_db: Any, address: EndpointAddress) -> None:
    cursor = fresh_db.cursor()
    cursor.execute("CREATE TABLE ORDERS (ORDER_ID INT, STATUS VARCHAR(12), TOTAL NUMBER(10,2))")
    rows = ", ".join(f"({i}, '{['shipped', 'pending', 'returned'][i % 3]}', {i % 50}.25)" for i in range(1, 301))
    cursor.execute(f"INSERT INTO ORDERS VALUES {rows}")
    database = fresh_db.database
    url = (f"snowflake://tester:any@dwsim/{database}/PUBLIC?host={address.host}&port={address.port}"
           f"&protocol={address.protocol}")  # fmt: skip
    samples = read_samples(url, sample_rows=100)
    assert [s.table.upper() for s in samples] == ["ORDERS"]
    assert samples[0].total_rows == 300 and 0 < samples[0].data.num_rows <= 100
    assert ":***@" in samples[0].source
    schema = ExperimentSchema.model_validate(learn_schema(samples, name="learned_sf").schema)
    table = schema.tables[0]
    status = next(c for c in table.columns if c.name.lower() == "status")
    assert status.distribution is not None
    assert sorted(status.distribution.values) == ["pending", "returned", "shipped"]  # type: ignore[union-attr]
