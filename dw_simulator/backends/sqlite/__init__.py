from dw_simulator.backends.sqlite.backend import SQLiteBackend

__all__ = ["SQLiteBackend"]
