"""Snowflake Scripting's parser and interpreter (dw_simulator.sql.snowflake.scripting), every statement of the
blocks run through the real connector against the embedded endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from dw_simulator.sql.snowflake.scripting import (
    Result,
    ScriptError,
    ScriptSyntaxError,
    is_block,
    literal,
    parse_block,
    run_script,
)

Connect = Callable[..., Any]


@pytest.fixture
def run(connect: Connect) -> Callable[[str], Result]:
    conn = connect(database=f"SCRIPT_{uuid.uuid4().hex[:8].upper()}", schema="PUBLIC")
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE invoices (id INTEGER, price NUMBER(12, 2))")
    cursor.execute("INSERT INTO invoices VALUES (1, 11.11), (2, 22.22)")

    def execute(sql: str) -> Result:
        cursor.execute(sql)
        columns = [d.name for d in cursor.description or []]
        rows = [tuple(r) for r in cursor.fetchall()] if cursor.description else []
        dml = columns and columns[0].lower().startswith("number of rows")
        return Result(columns, rows, sum(int(v) for v in rows[0]) if dml and rows else None)

    return execute


def value_of(text: str, run: Callable[[str], Result]) -> Any:
    outcome, _ = run_script(text, run)
    return outcome.value


def test_declare_let_if_and_loops(run: Callable[[str], Result]) -> None:
    block = """
    DECLARE
      total INTEGER DEFAULT 0;
      label VARCHAR;
    BEGIN
      FOR i IN 1 TO 4 DO
        total := total + i;
      END FOR;
      LET n := 0;
      WHILE (n < 3) DO
        n := n + 1;
      END WHILE;
      REPEAT
        n := n + 10;
      UNTIL (n > 20)
      END REPEAT;
      IF (total = 10 AND n = 23) THEN
        label := 'ok ' || total;
      ELSEIF (total > 10) THEN
        label := 'big';
      ELSE
        label := 'other';
      END IF;
      RETURN label;
    END;
    """
    assert value_of(block, run) == "ok 10"


def test_cursor_loop_select_into_and_binds(run: Callable[[str], Result]) -> None:
    block = """
    DECLARE
      total NUMBER(12, 2) DEFAULT 0;
      c1 CURSOR FOR SELECT id, price FROM invoices ORDER BY id;
      wanted INTEGER DEFAULT 2;
      p NUMBER(12, 2);
    BEGIN
      FOR record IN c1 DO
        total := total + record.price;
      END FOR;
      SELECT price INTO :p FROM invoices WHERE id = :wanted;
      RETURN total + p;
    END;
    """
    assert float(value_of(block, run)) == pytest.approx(55.55)


def test_resultset_is_returned_as_table(run: Callable[[str], Result]) -> None:
    block = """
    DECLARE
      res RESULTSET DEFAULT (SELECT id FROM invoices WHERE price > 20);
    BEGIN
      INSERT INTO invoices VALUES (3, 33.33);
      RETURN TABLE(res);
    END;
    """
    outcome, temporary = run_script(block, run)
    assert outcome.table in temporary
    rows = run(f"SELECT * FROM {outcome.table}").rows
    assert rows == [(2,)], "the resultset holds the rows as they were when it was made"


def test_dml_sets_sqlrowcount(run: Callable[[str], Result]) -> None:
    block = """
    BEGIN
      UPDATE invoices SET price = price + 1;
      RETURN SQLROWCOUNT;
    END;
    """
    assert value_of(block, run) == 2


def test_exceptions_handlers_and_uncaught(run: Callable[[str], Result]) -> None:
    handled = """
    DECLARE
      my_exception EXCEPTION (-20002, 'Raised MY_EXCEPTION.');
    BEGIN
      RAISE my_exception;
    EXCEPTION
      WHEN my_exception THEN
        RETURN 'caught: ' || SQLERRM;
    END;
    """
    assert value_of(handled, run) == "caught: Raised MY_EXCEPTION."
    statement_error = """
    BEGIN
      SELECT * FROM no_such_table;
      RETURN 'not reached';
    EXCEPTION
      WHEN STATEMENT_ERROR THEN
        RETURN 'statement';
    END;
    """
    assert value_of(statement_error, run) == "statement"
    uncaught = "DECLARE e1 EXCEPTION (-20001, 'Sample message'); BEGIN RAISE e1; END;"
    with pytest.raises(ScriptError) as raised:
        run_script(uncaught, run)
    assert raised.value.code == -20001 and "Sample message" in raised.value.uncaught()


def test_case_loop_break_and_nested_block(run: Callable[[str], Result]) -> None:
    block = """
    DECLARE
      counter INTEGER DEFAULT 0;
    BEGIN
      LOOP
        counter := counter + 1;
        IF (counter >= 3) THEN
          BREAK;
        END IF;
      END LOOP;
      BEGIN
        LET inner_value := counter * 2;
        counter := inner_value;
      END;
      CASE (counter)
        WHEN 5 THEN RETURN 'five';
        WHEN 6 THEN RETURN 'six';
        ELSE RETURN 'other';
      END CASE;
    END;
    """
    assert value_of(block, run) == "six"


def test_arguments_are_variables(run: Callable[[str], Result]) -> None:
    outcome, _ = run_script("BEGIN RETURN x + 1; END;", run, {"x": 41})
    assert outcome.value == 42


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BEGIN RETURN 1;", "expected END"),
        ("BEGIN IF (1 = 1) THEN RETURN 1; END; END;", "expected IF"),
        ("DECLARE x INTEGER DEFAULT 1 BEGIN RETURN x; END;", "expected BEGIN"),
    ],
)
def test_syntax_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ScriptSyntaxError, match=message) as raised:
        parse_block(text)
    assert "line 1" in str(raised.value)


def test_block_detection_and_literals() -> None:
    assert is_block("  DECLARE x INT; BEGIN RETURN x; END;")
    assert is_block("BEGIN RETURN 1; END;")
    assert not is_block("BEGIN TRANSACTION")
    assert not is_block("SELECT 1")
    assert literal("it's") == "'it''s'"
    assert literal(None) == "NULL"
    assert literal({"a": [1]}) == """PARSE_JSON('{"a": [1]}')"""
