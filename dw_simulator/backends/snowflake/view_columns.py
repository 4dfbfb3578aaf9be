"""VARCHAR lengths of a view's columns: a column that is a plain reference to a table's column keeps that column's
declared length (`DESCRIBE VIEW` shows VARCHAR(20), not VARCHAR(16777216)); DuckDB's views keep no lengths.

https://docs.snowflake.com/en/sql-reference/sql/desc-view
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fakesnow import info_schema
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from dw_simulator.backends.snowflake.catalog import statement_catalog
from dw_simulator.backends.snowflake.names import normalise

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

log = logging.getLogger(__name__)


def record_view_lengths(cursor: SessionCursor, statement: exp.Create) -> None:
    query = statement.expression
    view = statement.find(exp.Table)
    if not isinstance(query, exp.Select) or view is None:
        return
    database = normalise(view.args.get("catalog")) or cursor._conn.database or ""
    schema = normalise(view.args.get("db")) or cursor._conn.schema or ""
    catalog = statement_catalog(cursor, query)
    try:
        mapping = MappingSchema(catalog, dialect="duckdb", normalize=False)  # type: ignore[arg-type]
        qualified = qualify(query.copy(), schema=mapping, dialect="snowflake", catalog=database, db=schema,
                            validate_qualify_columns=False, quote_identifiers=False)  # fmt: skip
    except Exception:  # a query sqlglot cannot qualify: the view keeps the default lengths
        log.debug("no column lineage for view %s", view.sql(), exc_info=True)
        return
    sources = {
        (t.alias_or_name).upper(): (t.catalog or database, t.db or schema, t.name)
        for t in qualified.find_all(exp.Table)
    }
    lengths: list[tuple[str, int]] = []
    for item in qualified.selects:
        column = item.this if isinstance(item, exp.Alias) else item
        if not isinstance(column, exp.Column) or not column.table:
            continue
        source = sources.get(column.table.upper())
        if source is None:
            continue
        found = cursor._duck_conn.execute(
            "SELECT ext_character_maximum_length FROM _fs_global._fs_information_schema._fs_columns_ext "
            "WHERE ext_table_catalog = ? AND ext_table_schema = ? AND ext_table_name = ? AND ext_column_name = ?",
            [*source, column.name],
        ).fetchone()
        if found and found[0]:
            lengths.append((item.alias_or_name, int(found[0])))
    if lengths:
        sql = info_schema.insert_text_lengths_sql(database, schema, normalise(view.this), lengths)
        with cursor._duck_conn.cursor() as side:
            side.execute(sql)
