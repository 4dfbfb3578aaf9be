from dw_simulator.backends.postgres.backend import PostgresBackend, RedshiftBackend

__all__ = ["PostgresBackend", "RedshiftBackend"]
