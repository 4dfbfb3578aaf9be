"""Redshift COPY and UNLOAD, executed by dw-sim against the staging area (S3 or the local folder).

COPY https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html reads every object under the S3 prefix (or the
files a MANIFEST lists) as PARQUET, CSV, JSON 'auto' or delimited text, checks each row against the target
columns, records rejected rows in STL_LOAD_ERRORS with Redshift's columns and error codes
(https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html), and fails the statement when there
are more than MAXERROR of them (default 0), as Redshift does.

UNLOAD https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html runs the quoted query through the Redshift
layer and writes PARQUET, CSV or delimited text under the prefix, with Redshift's file names.

The flow: `actions` (statement and options -> action) -> `load` (plan the columns; `sources` lists and reads the
objects, `readers` splits them into records, `text_values` converts values, `load_errors` reports rejected rows)
or `unload` (writers). The engine side is a `CopyTarget` (`target`; PostgreSQL and DuckDB each provide one).
May import: errors, the stage's type (`dw_simulator.staging`), `sql.redshift.split`; pyarrow only while running.
"""

from __future__ import annotations

from dw_simulator.sql.redshift.copy_unload.actions import CopyAction, UnloadAction, parse_action
from dw_simulator.sql.redshift.copy_unload.load import run_copy
from dw_simulator.sql.redshift.copy_unload.run import run_action
from dw_simulator.sql.redshift.copy_unload.target import ColumnInfo, CopyTarget
from dw_simulator.sql.redshift.copy_unload.text_values import redshift_format_to_strptime
from dw_simulator.sql.redshift.copy_unload.unload import run_unload

__all__ = [
    "ColumnInfo",
    "CopyAction",
    "CopyTarget",
    "UnloadAction",
    "parse_action",
    "redshift_format_to_strptime",
    "run_action",
    "run_copy",
    "run_unload",
]
