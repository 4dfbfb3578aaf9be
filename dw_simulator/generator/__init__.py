"""The synthetic data generator: vectorised, deterministic, constraint-exact, streaming to Parquet.

How determinism works (details in `random`, `domains`, `keys`):

* every value is a pure function of ``(seed, table, column, row index)``: a counter-based hash (SplitMix64 keyed by
  a BLAKE2b digest of the names) gives each row its random words, turned into distributions by inverse transform;
* unique values are the row index (or its image under a seeded Feistel bijection) encoded injectively;
* a foreign key picks a parent *row index* and recomputes the parent's key for it with the parent's own generator;
* Faker is only used to build pools of values once per run; rows pick pool positions by hash.

So the same seed gives identical Parquet content whatever the batch size or the number of worker processes.

Owns: planning (`plan`, `value_plans`, `unique_plans`, `composite_plans`, `plan_problem`, `bounds`, `sampling`,
`pools`), value generators (`columns`, `domains`, `keys`, `shaped_json`, `random`, `arrow`) and the run that
writes Parquet batches (`run`, `writer`).

May import: `dw_simulator.schema`, `dw_simulator.config`, `dw_simulator.errors`, numpy, pyarrow (and Faker and
DuckDB lazily, where they are used). Never the service, front ends (cli, api, endpoints), backends, sql or ddl.
"""

from dw_simulator.generator.arrow import arrow_schema_for, arrow_type_for
from dw_simulator.generator.bounds import REFERENCE_DATE
from dw_simulator.generator.plan import ExperimentPlan, build_plan
from dw_simulator.generator.run import (
    DEFAULT_BATCH_SIZE,
    GenerationCancelled,
    GenerationResult,
    ProgressEvent,
    TableOutput,
    generate_experiment,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "REFERENCE_DATE",
    "ExperimentPlan",
    "GenerationCancelled",
    "GenerationResult",
    "ProgressEvent",
    "TableOutput",
    "arrow_schema_for",
    "arrow_type_for",
    "build_plan",
    "generate_experiment",
]
