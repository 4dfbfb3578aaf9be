"""Statements run on behalf of the warehouses' HTTP APIs (the Redshift Data API, the Snowflake SQL API v2).

Owns the narrow interface those front ends run SQL through, and nothing of their wire formats:

* `interface`: `StatementSession` (execute one statement with bindings, cancellable, answering a typed
  `sql.shaped.ShapedResult`; begin/commit/rollback) and `Target`;
* `session`: `open_session(target)`, the one place that decides which layer runs a target's statements, and
  `resolve_target` (which experiment a client's database names);
* `query_session`: today's implementation on `Simulator.query` (the same translation and engines as
  `dw-sim query`), with the backends' begin/commit/rollback for transactions;
* `result_types`: engine result types named as the warehouse names them (Redshift `int4`, Snowflake `fixed`);
* `registry`: asynchronous runs in the background (SUBMITTED -> STARTED -> FINISHED/FAILED/ABORTED), batches as
  one transaction, cancel, time limits, results kept for a configurable time, kept-alive sessions;
* `catalog`: the databases, schemas, tables and columns the Redshift Data API lists.

The service layer: may import the domains (backends, sql, metadata) and the floor, never a front end.
"""

from dw_simulator.statements.interface import StatementSession, Target
from dw_simulator.statements.session import open_session, resolve_target

__all__ = ["StatementSession", "Target", "open_session", "resolve_target"]
