"""Learning an experiment from a sample of data: `dw-sim experiment learn --from URL|FILE`.

Reads a bounded random sample of each table (`sources`: files through DuckDB, PostgreSQL, Redshift, Snowflake,
DuckDB databases), fits every column (`columns`: type, NULL share, distinct share, keys, frequent values, quantiles,
string patterns), links tables by value inclusion (`links`), fits each table's Gaussian copula over ranks
(`dependence`), and writes it all as an experiment schema (`fit`) the generator samples with its `empirical`
generators. `reference` keeps a summary of the sample (never the sample) and measures generated data against it:
the fidelity report.

Privacy: no raw value of a high-cardinality column (e-mails, names, free text, ids) is copied into the schema, the
reference or the data; see `columns` for the rules. May import: `dw_simulator.schema`, `dw_simulator.errors`,
numpy, pyarrow, and DuckDB and the database drivers lazily, where a source needs them.
"""

from dw_simulator.learn.columns import FitOptions, shape_of
from dw_simulator.learn.fit import Learned, learn_schema
from dw_simulator.learn.reference import compare
from dw_simulator.learn.sources import Sample, SourceError, read_samples, redact

__all__ = ["FitOptions", "Learned", "Sample", "SourceError", "compare", "learn_schema", "read_samples", "redact",
           "shape_of"]  # fmt: skip
