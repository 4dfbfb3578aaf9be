"""Transactions on the endpoint's DuckDB connection, as a Snowflake session sees them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor


@contextmanager
def duck_transaction(cursor: SessionCursor) -> Iterator[None]:
    """Run the block in a transaction, unless the session has one open (then it is the session's to end).

    In a session without autocommit, DML opens a transaction that lasts until COMMIT, as on Snowflake.
    """
    conn = cursor._conn
    con = cursor._duck_conn
    if conn.in_transaction:
        yield
        return
    con.begin()
    if not conn._autocommit:
        conn._in_transaction = True
        yield
        return
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise
