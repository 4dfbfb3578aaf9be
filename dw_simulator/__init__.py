"""dw-sim: a local simulator of Amazon Redshift and Snowflake for data engineers.

The package's layers (see docs/architecture.md): front ends (`cli`, `api`, `endpoints`) call one service layer
(`service`, `service_runs`, `results`), which calls the domains (`generator`, `ddl`, `sql`, `backends`, `staging`,
`metadata`, `observability`) over the floor every layer may import (`schema`, `config`, `boot_settings`,
`errors`, `logs`).
"""

# Kept in step with pyproject.toml's version by a test (reading the installed metadata costs ~20 ms at start-up).
__version__ = "0.1.0"

__all__ = ["__version__"]
