"""Session commands drivers and pools send, on both engines: PREPARE/EXECUTE/DEALLOCATE [ALL] (psycopg 3 sends
DEALLOCATE ALL on its own), DISCARD ALL, server-side cursors (SQL DECLARE/FETCH/MOVE/CLOSE and psycopg's named
cursors, which also Describe the cursor's portal), a suspended portal interleaved with other statements, and
SET/SHOW/RESET of common settings."""

from __future__ import annotations

import psycopg
import pytest
from endpoint_support import Endpoint


def connect(endpoint: Endpoint, database: str, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(endpoint.url(database), autocommit=True, **kwargs)  # type: ignore[arg-type]


def test_prepare_execute_deallocate(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        conn.execute("PREPARE by_id (int) AS SELECT count(*) FROM orders WHERE customer_id = $1", prepare=False)
        direct = conn.execute("SELECT count(*) FROM orders WHERE customer_id = 3").fetchone()
        cur = conn.execute("EXECUTE by_id (3)", prepare=False)
        assert cur.fetchone() == direct and cur.statusmessage == "SELECT 1"
        assert conn.execute("DEALLOCATE by_id", prepare=False).statusmessage == "DEALLOCATE"
        with pytest.raises(psycopg.errors.InvalidSqlStatementName):
            conn.execute("EXECUTE by_id (3)", prepare=False)
        conn.execute("PREPARE p2 AS SELECT 1", prepare=False)
        assert conn.execute("DEALLOCATE PREPARE ALL", prepare=False).statusmessage == "DEALLOCATE ALL"
        assert conn.execute("DEALLOCATE ALL", prepare=False).statusmessage == "DEALLOCATE ALL"


def test_psycopg_prepares_and_deallocates_on_its_own(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database, prepare_threshold=1) as conn:
        conn.prepared_max = 3  # psycopg sends DEALLOCATE ALL when it has to forget statements
        for i in range(12):
            assert conn.execute(f"SELECT %s::int + {i}", [i]).fetchone() == (2 * i,)
            assert conn.execute(f"SELECT %s::int + {i}", [i]).fetchone() == (2 * i,)
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)


def test_discard_all(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        conn.execute("SET query_group TO 'etl'", prepare=False)
        conn.execute("PREPARE p AS SELECT 1", prepare=False)
        assert conn.execute("DISCARD ALL", prepare=False).statusmessage == "DISCARD ALL"
        assert conn.execute("SHOW query_group", prepare=False).fetchone() == ("default",)
        with pytest.raises(psycopg.errors.InvalidSqlStatementName):
            conn.execute("EXECUTE p", prepare=False)
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)  # the experiment's tables
    with psycopg.connect(endpoint.url(database)) as conn:
        conn.execute("SELECT 1")
        with pytest.raises(psycopg.errors.ActiveSqlTransaction):
            conn.execute("DISCARD ALL", prepare=False)


def test_sql_cursor(endpoint: Endpoint, database: str) -> None:
    with psycopg.connect(endpoint.url(database)) as conn:
        conn.execute("DECLARE c1 CURSOR FOR SELECT order_id FROM orders ORDER BY order_id", prepare=False)
        cur = conn.execute("FETCH 3 FROM c1", prepare=False)
        assert cur.fetchall() == [(1,), (2,), (3,)] and cur.statusmessage == "FETCH 3"
        assert conn.execute("FETCH NEXT FROM c1", prepare=False).fetchall() == [(4,)]
        assert conn.execute("MOVE FORWARD 10 IN c1", prepare=False).statusmessage == "MOVE 10"
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)  # interleaved
        assert conn.execute("FETCH FORWARD 2 c1", prepare=False).fetchall() == [(15,), (16,)]
        cur = conn.execute("FETCH ALL FROM c1", prepare=False)
        assert len(cur.fetchall()) == 500 - 16 and cur.statusmessage == "FETCH 484"
        assert conn.execute("FETCH NEXT FROM c1", prepare=False).fetchall() == []
        assert conn.execute("CLOSE c1", prepare=False).statusmessage == "CLOSE CURSOR"
        with pytest.raises(psycopg.errors.InvalidCursorName):
            conn.execute("FETCH NEXT FROM c1", prepare=False)
        conn.rollback()
        conn.execute("DECLARE c2 CURSOR FOR SELECT 1", prepare=False)
        conn.commit()
        with pytest.raises(psycopg.errors.InvalidCursorName):  # the transaction's end closed it
            conn.execute("FETCH NEXT FROM c2", prepare=False)


def test_psycopg_server_side_cursor(endpoint: Endpoint, database: str) -> None:
    with psycopg.connect(endpoint.url(database)) as conn:
        total, count = 0, 0
        with conn.cursor(name="orders_cursor") as cur:
            cur.itersize = 64
            cur.execute("SELECT order_id, order_total FROM orders WHERE order_id > %s ORDER BY order_id", [100])
            assert [d.name for d in cur.description] == ["order_id", "order_total"]
            for order_id, _ in cur:
                total += order_id
                count += 1
                if count == 70:  # another statement while the cursor is open
                    assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)
        assert (count, total) == (400, sum(range(101, 501)))


def test_suspended_portal_survives_other_statements(endpoint: Endpoint, database: str) -> None:
    # pgjdbc's fetch size: Execute with a row limit, PortalSuspended, other statements, then Execute again
    with psycopg.connect(endpoint.url(database)) as conn, conn.cursor(name="c") as cur:
        cur.execute("SELECT order_id FROM orders ORDER BY order_id")
        assert cur.fetchmany(5) == [(i,) for i in range(1, 6)]
        conn.execute("CREATE TEMP TABLE t_between (x int)")
        assert cur.fetchmany(2) == [(6,), (7,)]


def test_unsupported_cursor_forms_are_named(endpoint: Endpoint, database: str) -> None:
    with psycopg.connect(endpoint.url(database)) as conn:
        conn.execute("DECLARE c3 CURSOR FOR SELECT 1", prepare=False)
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="forward only"):
            conn.execute("FETCH PRIOR FROM c3", prepare=False)


@pytest.mark.parametrize(
    ("setting", "value"),
    [("statement_timeout", "0"), ("datestyle", "ISO, MDY"), ("timezone", "UTC"), ("extra_float_digits", "3")],
)
def test_set_show_reset(endpoint: Endpoint, database: str, setting: str, value: str) -> None:
    with connect(endpoint, database) as conn:
        before = conn.execute(f"SHOW {setting}", prepare=False).fetchone()
        conn.execute(f"SET {setting} TO '{value}'", prepare=False)
        assert conn.execute(f"SHOW {setting}", prepare=False).fetchone() == (value,)
        assert conn.execute(f"RESET {setting}", prepare=False).statusmessage == "RESET"
        assert conn.execute(f"SHOW {setting}", prepare=False).fetchone() == before
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", prepare=False)
        assert conn.execute("SHOW transaction_isolation", prepare=False).fetchone() == ("serializable",)
        names = [r[0] for r in conn.execute("SHOW ALL", prepare=False).fetchall()]
        assert "search_path" in names and "timezone" in {n.lower() for n in names}
