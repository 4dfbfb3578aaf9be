"""The Snowflake warehouse: an embedded Snowflake-protocol endpoint (fakesnow on DuckDB), LocalStack Snowflake or
a real account, always through the real snowflake-connector-python."""

from dw_simulator.backends.snowflake.backend import SnowflakeBackend

__all__ = ["SnowflakeBackend"]
