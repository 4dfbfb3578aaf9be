from dw_simulator.backends.duckdb.backend import DuckDBBackend

__all__ = ["DuckDBBackend"]
